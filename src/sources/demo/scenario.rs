//! The story of the simulated day: how busy each service is minute by minute, and when the
//! cache break, the batch job and the spend spike happen. Deterministic: the same seed and
//! start always give the same records, byte for byte.

use std::ops::Range;

use chrono::{DateTime, Duration, Utc};

use super::rng::Rng;
use super::services::{Conditions, Request, Service, Turn, message_id};

/// Local hour of day at which the live part of the story starts (`S`); everything from
/// midnight up to `S` is written at once as history.
pub(crate) const START_HOUR: i64 = 13;
/// Minutes after `S` when chat's cache is broken (a timestamp got into its system prompt).
pub const CACHE_BREAK: Range<i64> = 20..60;
/// Minutes after `S` when the nightly summaries batch job delivers its results (a re-run:
/// the night's run, 02:00–02:30 local, only got through part of the backlog).
pub const BATCH_JOB: Range<i64> = 50..60;
/// Minutes relative to `S` of the night's batch run (02:00–02:30 local).
pub(crate) const NIGHT_BATCH: Range<i64> = (2 - START_HOUR) * 60..(2 - START_HOUR) * 60 + 30;
/// Minutes after `S` when a runaway agent loop burns Opus.
pub const SPEND_SPIKE: Range<i64> = 70..85;
/// Minutes relative to `S` of the nightly reports run (03:00–03:40 local), on the standard
/// tier although nobody waits for it.
pub(crate) const NIGHT_REPORTS: Range<i64> = (3 - START_HOUR) * 60..(3 - START_HOUR) * 60 + 40;

/// Requests per minute of each service at the busiest time of day.
fn peak_rate(service: Service) -> f64 {
    match service {
        Service::Chat => 14.0,
        Service::Classify => 20.0,
        Service::Triage => 6.0,
        Service::Agent => 4.0,
        Service::Inbox => 3.0,
        Service::Research => 1.5,
        Service::NightlySummaries | Service::NightlyReports => 0.0,
    }
}
/// Requests per minute of the nightly job while it delivers.
const BATCH_RATE: f64 = 35.0;
/// Requests per minute of the nightly reports while they run.
const REPORTS_RATE: f64 = 25.0;
/// Extra agent requests per minute during the runaway loop.
const LOOP_RATE: f64 = 20.0;
/// One record in this many is written twice (a retried log write), to exercise dedupe.
const RETRY_ONE_IN: u64 = 150;

/// How busy the organisation is at each local hour (1.0 = peak); interpolated in between.
const DAY_SHAPE: [f64; 24] = [
    0.22, 0.20, 0.20, 0.20, 0.22, 0.25, 0.32, 0.45, 0.70, 0.90, 1.00, 1.00, //
    0.92, 1.00, 1.00, 1.00, 0.95, 0.80, 0.62, 0.50, 0.45, 0.40, 0.33, 0.26,
];

/// One simulated request: a line of the simulated log.
#[derive(Debug, Clone)]
pub struct Record {
    /// When the request happened (simulated time).
    pub at: DateTime<Utc>,
    /// The message id (unique).
    pub(crate) id: String,
    /// What was asked and used.
    pub(crate) request: Request,
    /// Written twice in a row (a retried log write); counted once after dedupe.
    pub retried: bool,
}

impl Record {
    /// The application usage-log line, without a line terminator.
    pub fn line(&self) -> String {
        self.request.to_line(self.at, &self.id)
    }
}

/// The simulated organisation's day, anchored at the story's start `S`.
#[derive(Debug, Clone)]
pub struct Scenario {
    seed: u64,
    start: DateTime<Utc>,
}

impl Scenario {
    /// The story for `seed`, its live part starting at `start` (meant to be 13:00 local).
    pub fn new(seed: u64, start: DateTime<Utc>) -> Scenario {
        Scenario { seed, start }
    }

    /// The story's start `S`.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first minute of history (local midnight before `S`), relative to `S`.
    pub(crate) fn first_minute() -> i64 {
        -START_HOUR * 60
    }

    /// The start of minute `m` (relative to `S`).
    pub(crate) fn minute_start(&self, m: i64) -> DateTime<Utc> {
        self.start + Duration::minutes(m)
    }

    /// The minute (relative to `S`) that `t` falls in.
    pub(crate) fn minute_of(&self, t: DateTime<Utc>) -> i64 {
        (t - self.start).num_seconds().div_euclid(60)
    }

    /// Every record of minute `m` (relative to `S`), in time order.
    pub(crate) fn minute(&self, m: i64) -> Vec<Record> {
        let base = self.minute_start(m);
        let mut records = Vec::new();
        for (i, service) in Service::ALL.into_iter().enumerate() {
            let mut rng = Rng::for_stream(self.seed, &[m as u64, i as u64]);
            let n = rng.count(rate(service, m));
            for seat in 0..n {
                let cond = Conditions {
                    cache_broken: CACHE_BREAK.contains(&m),
                    agent_loop: None,
                    turn: self.turn(service, m, seat),
                };
                records.push(record(service, &cond, base, &mut rng));
            }
            if service == Service::Agent && SPEND_SPIKE.contains(&m) {
                let into = (m - SPEND_SPIKE.start) as f64;
                let n = rng.count(LOOP_RATE);
                for _ in 0..n {
                    let cond = Conditions {
                        cache_broken: false,
                        agent_loop: Some(into),
                        turn: Some(Turn {
                            session: format!("agent-loop-{}", SPEND_SPIKE.start),
                            number: (m - SPEND_SPIKE.start) as u64,
                            base: 20_000,
                        }),
                    };
                    records.push(record(service, &cond, base, &mut rng));
                }
            }
        }
        records.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        records
    }

    /// The conversation turn of the `seat`-th request of `service` in minute `m`: a
    /// conversation holds one seat for its whole length, one turn a minute.
    fn turn(&self, service: Service, m: i64, seat: u64) -> Option<Turn> {
        let length = service.conversation_minutes()?;
        let started = m.div_euclid(length);
        let mut rng = Rng::for_stream(self.seed, &[0x5e55, service as u64, started as u64, seat]);
        let base = match service {
            Service::Chat => rng.around(9_000.0, 0.35).max(7_500),
            _ => rng.around(12_000.0, 0.4),
        };
        Some(Turn {
            session: format!("{}-{started}-{seat}", service.feature()),
            number: m.rem_euclid(length) as u64,
            base,
        })
    }
}

#[cfg(test)]
impl Scenario {
    /// The log text of minutes `range` (relative to `S`), retried lines written twice.
    pub(crate) fn text(&self, range: Range<i64>) -> String {
        let mut out = String::new();
        for m in range {
            for r in self.minute(m) {
                push_line(&mut out, &r);
            }
        }
        out
    }
}

/// Appends a record's line (twice when retried) to `out`.
pub(crate) fn push_line(out: &mut String, r: &Record) {
    let line = r.line();
    for _ in 0..if r.retried { 2 } else { 1 } {
        out.push_str(&line);
        out.push('\n');
    }
}

fn record(service: Service, cond: &Conditions, base: DateTime<Utc>, rng: &mut Rng) -> Record {
    let at = base + Duration::milliseconds(rng.below(60_000) as i64);
    let request = Request::draw(service, cond, rng);
    let id = message_id(rng);
    Record {
        at,
        id,
        request,
        retried: rng.below(RETRY_ONE_IN) == 0,
    }
}

/// Expected requests per minute of `service` in minute `m` (relative to `S`).
fn rate(service: Service, m: i64) -> f64 {
    match service {
        Service::NightlySummaries if BATCH_JOB.contains(&m) || NIGHT_BATCH.contains(&m) => {
            return BATCH_RATE;
        }
        Service::NightlyReports if NIGHT_REPORTS.contains(&m) => return REPORTS_RATE,
        Service::NightlySummaries | Service::NightlyReports => return 0.0,
        _ => {}
    }
    peak_rate(service) * day_shape(m)
}

/// The daily traffic shape at minute `m` after `S` (`S` is [`START_HOUR`] local).
fn day_shape(m: i64) -> f64 {
    let minute_of_day = (START_HOUR * 60 + m).rem_euclid(24 * 60);
    let hour = (minute_of_day / 60) as usize;
    let frac = (minute_of_day % 60) as f64 / 60.0;
    let (a, b) = (DAY_SHAPE[hour], DAY_SHAPE[(hour + 1) % 24]);
    a + (b - a) * frac
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-03T13:00:00Z")
            .expect("valid")
            .to_utc()
    }

    #[test]
    fn same_seed_gives_byte_identical_logs() {
        let a = Scenario::new(7, start()).text(-30..90);
        let b = Scenario::new(7, start()).text(-30..90);
        let c = Scenario::new(8, start()).text(-30..90);
        assert!(!a.is_empty());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn records_of_a_minute_lie_in_it_in_order() {
        let s = Scenario::new(1, start());
        let records = s.minute(5);
        assert!(records.len() > 10, "{}", records.len());
        assert!(records.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(records.iter().all(|r| s.minute_of(r.at) == 5));
    }

    #[test]
    fn batch_job_only_runs_in_its_window() {
        let s = Scenario::new(3, start());
        let batch_in = |m: i64| {
            s.minute(m)
                .iter()
                .filter(|r| r.line().contains("\"service_tier\":\"batch\""))
                .count()
        };
        assert_eq!(batch_in(BATCH_JOB.start - 1), 0);
        assert!(batch_in(BATCH_JOB.start) > 10);
        assert_eq!(batch_in(BATCH_JOB.end), 0);
    }

    #[test]
    fn night_is_quieter_than_afternoon() {
        assert!(day_shape(-10 * 60) < 0.3);
        assert!(day_shape(60) > 0.9);
    }
}

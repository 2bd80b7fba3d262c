//! A synthetic Claude Code home: `projects/<project>/<session>.jsonl` with sub-agent files,
//! as Claude Code writes them over days of work, and the truth about what it contains.
//!
//! Shared by the `gen_transcripts` example (which writes a set for benches and for looking
//! at) and by `tests/generated.rs` (which checks `costtop report` against the truth).
//!
//! What a set holds: several projects, each with sessions over `days` of history; user
//! prompts, tool calls and large tool results; responses streamed as several lines sharing
//! `message.id` and `requestId` whose earlier lines carry a placeholder `output_tokens`;
//! sessions resumed by copying an earlier session's last lines verbatim (Claude Code 2.0 and
//! 2.1 before 2.1.3xx) or forked by repeating the parent's lines under a new `sessionId`
//! (2.1.3xx); sub-agent calls as `progress` lines in the parent (older versions), in
//! `<session>/subagents/agent-*.jsonl` (2.1.3xx), or both (some 2.1 versions); 5-minute and
//! 1-hour cache writes and expiries; current and older models; `<synthetic>` lines and API
//! errors; `cost-state` lines; compaction boundaries; web searches. The same options and seed
//! give the same bytes.

mod dice;
mod prices;
mod session;
mod shapes;
mod tools;
mod truth;

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use dice::{Corpus, Dice};
use session::{Carry, Era, Plan, Record, Ttl};
pub(crate) use truth::Truth;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// Claude Code versions, what each writes, and how many sessions run on it (most on the
/// newest).
const VERSIONS: &[((&str, Era), u32)] = &[
    (("2.0.14", Era::Progress), 1),
    (("2.0.50", Era::Progress), 1),
    (("2.1.40", Era::Progress), 1),
    (("2.1.126", Era::ProgressAndFiles), 1),
    (("2.1.197", Era::ProgressAndFiles), 2),
    (("2.1.328", Era::Files), 4),
];

/// Git branches sessions run on (empty: not a repository).
const BRANCHES: &[&str] = &[
    "main",
    "main",
    "main",
    "develop",
    "feature/parser",
    "fix/cache",
    "",
];

/// Project names, combined with an index into working directories.
const PROJECTS: &[&str] = &[
    "api",
    "web",
    "costtop",
    "infra",
    "ml",
    "docs",
    "cli",
    "sdk",
    "my.app",
    "data_pipeline",
];

/// What to generate.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The Claude Code home to write: files go to `out/projects/…`.
    pub(crate) out: PathBuf,
    /// About this many lines in all, sub-agent files included (each session finishes the
    /// turn that reaches its share).
    pub(crate) lines: u64,
    /// The seed: the same options and seed give the same bytes.
    pub(crate) seed: u64,
    /// Days of history before `end`.
    pub(crate) days: u32,
    /// No line is stamped at or after this time.
    pub(crate) end: DateTime<Utc>,
    /// Sessions (default: one per 200 lines, 4 to 100).
    pub(crate) sessions: Option<u32>,
    /// Projects (default: one per 8 sessions, 2 to 12).
    pub(crate) projects: Option<u32>,
    /// Some sessions run on a model no price table knows.
    pub(crate) unknown_model: bool,
}

/// A project: its working directory and the folder Claude Code keeps its sessions in.
pub(crate) struct Project {
    cwd: String,
    dir: PathBuf,
}

/// What sessions share while a set is written.
pub(crate) struct Shared {
    dice: Dice,
    truth: Truth,
    end_ms: i64,
}

/// Writes the set `options` describes and returns its truth.
pub(crate) fn generate(options: &Options) -> io::Result<Truth> {
    let mut dice = Dice::new(options.seed);
    let corpus = Corpus::new(&mut dice, 4 << 20);
    let end_ms = options.end.timestamp_millis();
    let start_ms = end_ms - i64::from(options.days.max(1)) * DAY_MS;
    let sessions = options
        .sessions
        .unwrap_or_else(|| (options.lines / 200).clamp(4, 100) as u32)
        .max(1);
    let project_count = options
        .projects
        .unwrap_or_else(|| (sessions / 8).clamp(2, 12))
        .max(1);
    let root = options.out.join("projects");
    std::fs::create_dir_all(&root)?;
    let projects: Vec<Project> = (0..project_count)
        .map(|i| project(&mut dice, &root, i))
        .collect();
    let popularity: Vec<(usize, u32)> = (0..projects.len())
        .map(|i| (i, (1000.0 / ((i + 1) as f64).powf(0.8)) as u32))
        .collect();
    let budgets = budgets(&mut dice, options.lines, sessions);
    let mut starts: Vec<i64> = (0..sessions)
        .map(|_| start_ms + (dice.unit() * (end_ms - start_ms) as f64) as i64)
        .collect();
    starts.sort_unstable();
    let unknown_at = options.unknown_model.then_some(sessions / 2);

    let mut shared = Shared {
        dice,
        truth: Truth {
            seed: options.seed,
            ..Truth::default()
        },
        end_ms,
    };
    let mut last: HashMap<usize, Record> = HashMap::new();
    for (index, (budget, start)) in budgets.into_iter().zip(starts).enumerate() {
        let d = &mut shared.dice;
        let p = d.weighted(&popularity);
        let continues = last.get(&p).filter(|_| d.chance(0.15));
        let (mut plan, carry) = match continues {
            Some(prev) => prev.follow(d, start),
            None => (fresh(d, start), Carry::None),
        };
        if unknown_at == Some(index as u32) || (unknown_at.is_some() && d.chance(0.02)) {
            plan.model = prices::UNKNOWN;
        }
        plan.budget = budget;
        // Spread the session over budget × 4–30 s, ending a minute before `end`.
        let span = budget as i64 * d.between(4_000, 30_000) as i64;
        plan.start_ms = plan.start_ms.min(end_ms - span - 60_000).max(start_ms);
        plan.end_ms = (plan.start_ms + span).min(end_ms - 60_000);
        let record = session::write(&mut shared, &corpus, &projects[p], plan, carry)?;
        last.insert(p, record);
    }
    Ok(shared.truth)
}

/// Project `i`: a working directory and its folder under `projects/` (every character but
/// letters and digits turned into `-`, as Claude Code names it).
fn project(dice: &mut Dice, root: &Path, i: u32) -> Project {
    let name = dice.pick(PROJECTS);
    let cwd = if dice.chance(0.2) {
        format!("/Users/alice/Projects/{name}_{i}/sub.dir")
    } else {
        format!("/home/dev/work/{name}-{i}")
    };
    let folder: String = cwd
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Project {
        dir: root.join(folder),
        cwd,
    }
}

/// Line budgets of `sessions` sessions (heavy-tailed, at least 6 each) summing to `lines`.
fn budgets(dice: &mut Dice, lines: u64, sessions: u32) -> Vec<u64> {
    let weights: Vec<f64> = (0..sessions)
        .map(|_| dice.sized(1000.0, 1.0, 1_000_000) as f64)
        .collect();
    let total: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| ((lines as f64 * w / total) as u64).max(6))
        .collect()
}

/// A new session's plan (budget and timing are set by the caller).
fn fresh(dice: &mut Dice, start_ms: i64) -> Plan {
    let (version, era) = dice.weighted(VERSIONS);
    let ttl = match dice.unit() {
        x if x < 0.2 => Ttl::OneHour,
        x if x < 0.3 => Ttl::Mixed,
        _ => Ttl::FiveMinutes,
    };
    Plan {
        session_id: dice.uuid(),
        version,
        era,
        model: dice.weighted(prices::MAIN_MODELS),
        ttl,
        branch: dice.pick(BRANCHES),
        start_ms,
        end_ms: start_ms,
        budget: 0,
    }
}

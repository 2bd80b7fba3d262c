//! `costtop prices`: the price table in force as an aligned table or JSON — every price of
//! every model, its date ranges and bands, the table's checked date and where each entry came
//! from. (`explain.rs` explains one id.)

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::format::thousands;
use crate::pricing::{ModelPrice, PricePeriod, PriceTable, Rates, TableSource};

/// The table as shown: one entry per group of ids with the same prices.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TableView {
    /// When the prices were last checked (`YYYY-MM-DD`).
    pub(crate) checked: String,
    /// `built-in` or `maintained`.
    pub(crate) source: &'static str,
    /// The stored maintained table in use, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) maintained_path: Option<String>,
    /// The built-in table's checked date.
    pub(crate) built_in_checked: String,
    /// Only the prices in force at this moment, when asked (`--at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) at: Option<DateTime<Utc>>,
    /// Anything to say about the table (a stored update that was not used, and why).
    pub(crate) notes: Vec<String>,
    /// A stored update that is broken, and why.
    pub(crate) warnings: Vec<String>,
    /// The models.
    pub(crate) models: Vec<ModelView>,
}

/// One model (ids that share every price).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ModelView {
    /// Normalised ids.
    pub(crate) ids: Vec<String>,
    /// Display name.
    pub(crate) family: String,
    /// Price periods, oldest first.
    pub(crate) periods: Vec<PeriodView>,
}

/// One price period.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PeriodView {
    /// First day (00:00 UTC), none: always.
    pub(crate) from: Option<NaiveDate>,
    /// First day no longer in force, none: no end.
    pub(crate) until: Option<NaiveDate>,
    /// `built-in`, `maintained table` or `config`.
    pub(crate) origin: &'static str,
    /// The config file, for config entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) config: Option<String>,
    /// Fast-mode multiplier.
    pub(crate) fast: Option<f64>,
    /// US-only inference bills ×1.1.
    pub(crate) us_only: bool,
    /// Partner-cloud regional ids bill ×1.1.
    pub(crate) regional: bool,
    /// Bands by rising prompt size.
    pub(crate) bands: Vec<BandView>,
}

/// One band's prices, USD per million tokens.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct BandView {
    /// Prompt tokens the band starts above (0: the first band).
    pub(crate) above: u64,
    /// Uncached input.
    pub(crate) input: f64,
    /// Output.
    pub(crate) output: f64,
    /// 5-minute cache write.
    pub(crate) write_5m: f64,
    /// 1-hour cache write.
    pub(crate) write_1h: f64,
    /// Cache read.
    pub(crate) read: f64,
}

impl BandView {
    /// A band's prices in USD per million tokens.
    pub(crate) fn of(above: u64, r: &Rates) -> BandView {
        BandView {
            above,
            input: r.input.usd_per_million(),
            output: r.output.usd_per_million(),
            write_5m: r.write_5m.usd_per_million(),
            write_1h: r.write_1h.usd_per_million(),
            read: r.read.usd_per_million(),
        }
    }
}

impl PeriodView {
    /// A period as shown.
    pub(crate) fn of(p: &PricePeriod) -> PeriodView {
        let config = match &p.origin {
            crate::pricing::Origin::Config(path) => Some(path.clone()),
            _ => None,
        };
        PeriodView {
            from: p.from,
            until: p.until,
            origin: p.origin.label(),
            config,
            fast: p.fast.map(crate::pricing::Ratio::as_f64),
            us_only: p.us_only,
            regional: p.regional,
            bands: p
                .bands
                .iter()
                .map(|b| BandView::of(b.above, &b.rates))
                .collect(),
        }
    }

    /// The prompt range of band `i` (`≤ 100,000`, `> 100,000`); `None` with a single band.
    pub(crate) fn band_label(&self, i: usize) -> Option<String> {
        if self.bands.len() < 2 {
            return None;
        }
        Some(match self.bands.get(i + 1) {
            Some(next) => format!("≤ {}", thousands(next.above)),
            None => format!("> {}", thousands(self.bands.get(i)?.above)),
        })
    }

    /// `always`, `from 2026-10-07`, `until 2026-10-07`, `2026-01-01 – 2026-10-07`.
    pub(crate) fn dates(&self) -> String {
        match (self.from, self.until) {
            (None, None) => "always".into(),
            (Some(f), None) => format!("from {f}"),
            (None, Some(u)) => format!("until {u}"),
            (Some(f), Some(u)) => format!("{f} – {u}"),
        }
    }
}

/// The view of `table`; with `at`, only the periods in force then.
pub(crate) fn view(table: &PriceTable, at: Option<DateTime<Utc>>) -> TableView {
    let mut groups: Vec<(Vec<String>, &ModelPrice)> = Vec::new();
    for (id, m) in table.entries() {
        match groups.iter_mut().find(|(_, g)| *g == m) {
            Some((ids, _)) => ids.push(id.to_string()),
            None => groups.push((vec![id.to_string()], m)),
        }
    }
    let mut models: Vec<ModelView> = groups
        .into_iter()
        .map(|(ids, m)| ModelView {
            ids,
            family: m.family.clone(),
            periods: m
                .periods
                .iter()
                .filter(|p| at.is_none_or(|t| p.covers(t.timestamp())))
                .map(PeriodView::of)
                .collect(),
        })
        .filter(|m| !m.periods.is_empty())
        .collect();
    models.sort_by_key(|m| family_order(&m.family));
    let (source, maintained_path) = match &table.source {
        TableSource::BuiltIn => ("built-in", None),
        TableSource::Maintained(p) => ("maintained", Some(p.clone())),
    };
    TableView {
        checked: table.checked.clone(),
        source,
        maintained_path,
        built_in_checked: PriceTable::embedded().checked,
        at,
        notes: table.notes.clone(),
        warnings: table.warnings.clone(),
        models,
    }
}

/// Families from the dearest line to the cheapest, then anything else by name; newest
/// version first within each ("Opus 5.5", "Opus 5", "Opus 4.8").
fn family_order(family: &str) -> (usize, String, std::cmp::Reverse<Vec<u32>>) {
    const LINES: [&str; 5] = ["Fable", "Mythos", "Opus", "Sonnet", "Haiku"];
    let (name, version) = family.rsplit_once(' ').unwrap_or((family, ""));
    let parts: Option<Vec<u32>> = version.split('.').map(|p| p.parse().ok()).collect();
    let (name, version) = match parts {
        Some(v) => (name, v),
        None => (family, Vec::new()),
    };
    let line = LINES.iter().position(|l| *l == name).unwrap_or(LINES.len());
    (line, name.to_string(), std::cmp::Reverse(version))
}

/// The view as pretty JSON.
pub(crate) fn render_json<T: Serialize>(view: &T) -> String {
    serde_json::to_string_pretty(view).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// USD per million tokens with at least two decimals: `8.00`, `0.125`, `12.50`.
pub(crate) fn per_million(usd: f64) -> String {
    let s = format!("{usd:.6}");
    let s = s.trim_end_matches('0');
    match s.split_once('.') {
        Some((_, frac)) if frac.len() >= 2 => s.to_string(),
        Some((whole, frac)) => format!("{whole}.{frac:0<2}"),
        None => format!("{s}.00"),
    }
}

/// Where the table came from, in one line.
pub(crate) fn provenance(v: &TableView) -> String {
    match &v.maintained_path {
        Some(path) => format!(
            "the maintained table stored at {path} (it takes precedence over the built-in \
             table, checked {})",
            v.built_in_checked
        ),
        None => "built in (data/prices.toml)".into(),
    }
}

/// The aligned table: a header, one line per band of every period of every model, a legend.
pub(crate) fn render_table(v: &TableView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "costtop prices · checked {} · {}",
        v.checked,
        provenance(v)
    );
    if let Some(at) = v.at {
        let _ = writeln!(out, "in force at {}", at.format("%Y-%m-%d %H:%M UTC"));
    }
    for w in &v.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    for n in &v.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out.push_str("USD per million tokens\n\n");
    let header = [
        "MODEL", "FAMILY", "DATES", "PROMPT", "INPUT", "OUTPUT", "WRITE 5m", "WRITE 1h", "READ",
        "FAST", "×1.1", "SOURCE",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for m in &v.models {
        let mut lines = model_lines(m);
        // Aliases beyond the model's price lines get lines of their own.
        while lines.len() < m.ids.len() {
            lines.push(vec![String::new(); header.len()]);
        }
        for (i, mut line) in lines.into_iter().enumerate() {
            line[0] = m.ids.get(i).cloned().unwrap_or_default();
            if i == 0 {
                line[1].clone_from(&m.family);
            }
            rows.push(line);
        }
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric = |i: usize| (4..=9).contains(&i);
    let write = |out: &mut String, cells: &[String]| {
        let mut line = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            if numeric(i) {
                let _ = write!(line, "{c:>w$}");
            } else {
                let _ = write!(line, "{c:<w$}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    };
    write(&mut out, &header.map(String::from));
    for r in &rows {
        write(&mut out, r);
    }
    out.push_str(LEGEND);
    out
}

/// The table lines of one model: one per band of each period (ids and family filled in later).
fn model_lines(m: &ModelView) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    for p in &m.periods {
        for (i, b) in p.bands.iter().enumerate() {
            let prompt = p.band_label(i).unwrap_or_default();
            let first = i == 0;
            let flags = match (p.us_only, p.regional) {
                (true, true) => "us, regional",
                (false, true) => "regional",
                (true, false) => "us",
                (false, false) => "—",
            };
            lines.push(vec![
                String::new(),
                String::new(),
                if first { p.dates() } else { String::new() },
                prompt,
                per_million(b.input),
                per_million(b.output),
                per_million(b.write_5m),
                per_million(b.write_1h),
                per_million(b.read),
                match (first, p.fast) {
                    (true, Some(f)) => format!("×{f}"),
                    (true, None) => "—".into(),
                    (false, _) => String::new(),
                },
                if first { flags.into() } else { String::new() },
                if first {
                    p.origin.into()
                } else {
                    String::new()
                },
            ]);
        }
    }
    lines
}

const LEGEND: &str = "
DATES: a request is priced by its own timestamp; dates start at 00:00 UTC.
PROMPT: input + cache writes + cache reads; above a band's threshold the whole request, output
  included, bills at that band's prices.
FAST: the multiplier of every price in fast mode (usage.speed \"fast\", or an id ending -fast).
×1.1: us = US-only inference (inference_geo \"us\"); regional = Bedrock regional and
  multi-region ids (us., eu., apac., au., jp. before anthropic.).
Batch tier: ×0.5 on every price. Priority tier: billed at these prices (list-price estimate).
Web search: $10 per 1,000. Ids are matched whole after normalisation: `costtop prices ID`.
Update: `costtop prices --update` fetches the project's maintained table; `[prices.\"id\"]`
  in the config overrides any entry.
";

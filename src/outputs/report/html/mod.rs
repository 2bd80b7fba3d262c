//! `report --format html` and `audit --format html`: the snapshot as one self-contained page
//! for people who do not use a terminal — inline CSS and SVG, no script, nothing fetched from
//! anywhere (a Content-Security-Policy says so to the browser), light or dark by
//! `prefers-color-scheme`, light on paper. Each chart has a text alternative and its numbers
//! in a table beside it. Markup is written with maud, which escapes every interpolated string:
//! model ids, tags, paths and reasons come from data.

mod compare;
mod levers;
mod review;
mod spend;
mod svg;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::records_span;
use crate::snapshot::Snapshot;

/// The page's stylesheet (roles as CSS variables; dark and print variants).
const STYLE: &str = include_str!("style.css");

/// Nothing may load from anywhere: no script, no font, no image; styles only inline.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Which command the page is for.
pub(crate) struct Page<'a> {
    /// `costtop report` or `costtop audit`.
    pub(crate) title: &'a str,
    /// The `--by` grouping of the snapshot's rows (empty: none).
    pub(crate) by: &'a str,
}

/// The whole page.
pub(crate) fn render(snap: &Snapshot, page: &Page<'_>) -> String {
    let span = records_span(snap);
    let doc = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(POLICY);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (page.title) " · " (span) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (page.title) }
                    p.muted {
                        (span) " · times in " (snap.time_zone) " · prices checked "
                        (snap.prices_checked)
                    }
                }
                main {
                    (spend::headline(snap))
                    @if let Some(c) = &snap.compare {
                        (compare::section(c))
                    }
                    (spend::over_time(snap))
                    (spend::breakdowns(snap, page.by))
                    (levers::section(snap))
                    (review::audit(snap))
                    @if let Some(p) = &snap.per_unit {
                        (review::per_unit(p))
                    }
                    (review::sources(snap))
                }
                footer {
                    "Made by costtop " (env!("CARGO_PKG_VERSION")) " at "
                    (snap.as_of.format("%Y-%m-%d %H:%M UTC"))
                    ". Costs are computed from token counts and the price table in force; "
                    "the Admin API cost report is what is billed."
                }
            }
        }
    };
    doc.into_string()
}

/// A table: a header row, rows, and an optional total row. The first column, and any column
/// with a cell that is not a figure (a reason, a model), is text and aligned left; figures
/// are aligned right.
pub(super) fn table(head: &[&str], rows: &[Vec<String>], total: Option<&[String]>) -> Markup {
    let text: Vec<bool> = (0..head.len())
        .map(|i| i == 0 || rows.iter().any(|r| r.get(i).is_some_and(|c| !is_figure(c))))
        .collect();
    let class = |i: usize| text.get(i).copied().unwrap_or(false).then_some("text");
    html! {
        div.table-wrap {
            table {
                thead { tr { @for (i, h) in head.iter().enumerate() { th scope="col" class=[class(i)] { (h) } } } }
                tbody {
                    @for row in rows {
                        tr { @for (i, cell) in row.iter().enumerate() { td class=[class(i)] { (cell) } } }
                    }
                    @if let Some(total) = total {
                        tr.total { @for (i, cell) in total.iter().enumerate() { td class=[class(i)] { (cell) } } }
                    }
                }
            }
        }
    }
}

/// Whether a cell is a figure (`$1.20`, `-$0.05`, `12.5%`, `1,024`, `≥ $3`, `—`) or empty.
fn is_figure(cell: &str) -> bool {
    let rest = cell.trim_start_matches(['+', '-', '−', '≥', ' ', '$', '~']);
    cell.is_empty()
        || cell == "—"
        || (rest.starts_with(|c: char| c.is_ascii_digit())
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || ",.%$ ".contains(c)))
}

/// A chart with its table beside it (below it on narrow screens, and always when the table
/// is wide).
pub(super) fn pair(chart: &Markup, caption: &str, numbers: &Markup, wide: bool) -> Markup {
    html! {
        div.pair.stacked[wide] {
            figure {
                (chart)
                figcaption { (caption) }
            }
            (numbers)
        }
    }
}

/// A headline figure.
pub(super) fn card(label: &str, value: &str, detail: &str) -> Markup {
    html! {
        div.card {
            div.label { (label) }
            div.value { (value) }
            @if !detail.is_empty() {
                div.detail { (detail) }
            }
        }
    }
}

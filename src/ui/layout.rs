//! Where each pane goes: the full and compact arrangements, zoom, and the too-small screen.

use ratatui::layout::{Constraint, Layout, Rect};

/// A pane of the dashboard; focus and zoom name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Pane {
    /// Spend, burn rate, projections, clock.
    Header,
    /// Spend by model.
    #[default]
    Models,
    /// Spend over time.
    SpendChart,
    /// Cache effectiveness.
    Cache,
    /// Batch API share.
    Batch,
    /// Output-token histogram.
    Output,
    /// Budgets and alarms.
    Budgets,
    /// Top projects, tiers, tags.
    Top,
    /// Savings opportunities: the four levers in dollars.
    Savings,
    /// Source health and key hints.
    Status,
}

impl Pane {
    /// Panes in focus order (Tab).
    pub(crate) const ALL: [Pane; 10] = [
        Pane::Header,
        Pane::Models,
        Pane::SpendChart,
        Pane::Cache,
        Pane::Batch,
        Pane::Output,
        Pane::Budgets,
        Pane::Top,
        Pane::Savings,
        Pane::Status,
    ];

    /// The pane after this one in focus order.
    #[must_use]
    pub(crate) fn next(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + 1) % Pane::ALL.len()]
    }

    /// The pane before this one in focus order.
    #[must_use]
    pub(crate) fn prev(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }
}

/// What covers the panes, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Overlay {
    /// Nothing: the panes are visible.
    #[default]
    None,
    /// The key help.
    Help,
}

/// The smallest screen that shows panes; below it a message asks for more room.
pub(crate) const MIN_SIZE: (u16, u16) = (60, 16);

/// From this size up the full arrangement is used.
pub(crate) const FULL_SIZE: (u16, u16) = (120, 40);

/// From this size up the savings pane has a column of its own and the models row is as tall
/// as its rows.
pub(crate) const WIDE_SIZE: (u16, u16) = (160, 40);

/// The models row on wide screens is never shorter than this (the chart beside it must read).
const WIDE_MODELS_MIN: u16 = 9;

/// What the arrangement needs to know about the content and the user's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Fit {
    /// The savings pane takes the top pane's place (`o`) where it has none of its own.
    pub(crate) savings_in_top: bool,
    /// Rows of the model table (models plus its heading).
    pub(crate) model_rows: u16,
    /// Lines the status bar has to show (sources, notices, key hints).
    pub(crate) status_lines: u16,
}

impl Fit {
    /// The status bar's height: its lines under a top border, within bounds, so a single
    /// source leaves no blank rows and many sources do not crowd the panes out.
    fn status_height(self, min: u16, max: u16) -> u16 {
        (self.status_lines + 1).clamp(min, max)
    }
}

/// A row arrangement: header height, the three pane rows' minimum heights and how they share
/// the rest, status height.
struct Rows {
    header: u16,
    min: [u16; 3],
    weights: [u16; 3],
    status: u16,
}

/// Rows of the full arrangement: header, models+chart, cache+batch+output, budgets+top, status.
const FULL_ROWS: Rows = Rows {
    header: 4,
    min: [13, 9, 9],
    weights: [13, 9, 9],
    status: 5,
};

/// Rows of the compact arrangement (80×24 down to the minimum): the same rows, thinner.
const COMPACT_ROWS: Rows = Rows {
    header: 4,
    min: [3, 3, 3],
    weights: [4, 2, 2],
    status: 3,
};

impl Rows {
    /// Heights of the five rows for a screen `height` tall.
    fn heights(&self, height: u16) -> [Constraint; 5] {
        let rest = height.saturating_sub(self.header + self.status);
        let base: u16 = self.min.iter().sum();
        let spare = rest.saturating_sub(base);
        let total: u16 = self.weights.iter().sum();
        let mut h = [0u16; 3];
        for ((row, min), weight) in h.iter_mut().zip(self.min).zip(self.weights) {
            *row = min + spare * weight / total.max(1);
        }
        // Rounding leftovers go to the first row.
        h[0] += rest.saturating_sub(h.iter().sum());
        [
            Constraint::Length(self.header),
            Constraint::Length(h[0]),
            Constraint::Length(h[1]),
            Constraint::Length(h[2]),
            Constraint::Length(self.status),
        ]
    }
}

/// Models get more width than the chart: the table has many columns.
const MODELS_CHART: [Constraint; 2] = [Constraint::Percentage(64), Constraint::Fill(1)];

/// Cache and batch are short lists; the histogram wants width.
const GAUGE_ROW: [Constraint; 3] = [
    Constraint::Percentage(32),
    Constraint::Percentage(30),
    Constraint::Fill(1),
];

/// Budgets and alarms carry sentences; the top list is narrower.
const BUDGETS_TOP: [Constraint; 2] = [Constraint::Percentage(60), Constraint::Fill(1)];

/// Wide screens: the gauges, budgets and top on the left, the savings column on the right
/// (its reasons are sentences).
const WIDE_COLUMNS: [Constraint; 2] = [Constraint::Percentage(60), Constraint::Fill(1)];

/// The screen: where each visible pane goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Screen {
    /// Too small for panes: show the enlarge message in the whole area.
    #[default]
    TooSmall,
    /// Panes and their areas.
    Panes(Vec<(Pane, Rect)>),
}

/// Lays the screen out.
///
/// ```text
/// ┌ costtop ─ window today ─ LIVE ───────────────────────────── 14:03:00 UTC ┐  title bar
/// │ ┏━┓ ┏━┓   today  $412.07   burn 15m  $38.20/h   proj today  $1,020.33    │  header
/// ├───────────────────────────────────────────┬──────────────────────────────┤
/// │ models: model req input writes reads out  │ spend over time (bars, hit)  │  MODELS_CHART
/// ├──────────────┬─────────────┬──────────────┴──────────────────────────────┤
/// │ cache        │ batch       │ output histogram                            │  GAUGE_ROW
/// ├──────────────┴─────────────┴──────┬────────────────────────────────────────┤
/// │ budgets, alarms, alarm log        │ top: project / tier / tag (o: savings) │  BUDGETS_TOP
/// ├───────────────────────────────────┴────────────────────────────────────────┤
/// │ sources · unpriced models · key hints                                       │  status
/// └─────────────────────────────────────────────────────────────────────────────┘
/// ```
///
/// From [`WIDE_SIZE`] up the savings pane has its own column beside the gauge and budget
/// rows, and the models row is as tall as its table (the rest goes to the rows below):
///
/// ```text
/// │ models (req … cost share bar hit $/req trend)    │ spend over time        │  MODELS_CHART
/// ├────────┬────────┬────────────────┬───────────────┴────────────────────────┤
/// │ cache  │ batch  │ output         │ savings: lever group $/day reason      │  WIDE_COLUMNS
/// ├────────┴────────┴─┬──────────────┤                                        │
/// │ budgets & alarms  │ top          │                                        │
/// ```
///
/// `FULL_ROWS` from [`FULL_SIZE`] up, `COMPACT_ROWS` below it, [`Screen::TooSmall`] below
/// [`MIN_SIZE`]; a zoomed pane takes the whole area. The status bar is as tall as its lines.
pub(crate) fn layout(area: Rect, zoom: Option<Pane>, fit: Fit) -> Screen {
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        return Screen::TooSmall;
    }
    if let Some(pane) = zoom {
        return Screen::Panes(vec![(pane, area)]);
    }
    if area.width >= WIDE_SIZE.0 && area.height >= WIDE_SIZE.1 {
        return wide(area, fit);
    }
    let full = area.width >= FULL_SIZE.0 && area.height >= FULL_SIZE.1;
    let rows = if full {
        Rows {
            status: fit.status_height(3, FULL_ROWS.status),
            ..FULL_ROWS
        }
    } else {
        COMPACT_ROWS
    };
    let [header, upper, middle, lower, status] =
        Layout::vertical(rows.heights(area.height)).areas(area);
    let top_pane = if fit.savings_in_top {
        Pane::Savings
    } else {
        Pane::Top
    };
    let mut panes = rows_of_panes(header, upper, middle, lower, top_pane);
    panes.push((Pane::Status, status));
    Screen::Panes(panes)
}

/// The header, the models and chart row, the gauge row and the budgets row as panes, the
/// last row's second pane being `top`.
fn rows_of_panes(
    header: Rect,
    upper: Rect,
    middle: Rect,
    lower: Rect,
    top: Pane,
) -> Vec<(Pane, Rect)> {
    let [models, chart] = Layout::horizontal(MODELS_CHART).areas(upper);
    let [cache, batch, output] = Layout::horizontal(GAUGE_ROW).areas(middle);
    let [budgets, top_area] = Layout::horizontal(BUDGETS_TOP).areas(lower);
    vec![
        (Pane::Header, header),
        (Pane::Models, models),
        (Pane::SpendChart, chart),
        (Pane::Cache, cache),
        (Pane::Batch, batch),
        (Pane::Output, output),
        (Pane::Budgets, budgets),
        (top, top_area),
    ]
}

/// The wide arrangement: every pane, savings in its own column.
fn wide(area: Rect, fit: Fit) -> Screen {
    let status_h = fit.status_height(3, 10);
    let rest = area.height.saturating_sub(FULL_ROWS.header + status_h);
    // The models row as tall as the table (and never so short the chart cannot read),
    // at most 40% of the rest.
    let models_h = (fit.model_rows + 2).clamp(WIDE_MODELS_MIN, (rest * 2 / 5).max(WIDE_MODELS_MIN));
    let [header, upper, below, status] = Layout::vertical([
        Constraint::Length(FULL_ROWS.header),
        Constraint::Length(models_h),
        Constraint::Fill(1),
        Constraint::Length(status_h),
    ])
    .areas(area);
    let [left, savings] = Layout::horizontal(WIDE_COLUMNS).areas(below);
    let gauges_h = (left.height / 2).max(FULL_ROWS.min[1]);
    let [middle, lower] =
        Layout::vertical([Constraint::Length(gauges_h), Constraint::Fill(1)]).areas(left);
    let mut panes = rows_of_panes(header, upper, middle, lower, Pane::Top);
    panes.push((Pane::Savings, savings));
    panes.push((Pane::Status, status));
    Screen::Panes(panes)
}

/// Whether a pane is on the screen.
pub(crate) fn shows(screen: &Screen, pane: Pane) -> bool {
    matches!(screen, Screen::Panes(panes) if panes.iter().any(|(p, _)| *p == pane))
}

/// The pane under a screen position, for mouse clicks.
pub(crate) fn pane_at(screen: &Screen, x: u16, y: u16) -> Option<Pane> {
    match screen {
        Screen::TooSmall => None,
        Screen::Panes(panes) => panes
            .iter()
            .find(|(_, r)| r.contains(ratatui::layout::Position { x, y }))
            .map(|(p, _)| *p),
    }
}

/// A rectangle of `width`×`height` centred in `area`, clipped to it.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit() -> Fit {
        Fit {
            savings_in_top: false,
            model_rows: 5,
            status_lines: 4,
        }
    }

    #[test]
    fn every_pane_is_visible_at_80x24_and_120x40() {
        for (w, h) in [(80, 24), (120, 40), (60, 16), (200, 50), (300, 90)] {
            let Screen::Panes(panes) = layout(Rect::new(0, 0, w, h), None, fit()) else {
                panic!("{w}x{h} too small");
            };
            let wide = w >= WIDE_SIZE.0;
            // The savings pane has its own place on wide screens only.
            assert_eq!(panes.len(), Pane::ALL.len() - usize::from(!wide), "{w}x{h}");
            for (pane, r) in panes {
                assert!(r.width >= 10 && r.height >= 3, "{pane:?} at {w}x{h}: {r:?}");
            }
        }
    }

    #[test]
    fn o_puts_savings_in_the_top_panes_place_where_it_has_none() {
        let f = Fit {
            savings_in_top: true,
            ..fit()
        };
        let compact = layout(Rect::new(0, 0, 80, 24), None, f);
        assert!(shows(&compact, Pane::Savings) && !shows(&compact, Pane::Top));
        let wide = layout(Rect::new(0, 0, 200, 50), None, f);
        assert!(shows(&wide, Pane::Savings) && shows(&wide, Pane::Top));
    }

    #[test]
    fn the_status_bar_and_models_row_take_what_they_need_on_wide_screens() {
        let Screen::Panes(panes) = layout(Rect::new(0, 0, 200, 50), None, fit()) else {
            panic!("too small");
        };
        let rect = |p: Pane| {
            panes
                .iter()
                .find(|(q, _)| *q == p)
                .map(|(_, r)| *r)
                .unwrap()
        };
        assert_eq!(rect(Pane::Status).height, 5);
        assert_eq!(rect(Pane::Models).height, WIDE_MODELS_MIN);
        // The savings column spans the gauge and budget rows.
        assert_eq!(rect(Pane::Savings).y, rect(Pane::Cache).y);
        assert_eq!(rect(Pane::Savings).bottom(), rect(Pane::Budgets).bottom());
    }

    #[test]
    fn below_the_minimum_is_too_small_and_zoom_takes_all() {
        assert_eq!(
            layout(Rect::new(0, 0, 59, 30), None, fit()),
            Screen::TooSmall
        );
        let area = Rect::new(0, 0, 80, 24);
        let zoomed = layout(area, Some(Pane::Cache), fit());
        assert_eq!(zoomed, Screen::Panes(vec![(Pane::Cache, area)]));
        assert_eq!(pane_at(&zoomed, 3, 3), Some(Pane::Cache));
        assert_eq!(Pane::Header.prev(), Pane::Status);
        assert_eq!(Pane::Status.next(), Pane::Header);
    }
}

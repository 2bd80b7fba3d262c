//! The savings pane: its snapshots, `l` narrowing it to one lever, `o` putting it in the top
//! pane's place.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::snapshot::{AuditSnapshot, Lever, Snapshot};
use crate::ui::draw::{View, render_screen};
use crate::ui::fixture;
use crate::ui::layout::Pane;
use crate::ui::panes::{self, PaneState};
use crate::ui::theme::Theme;

fn render(p: Pane, w: u16, h: u16, snap: &Snapshot, lever: Option<Lever>) -> String {
    let st = PaneState {
        now: fixture::now(),
        zone: panes::zone_of(snap),
        savings_lever: lever,
        ..PaneState::default()
    };
    let theme = Theme::load("dark").unwrap();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| panes::render(f, p, f.area(), snap, &st, &theme))
        .unwrap();
    format!("{}", t.backend())
}

#[test]
fn savings_pane_lists_opportunities_per_day() {
    insta::assert_snapshot!(render(Pane::Savings, 90, 12, &fixture::snapshot(), None));
}

#[test]
fn savings_pane_shows_one_lever_after_l() {
    let text = render(
        Pane::Savings,
        90,
        8,
        &fixture::snapshot(),
        Some(Lever::Caching),
    );
    assert!(text.contains("savings est. · caching (l)"), "{text}");
    assert!(
        text.contains("1-hour cache writes") && !text.contains("max_tokens"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn narrow_savings_pane_keeps_group_and_money() {
    let text = render(Pane::Savings, 30, 8, &fixture::snapshot(), None);
    // 28.90 × 86,400 / 50,580 s of window = $49.37 a day.
    assert!(
        text.contains("support-bot") && text.contains("$49.37"),
        "{text}"
    );
}

#[test]
fn an_empty_audit_says_nothing_to_save() {
    let mut snap = fixture::snapshot();
    snap.audit = AuditSnapshot::default();
    let text = render(Pane::Savings, 60, 6, &snap, None);
    assert!(text.contains("Nothing to save in this window."), "{text}");
}

#[test]
fn o_shows_savings_in_the_top_panes_place_at_80x24() {
    let view = View {
        savings_in_top: true,
        ..View::default()
    };
    let theme = Theme::load("dark").unwrap();
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| {
        render_screen(f, &fixture::snapshot(), &view, &theme, fixture::now());
    })
    .unwrap();
    let text = format!("{}", t.backend());
    assert!(
        text.contains("savings est. · all (l)") && !text.contains("top by project"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_narrow_pane_marks_the_whole_group_alternative() {
    let text = render(
        Pane::Savings,
        30,
        8,
        &fixture::snapshot(),
        Some(Lever::Routing),
    );
    let alt = text.lines().filter(|l| l.contains(" alt")).count();
    assert!(alt >= 1, "{text}");
}

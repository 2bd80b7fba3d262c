//! The organisation on the screen: spend limits and rate-limit headroom in the budgets pane,
//! the Admin API's note and the discount on the status bar, the top pane on actors, and no
//! panic at any size.

use chrono::Duration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::money::Money;
use crate::snapshot::{
    GroupBreakdown, GroupRow, RateLimitStatus, ReconciliationDay, Snapshot, SourceStatus,
    SpendLimitStatus,
};
use crate::ui::draw::{View, render_screen};
use crate::ui::fixture;
use crate::ui::layout::Pane;
use crate::ui::panes::{self, PaneState};
use crate::ui::theme::Theme;

fn cents(s: &str) -> Money {
    Money::from_cents_str(s).unwrap()
}

/// The fixture with what `--admin-api` adds.
fn org_snapshot() -> Snapshot {
    let mut snap = fixture::snapshot();
    let now = fixture::now();
    let limit = |name: &str, scope: &str, limit: &str, spent: &str, state: &str| SpendLimitStatus {
        name: name.into(),
        scope: scope.into(),
        period: "month".into(),
        limit: Some(cents(limit)),
        spent: cents(spent),
        spent_source: "anthropic".into(),
        state: state.into(),
        warn_at: 0.8,
        period_start: now - Duration::days(6),
        period_end: now + Duration::days(24),
    };
    snap.org.spend_limits = vec![
        limit("user alice@example.com", "user", "10000", "8500", "warn"),
        limit("organization", "organization", "5000000", "1234500", "ok"),
    ];
    let rate = |limit_type: &str, limit: u64, used: Option<u64>| RateLimitStatus {
        group: "Claude Opus 4.x".into(),
        limit_type: limit_type.into(),
        limit,
        used,
        minute: Some(now - Duration::minutes(4)),
    };
    snap.org.rate_limits = vec![
        rate("input_tokens_per_minute", 4_000_000, Some(2_480_000)),
        rate("output_tokens_per_minute", 400_000, Some(390_000)),
        rate("requests_per_minute", 4000, None),
    ];
    snap.sources.retain(|s| s.name != "admin-api");
    snap.sources.push(SourceStatus {
        name: "admin-api".into(),
        state: "ok".into(),
        lines: 1_204,
        note: Some("Usage & Cost Analytics API (beta)".into()),
        ..SourceStatus::default()
    });
    snap.reconciliation = vec![ReconciliationDay {
        day: (now - Duration::days(1)).date_naive(),
        estimated: cents("43000"),
        billed: cents("42500"),
        difference_pct: Some(1.18),
        list: Some(cents("50000")),
        discount_pct: Some(15.0),
        items: Vec::new(),
        partial: false,
    }];
    let row = |key: &str, c: &str| GroupRow {
        key: key.into(),
        share_of_cost: 0.5,
        totals: crate::snapshot::Totals {
            cost: cents(c),
            ..crate::snapshot::Totals::default()
        },
    };
    snap.groups.insert(
        1,
        GroupBreakdown {
            by: "actor".into(),
            rows: vec![row("alice@example.com", "4200"), row("svac_ci", "900")],
        },
    );
    snap
}

fn pane(p: Pane, w: u16, h: u16, snap: &Snapshot) -> Terminal<TestBackend> {
    let st = PaneState {
        now: fixture::now(),
        zone: panes::zone_of(snap),
        ..PaneState::default()
    };
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::load("dark").unwrap();
    t.draw(|f| panes::render(f, p, f.area(), snap, &st, &theme))
        .unwrap();
    t
}

#[test]
fn budgets_pane_shows_spend_limits_and_rate_headroom() {
    let t = pane(Pane::Budgets, 72, 12, &org_snapshot());
    let text = format!("{}", t.backend());
    assert!(text.contains("$85.00 / $100.00"), "{text}");
    assert!(
        text.contains("2.5M / 4.0M/min") && text.contains("62%"),
        "{text}"
    );
    // Names are cut before the budgets' projections are dropped.
    assert!(
        text.contains("◇ alice@examp…") && text.contains("→ $880.34"),
        "{text}"
    );
    let wide = format!("{}", pane(Pane::Budgets, 110, 8, &org_snapshot()).backend());
    assert!(
        wide.contains("◇ alice@example.com ") && wide.contains("→ $880.34"),
        "{wide}"
    );
    assert!(
        text.contains("Opus 4.x in") && text.contains("Opus 4.x out"),
        "{text}"
    );
    assert!(
        !text.contains("req"),
        "no bar without a measured minute: {text}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn budgets_pane_with_org_rows_fits_a_narrow_column() {
    insta::assert_snapshot!(pane(Pane::Budgets, 40, 8, &org_snapshot()).backend());
}

#[test]
fn status_bar_says_which_api_and_the_discount() {
    let t = pane(Pane::Status, 120, 6, &org_snapshot());
    let text = format!("{}", t.backend());
    assert!(text.contains("Usage & Cost Analytics API (beta)"), "{text}");
    assert!(text.contains("(15.0% off list)"), "{text}");
}

#[test]
fn top_pane_opens_on_projects_and_g_reaches_actors() {
    let snap = org_snapshot();
    assert_eq!(snap.groups[1].by, "actor");
    let st = PaneState {
        now: fixture::now(),
        zone: panes::zone_of(&snap),
        group_index: 1,
        ..PaneState::default()
    };
    let mut t = Terminal::new(TestBackend::new(56, 9)).unwrap();
    let theme = Theme::load("dark").unwrap();
    t.draw(|f| panes::render(f, Pane::Top, f.area(), &snap, &st, &theme))
        .unwrap();
    let text = format!("{}", t.backend());
    assert!(
        text.contains("alice@example.com") && text.contains("actor"),
        "{text}"
    );
}

#[test]
fn org_screens_at_80x24_and_200x50_and_no_panic_when_tiny() {
    let snap = org_snapshot();
    let theme = Theme::load("dark").unwrap();
    for (w, h) in [(80, 24), (200, 50)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| {
            render_screen(f, &snap, &View::default(), &theme, fixture::now());
        })
        .unwrap();
        insta::assert_snapshot!(format!("org_screen_{w}x{h}"), t.backend());
    }
    for w in 0..=12 {
        for h in 0..=4 {
            pane(Pane::Budgets, w, h, &snap);
            pane(Pane::Status, w, h, &snap);
        }
    }
}

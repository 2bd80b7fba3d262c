//! Snapshots of every pane and of the whole screen, and the no-panic sweep over tiny sizes.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use crate::snapshot::Snapshot;
use crate::ui::draw::{View, render_screen};
use crate::ui::fixture;
use crate::ui::layout::{Overlay, Pane};
use crate::ui::panes::{self, OutputView, PaneState};
use crate::ui::theme::Theme;

fn theme() -> Theme {
    Theme::load("dark").unwrap()
}

fn state(snap: &Snapshot) -> PaneState {
    PaneState {
        now: fixture::now(),
        zone: panes::zone_of(snap),
        ..PaneState::default()
    }
}

fn pane(p: Pane, w: u16, h: u16, snap: &Snapshot, st: &PaneState) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| panes::render(f, p, f.area(), snap, st, &theme()))
        .unwrap();
    t
}

fn screen(w: u16, h: u16, snap: &Snapshot, view: &View) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        render_screen(f, snap, view, &theme(), fixture::now());
    })
    .unwrap();
    t
}

macro_rules! pane_snapshot {
    ($name:ident, $pane:expr, $w:expr, $h:expr) => {
        #[test]
        fn $name() {
            let snap = fixture::snapshot();
            let t = pane($pane, $w, $h, &snap, &state(&snap));
            insta::assert_snapshot!(t.backend());
        }
    };
}

pane_snapshot!(header_pane_shows_big_digits, Pane::Header, 120, 4);
pane_snapshot!(
    header_pane_falls_back_to_plain_text_when_narrow,
    Pane::Header,
    64,
    4
);
pane_snapshot!(
    models_pane_lists_models_and_flags_unpriced,
    Pane::Models,
    100,
    8
);
pane_snapshot!(
    spend_chart_pane_draws_bars_and_hit_ratio,
    Pane::SpendChart,
    50,
    13
);
pane_snapshot!(cache_pane_shows_ratio_and_savings, Pane::Cache, 38, 9);
pane_snapshot!(batch_pane_shows_shares, Pane::Batch, 36, 9);
pane_snapshot!(output_pane_draws_histogram, Pane::Output, 50, 9);
pane_snapshot!(
    budgets_pane_shows_bars_alarms_and_log,
    Pane::Budgets,
    72,
    12
);
pane_snapshot!(top_pane_shows_first_grouping, Pane::Top, 56, 9);
pane_snapshot!(status_pane_shows_sources_and_hints, Pane::Status, 120, 5);

#[test]
fn output_pane_per_model_table() {
    let snap = fixture::snapshot();
    let st = PaneState {
        output_view: OutputView::PerModel,
        ..state(&snap)
    };
    insta::assert_snapshot!(pane(Pane::Output, 50, 7, &snap, &st).backend());
}

#[test]
fn top_pane_cycles_to_tag_grouping() {
    let snap = fixture::snapshot();
    let st = PaneState {
        group_index: 2,
        ..state(&snap)
    };
    insta::assert_snapshot!(pane(Pane::Top, 56, 8, &snap, &st).backend());
}

#[test]
fn top_pane_keeps_the_end_of_long_project_paths() {
    let mut snap = fixture::snapshot();
    snap.groups[0].rows[0].key = "/Users/alice/Projects/very/deep/checkout/billing-api".into();
    let t = pane(Pane::Top, 56, 8, &snap, &state(&snap));
    let text: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect();
    assert!(text.contains("…ry/deep/checkout/billing-api "), "{text}");
}

#[test]
fn a_narrow_top_pane_shortens_long_keys_not_the_money() {
    let mut snap = fixture::snapshot();
    snap.groups[0].rows[0].key = "/Users/alice/Projects/very/deep/checkout/billing-api".into();
    let t = pane(Pane::Top, 32, 6, &snap, &state(&snap));
    let text = format!("{}", t.backend());
    assert!(text.contains("$201.55"), "{text}");
}

#[test]
fn cache_pane_warns_when_caching_loses_money() {
    let mut snap = fixture::snapshot();
    snap.cache.net_savings = crate::pricing::Money::from_usd(-12.5);
    let t = pane(Pane::Cache, 38, 9, &snap, &state(&snap));
    let text = format!("{}", t.backend());
    assert!(
        text.contains("-$12.50") && text.contains("caching is losing money"),
        "{text}"
    );
}

#[test]
fn replay_header_shows_speed_and_progress() {
    let snap = fixture::replay_snapshot();
    insta::assert_snapshot!(pane(Pane::Header, 120, 4, &snap, &state(&snap)).backend());
}

#[test]
fn full_screen_120x40() {
    insta::assert_snapshot!(screen(120, 40, &fixture::snapshot(), &View::default()).backend());
}

#[test]
fn compact_screen_80x24() {
    insta::assert_snapshot!(screen(80, 24, &fixture::snapshot(), &View::default()).backend());
}

#[test]
fn small_screen_60x20() {
    insta::assert_snapshot!(screen(60, 20, &fixture::snapshot(), &View::default()).backend());
}

#[test]
fn too_small_screen_asks_to_enlarge() {
    let t = screen(50, 12, &fixture::snapshot(), &View::default());
    let text = format!("{}", t.backend());
    assert!(text.contains("enlarge to 60×16 (now 50×12)"), "{text}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn help_overlay_lists_the_key_table() {
    let view = View {
        overlay: Overlay::Help,
        ..View::default()
    };
    insta::assert_snapshot!(screen(120, 40, &fixture::snapshot(), &view).backend());
}

#[test]
fn zoom_shows_only_the_focused_pane() {
    let view = View {
        focus: Pane::Budgets,
        zoom: Some(Pane::Budgets),
        ..View::default()
    };
    insta::assert_snapshot!(screen(80, 24, &fixture::snapshot(), &view).backend());
}

#[test]
fn high_contrast_theme_styles_the_cache_pane() {
    let snap = fixture::snapshot();
    let mut t = Terminal::new(TestBackend::new(30, 5)).unwrap();
    let hc = Theme::load("high-contrast").unwrap();
    t.draw(|f| panes::render(f, Pane::Cache, f.area(), &snap, &state(&snap), &hc))
        .unwrap();
    insta::assert_debug_snapshot!(t.backend().buffer());
}

#[test]
fn every_pane_survives_every_tiny_size() {
    let snaps = [
        fixture::snapshot(),
        fixture::replay_snapshot(),
        Snapshot::default(),
    ];
    for snap in &snaps {
        for p in Pane::ALL {
            for view in [OutputView::Histogram, OutputView::PerModel] {
                let st = PaneState {
                    output_view: view,
                    flash: true,
                    frozen: true,
                    focused: true,
                    ..state(snap)
                };
                for w in 0..=10 {
                    for h in 0..=3 {
                        pane(p, w, h, snap, &st);
                    }
                }
                for (w, h) in [(1, 40), (200, 1), (15, 15), (33, 6)] {
                    pane(p, w, h, snap, &st);
                }
            }
        }
    }
}

#[test]
fn whole_screen_survives_odd_sizes() {
    let view = View {
        overlay: Overlay::Help,
        ..View::default()
    };
    for snap in [
        fixture::snapshot(),
        fixture::replay_snapshot(),
        Snapshot::default(),
    ] {
        for (w, h) in [
            (0, 0),
            (1, 1),
            (59, 16),
            (60, 16),
            (61, 17),
            (119, 39),
            (250, 80),
        ] {
            screen(w, h, &snap, &view);
            screen(w, h, &snap, &View::default());
        }
    }
    let _ = Rect::default();
}

#[test]
fn help_overlay_in_replay_splits_into_two_columns_at_80x24() {
    let view = View {
        overlay: Overlay::Help,
        ..View::default()
    };
    let t = screen(80, 24, &fixture::replay_snapshot(), &view);
    let text = format!("{}", t.backend());
    assert!(
        text.contains("jump to previous alarm") && text.contains("acknowledge alarms"),
        "{text}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn monochrome_screen_has_no_colour_at_all() {
    let mono = Theme::monochrome();
    let view = View {
        overlay: Overlay::Help,
        ..View::default()
    };
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| {
        render_screen(f, &fixture::replay_snapshot(), &view, &mono, fixture::now());
    })
    .unwrap();
    for cell in t.backend().buffer().content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "{cell:?}");
    }
}

#[test]
fn empty_snapshot_before_any_data_80x24() {
    let mut snap = Snapshot {
        time_zone: "UTC".into(),
        ..Snapshot::default()
    };
    snap.window.name = "today".into();
    insta::assert_snapshot!(screen(80, 24, &snap, &View::default()).backend());
}

#[test]
fn the_status_pane_shows_a_receivers_senders_and_refused_payloads() {
    let mut snap = fixture::snapshot();
    snap.sources.push(crate::snapshot::SourceStatus {
        name: "otlp".into(),
        state: "ok".into(),
        lines: 1_204,
        parse_errors: 3,
        receiver: Some(crate::usage::ReceiverCounts {
            senders: 7,
            rejected_payloads: 2,
            cache_ttl_assumed: 40,
            llm_spans_unreadable: 12,
        }),
        ..Default::default()
    });
    let t = pane(Pane::Status, 120, 6, &snap, &state(&snap));
    let buffer = t.backend().buffer();
    let rows: Vec<String> = (0..6)
        .map(|y| (0..120).map(|x| buffer[(x, y)].symbol()).collect())
        .collect();
    let line = rows
        .iter()
        .find(|l| l.contains("otlp"))
        .expect("the receiver's line");
    assert!(
        line.contains("7 senders") && line.contains("2 refused"),
        "{rows:#?}"
    );
}

#[test]
fn the_status_pane_shows_the_proxys_route_requests_clients_and_errors() {
    let mut snap = fixture::snapshot();
    let mut counts = crate::usage::ProxyCounts {
        listen: "127.0.0.1:9872".into(),
        upstream: "api.anthropic.com".into(),
        requests: 1_204,
        clients: 3,
        ..Default::default()
    };
    counts.answered(200, false);
    snap.sources.push(crate::snapshot::SourceStatus {
        name: "proxy".into(),
        state: "ok".into(),
        lines: 1_200,
        parse_errors: 2,
        proxy: Some(Box::new(counts)),
        ..Default::default()
    });
    let t = pane(Pane::Status, 120, 6, &snap, &state(&snap));
    let buffer = t.backend().buffer();
    let rows: Vec<String> = (0..6)
        .map(|y| (0..120).map(|x| buffer[(x, y)].symbol()).collect())
        .collect();
    let line = rows
        .iter()
        .find(|l| l.contains("proxy"))
        .expect("the proxy's line");
    assert!(
        line.contains("127.0.0.1:9872 → api.anthropic.com · 1,204 requests · 3 clients · 0 errors · 2 unaccounted"),
        "{rows:#?}"
    );
}

#[test]
fn wide_screen_200x50() {
    insta::assert_snapshot!(screen(200, 50, &fixture::snapshot(), &View::default()).backend());
}

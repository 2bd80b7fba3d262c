//! One full dashboard frame at 200×60 into a `TestBackend`.

use std::hint::black_box;

use costtop::ui::draw::{View, render_screen};
use costtop::ui::{Theme, fixture};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn frame(c: &mut Criterion) {
    let snap = fixture::snapshot();
    let theme = Theme::load("dark").expect("built-in theme");
    let view = View::default();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    c.bench_function("full frame 200x60", |b| {
        b.iter(|| {
            // Alternate the focus so every frame differs and is fully diffed and flushed.
            terminal
                .draw(|f| {
                    black_box(render_screen(f, &snap, &view, &theme, fixture::now()));
                })
                .expect("draw");
        });
    });
}

criterion_group!(benches, frame);
criterion_main!(benches);

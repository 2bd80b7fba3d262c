//! Charts drawn as inline SVG when the report is written: columns over time, horizontal bars,
//! and a waterfall from one period's spend to the other's. Each is an image with a title and a
//! description for screen readers and a tooltip per bar; colours are classes of the page's
//! stylesheet, so light, dark and print follow it. Every text goes through maud, which
//! escapes it.

use maud::{Markup, html};

/// One bar: its label, its length, and its value as text.
pub(super) struct Bar {
    /// What the bar stands for.
    pub(super) label: String,
    /// Its length, in the chart's unit (dollars, tokens, a share).
    pub(super) value: f64,
    /// The value as the tables write it.
    pub(super) text: String,
}

impl Bar {
    /// A bar.
    pub(super) fn new(label: impl Into<String>, value: f64, text: impl Into<String>) -> Bar {
        Bar {
            label: label.into(),
            value,
            text: text.into(),
        }
    }
}

/// What every chart has: an id (for its title and description), a title and a text
/// alternative that says what it shows.
pub(super) struct Chart<'a> {
    /// Unique in the page.
    pub(super) id: &'a str,
    /// Its title.
    pub(super) title: &'a str,
    /// What it shows, in words.
    pub(super) desc: String,
}

/// Width of every chart in SVG units (it scales to the page).
const WIDTH: f64 = 640.0;

/// `x` with one decimal, for coordinates.
fn n(x: f64) -> String {
    format!("{x:.1}")
}

/// The frame every chart shares: the image's role, title and description.
fn frame(c: &Chart<'_>, height: f64, body: &Markup) -> Markup {
    let title = format!("{}-title", c.id);
    let desc = format!("{}-desc", c.id);
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" viewBox=(format!("0 0 {WIDTH} {}", n(height)))
            aria-labelledby=(format!("{title} {desc}")) {
            title id=(title) { (c.title) }
            desc id=(desc) { (c.desc) }
            (body)
        }
    }
}

/// Column chart: one column per bar, left to right (spend per day or hour); `axis` writes
/// the values of the gridlines.
pub(super) fn columns(c: &Chart<'_>, bars: &[Bar], axis: impl Fn(f64) -> String) -> Markup {
    const HEIGHT: f64 = 220.0;
    const LEFT: f64 = 64.0;
    const TOP: f64 = 10.0;
    const BOTTOM: f64 = 28.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - 8.0;
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let step = plot_w / bars.len().max(1) as f64;
    let every = bars.len().div_ceil(6).max(1);
    let body = html! {
        @for k in 0..=2 {
            @let v = max * f64::from(k) / 2.0;
            @let y = TOP + plot_h - plot_h * f64::from(k) / 2.0;
            line.grid x1=(n(LEFT)) x2=(n(WIDTH - 8.0)) y1=(n(y)) y2=(n(y)) {}
            text.axis x=(n(LEFT - 6.0)) y=(n(y + 4.0)) text-anchor="end" { (axis(v)) }
        }
        @for (i, b) in bars.iter().enumerate() {
            @let h = (b.value.max(0.0) / max * plot_h).max(if b.value > 0.0 { 0.5 } else { 0.0 });
            @let x = LEFT + step * i as f64;
            rect.bar x=(n(x + step * 0.1)) y=(n(TOP + plot_h - h)) width=(n((step * 0.8).max(0.5))) height=(n(h)) {
                title { (b.label) ": " (b.text) }
            }
            @if i % every == 0 {
                // Near the right edge a label ends at the edge instead of running past it.
                @let (at, anchor) = if x + step / 2.0 > WIDTH - 40.0 { (WIDTH - 2.0, "end") } else { (x + step / 2.0, "middle") };
                text.axis x=(n(at)) y=(n(HEIGHT - 10.0)) text-anchor=(anchor) { (b.label) }
            }
        }
    };
    frame(c, HEIGHT, &body)
}

/// Horizontal bars, one row each, longest first as given (spend by model, by feature).
pub(super) fn bars(c: &Chart<'_>, rows: &[Bar]) -> Markup {
    const ROW: f64 = 22.0;
    const LABEL: f64 = 190.0;
    const VALUE: f64 = 96.0;
    let height = ROW * rows.len().max(1) as f64 + 8.0;
    let max = rows.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let room = WIDTH - LABEL - VALUE;
    let body = html! {
        @for (i, b) in rows.iter().enumerate() {
            @let y = 4.0 + ROW * i as f64;
            @let w = (b.value.max(0.0) / max * room).max(if b.value > 0.0 { 0.5 } else { 0.0 });
            text x=(n(LABEL - 8.0)) y=(n(y + 15.0)) text-anchor="end" { (short(&b.label, 30)) }
            rect.bar x=(n(LABEL)) y=(n(y + 3.0)) width=(n(w)) height=(n(ROW - 6.0)) {
                title { (b.label) ": " (b.text) }
            }
            text x=(n(LABEL + w + 6.0)) y=(n(y + 15.0)) { (b.text) }
        }
    };
    frame(c, height, &body)
}

/// A waterfall: the first and last bars are totals from zero, the ones between are changes
/// stacked on the running total (increases in the `up` colour, decreases in `down`).
pub(super) fn waterfall(c: &Chart<'_>, first: &Bar, steps: &[Bar], last: &Bar) -> Markup {
    const HEIGHT: f64 = 240.0;
    const LEFT: f64 = 64.0;
    const TOP: f64 = 18.0;
    const BOTTOM: f64 = 30.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let mut levels = vec![(0.0, first.value)];
    let mut running = first.value;
    for s in steps {
        levels.push((running, running + s.value));
        running += s.value;
    }
    levels.push((0.0, last.value));
    let lo = levels
        .iter()
        .map(|(a, b)| a.min(*b))
        .fold(0.0_f64, f64::min);
    let hi = levels
        .iter()
        .map(|(a, b)| a.max(*b))
        .fold(0.0_f64, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let y = |v: f64| TOP + plot_h * (hi - v) / span;
    let all: Vec<&Bar> = std::iter::once(first).chain(steps).chain([last]).collect();
    let step = (WIDTH - LEFT - 8.0) / all.len() as f64;
    let body = html! {
        line.grid x1=(n(LEFT)) x2=(n(WIDTH - 8.0)) y1=(n(y(0.0))) y2=(n(y(0.0))) {}
        @for (i, (b, (from, to))) in all.iter().zip(&levels).enumerate() {
            @let x = LEFT + step * i as f64;
            @let class = if i == 0 || i + 1 == all.len() { "bar" } else if to >= from { "bar up" } else { "bar down" };
            @let top = y(from.max(*to));
            @let h = (y(from.min(*to)) - top).max(0.5);
            rect class=(class) x=(n(x + step * 0.15)) y=(n(top)) width=(n(step * 0.7)) height=(n(h)) {
                title { (b.label) ": " (b.text) }
            }
            text x=(n(x + step / 2.0)) y=(n(top - 4.0)) text-anchor="middle" { (b.text) }
            text.axis x=(n(x + step / 2.0)) y=(n(HEIGHT - 10.0)) text-anchor="middle" { (b.label) }
        }
    };
    frame(c, HEIGHT, &body)
}

/// `s` cut to `max` characters with an ellipsis.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart<'static> {
        Chart {
            id: "c",
            title: "Spend <by> model",
            desc: "a & b".into(),
        }
    }

    #[test]
    fn every_text_is_escaped_and_every_element_closed() {
        let rows = [Bar::new("<script>alert(1)</script>", 2.0, "$2.00")];
        let svg = bars(&chart(), &rows).into_string();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
        assert!(svg.contains("Spend &lt;by&gt; model"), "{svg}");
        assert!(svg.contains("a &amp; b"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), svg.matches("</rect>").count());
    }

    #[test]
    fn a_waterfall_stacks_changes_on_the_running_total() {
        let first = Bar::new("A", 10.0, "$10");
        let steps = [Bar::new("up", 5.0, "+$5"), Bar::new("down", -3.0, "-$3")];
        let last = Bar::new("B", 12.0, "$12");
        let svg = waterfall(&chart(), &first, &steps, &last).into_string();
        assert_eq!(svg.matches("class=\"bar up\"").count(), 1);
        assert_eq!(svg.matches("class=\"bar down\"").count(), 1);
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
    }

    #[test]
    fn empty_and_zero_charts_draw_without_dividing_by_zero() {
        let svg = columns(&chart(), &[], |v| format!("{v}")).into_string();
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        let svg = bars(&chart(), &[Bar::new("x", 0.0, "$0")]).into_string();
        assert!(!svg.contains("NaN"), "{svg}");
    }
}

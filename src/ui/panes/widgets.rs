//! Small drawing and formatting helpers shared by the panes: blocks, bars, numbers, times.

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};

use super::pane_state::PaneState;
use crate::time::Zone;
use crate::ui::theme::Theme;

/// The rounded, titled block every pane sits in; focus highlights its border.
pub(crate) fn pane_block<'a>(title: &'a str, st: &PaneState, theme: &Theme) -> Block<'a> {
    let title_style = if st.focused {
        theme.border_focused
    } else {
        theme.title
    };
    // Focus shows in the line itself too (thick), so it reads without colour (`NO_COLOR`).
    let border = if st.focused {
        BorderType::Thick
    } else {
        BorderType::Rounded
    };
    Block::bordered()
        .border_type(border)
        .border_style(theme.border_for(st.focused))
        .title(Line::from(Span::styled(format!(" {title} "), title_style)))
}

pub(crate) use crate::format::{compact, thousands as grouped};

/// The share-of-spend bar of a table row, alternating fills so adjacent rows stay apart.
pub(crate) fn share_bar_cell<'a>(
    share: f64,
    row: usize,
    width: u16,
    theme: &Theme,
) -> ratatui::widgets::Cell<'a> {
    let fill = if row.is_multiple_of(2) {
        theme.bar
    } else {
        theme.bar_alt
    };
    ratatui::widgets::Cell::from(Line::from(bar(
        share,
        usize::from(width),
        fill,
        theme.gauge_empty,
        None,
    )))
}

/// A 0–1 fraction as a percentage: `81%`, `4.2%`, `0%`.
pub(crate) fn percent(f: f64) -> String {
    let p = if f.is_finite() { f * 100.0 } else { 0.0 };
    if p == 0.0 || p >= 9.95 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Dollars per hour with cents: `$38.20/h`.
pub(crate) fn per_hour(usd: f64) -> String {
    format!(
        "{}/h",
        crate::pricing::Money::from_usd(if usd.is_finite() { usd } else { 0.0 })
    )
}

/// Dollars in at most about six characters, for axis labels: `$0.90`, `$42.50`, `$462`, `$8.9k`.
pub(crate) fn short_usd(usd: f64) -> String {
    let usd = if usd.is_finite() { usd } else { 0.0 };
    let a = usd.abs();
    let sign = if usd < 0.0 { "-" } else { "" };
    if a < 100.0 {
        format!("{sign}${a:.2}")
    } else if a < 10_000.0 {
        format!("{sign}${a:.0}")
    } else if a < 10_000_000.0 {
        format!("{sign}${:.1}k", a / 1e3)
    } else {
        format!("{sign}${:.1}M", a / 1e6)
    }
}

/// Token bounds that are powers of two read better in binary thousands: `1k`, `16k`, `32k`.
pub(crate) fn token_bound(n: u64) -> String {
    if n >= 1024 && n.is_multiple_of(1024) {
        format!("{}k", n / 1024)
    } else {
        compact(n)
    }
}

/// `HH:MM` in the zone.
pub(crate) fn hhmm(t: DateTime<Utc>, zone: Zone) -> String {
    zone.local(t).format("%H:%M").to_string()
}

/// A short duration: `42s`, `7m`, `3h`, `2d`.
pub(crate) fn short_duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// `s` cut to `width` characters, with `…` when cut.
pub(crate) fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// `s` cut to its last `width` characters, with `…` in front when cut: the end of a path
/// (`…/infra_6/sub.dir`) says more than its start.
pub(crate) fn fit_left(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if len <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::from('…');
    out.extend(s.chars().skip(len - (width - 1)));
    out
}

/// `s` right-aligned in `width` characters (cut on the left edge if too long).
pub(crate) fn right(s: &str, width: usize) -> String {
    let s = fit(s, width);
    format!("{s:>width$}")
}

/// `s` left-aligned in `width` characters.
pub(crate) fn left(s: &str, width: usize) -> String {
    let s = fit(s, width);
    format!("{s:<width$}")
}

const EIGHTHS_H: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const EIGHTHS_V: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A horizontal bar `width` cells wide filled to `ratio` (eighth-cell precision), with an
/// optional mark (`│`) at `mark` in the empty part.
pub(crate) fn bar<'a>(
    ratio: f64,
    width: usize,
    filled: Style,
    empty: Style,
    mark: Option<f64>,
) -> Vec<Span<'a>> {
    let ratio = if ratio.is_finite() {
        ratio.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let eighths = (ratio * width as f64 * 8.0).round() as usize;
    let (full, part) = (eighths / 8, eighths % 8);
    let mut spans = vec![Span::styled("█".repeat(full), filled)];
    let mut used = full;
    if part > 0 && used < width {
        spans.push(Span::styled(EIGHTHS_H[part], filled));
        used += 1;
    }
    let rest = width.saturating_sub(used);
    let mark_at = mark
        .filter(|m| m.is_finite() && *m > 0.0 && *m < 1.0)
        .map(|m| (m * width as f64).round() as usize)
        .filter(|m| *m >= used && *m < width);
    match mark_at {
        Some(m) => {
            spans.push(Span::styled("░".repeat(m - used), empty));
            spans.push(Span::styled("│", filled));
            spans.push(Span::styled("░".repeat(width - m - 1), empty));
        }
        None => spans.push(Span::styled("░".repeat(rest), empty)),
    }
    spans
}

/// A labelled gauge line: `label ███████░░░ value`, sized to `width`.
pub(crate) fn gauge_line<'a>(
    label: &str,
    label_w: usize,
    ratio: f64,
    value: &str,
    width: usize,
    theme: &Theme,
) -> Line<'a> {
    let value_w = value.chars().count().max(4);
    let bar_w = width.saturating_sub(label_w + value_w + 2);
    let mut spans = vec![
        Span::styled(left(label, label_w), theme.text_dim),
        Span::raw(" "),
    ];
    if bar_w >= 3 {
        spans.extend(bar(
            ratio,
            bar_w,
            theme.gauge_filled,
            theme.gauge_empty,
            None,
        ));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(right(value, value_w), theme.text));
    Line::from(spans)
}

/// Vertical bars, one per value, scaled to `max`, bottom-aligned in `area` (eighth-cell precision).
/// `styles` picks each column's style by index.
pub(crate) fn columns(
    buf: &mut Buffer,
    area: Rect,
    values: &[f64],
    max: f64,
    style: &dyn Fn(usize) -> Style,
) {
    if area.is_empty() || max <= 0.0 || !max.is_finite() {
        return;
    }
    let h = f64::from(area.height);
    for (i, v) in values.iter().enumerate().take(usize::from(area.width)) {
        let eighths = ((v / max).clamp(0.0, 1.0) * h * 8.0).round() as u32;
        let eighths = if *v > 0.0 { eighths.max(1) } else { 0 };
        let x = area.x + i as u16;
        for row in 0..area.height {
            let from_bottom = u32::from(row) * 8;
            let fill = eighths.saturating_sub(from_bottom).min(8) as usize;
            if fill == 0 {
                break;
            }
            let y = area.y + area.height - 1 - row;
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_char(EIGHTHS_V[fill]).set_style(style(i));
            }
        }
    }
}

/// A one-line sparkline of `values` in `width` cells (resampled), scaled to their maximum;
/// zero shows as a space.
pub(crate) fn sparkline(values: &[f64], width: usize) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let v = resample(values, width);
    let max = v.iter().copied().fold(0.0_f64, f64::max);
    v.iter()
        .map(|&x| {
            if x <= 0.0 || max <= 0.0 || !x.is_finite() {
                ' '
            } else {
                LEVELS[((x / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

/// Resamples `values` into `n` buckets by summing neighbours (`n` ≥ 1), or returns them as is.
pub(crate) fn resample(values: &[f64], n: usize) -> Vec<f64> {
    if n == 0 || values.len() <= n {
        return values.to_vec();
    }
    let mut out = vec![0.0; n];
    for (i, v) in values.iter().enumerate() {
        out[i * n / values.len()] += v;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_compactly() {
        assert_eq!(percent(0.812), "81%");
        assert_eq!(percent(0.042), "4.2%");
        assert_eq!(short_duration(4000), "1h");
        assert_eq!(fit("claude-sonnet-4-5", 8), "claude-…");
        assert_eq!(fit_left("/home/me/work/app", 8), "…ork/app");
        assert_eq!(fit_left("/home/me", 8), "/home/me");
        assert_eq!(fit_left("/home/me", 0), "");
        assert_eq!(short_usd(0.9), "$0.90");
        assert_eq!(short_usd(8_903.2), "$8903");
        assert_eq!(short_usd(27_410.5), "$27.4k");
        assert_eq!(token_bound(16_384), "16k");
        assert_eq!(token_bound(512), "512");
    }

    #[test]
    fn bar_fills_exactly_its_width() {
        let s = Style::new();
        for ratio in [0.0, 0.33, 0.5, 0.99, 1.0, 7.0, f64::NAN] {
            for mark in [None, Some(0.8)] {
                let w: usize = bar(ratio, 10, s, s, mark)
                    .iter()
                    .map(|sp| sp.content.chars().count())
                    .sum();
                assert_eq!(w, 10, "{ratio} {mark:?}");
            }
        }
    }

    #[test]
    fn sparklines_scale_to_their_maximum() {
        assert_eq!(sparkline(&[0.0, 1.0, 2.0, 4.0], 4), " ▃▅█");
        assert_eq!(sparkline(&[], 4), "");
    }

    #[test]
    fn resample_keeps_the_total() {
        let v: Vec<f64> = (0..100).map(f64::from).collect();
        let r = resample(&v, 7);
        assert_eq!(r.len(), 7);
        assert!((r.iter().sum::<f64>() - v.iter().sum::<f64>()).abs() < 1e-9);
    }
}

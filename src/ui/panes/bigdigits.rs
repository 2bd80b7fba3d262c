//! A 3-row font for the header's spend, readable across a room: `0-9 $ . , - ≥`.

/// Glyph rows for one character; every row of a glyph has the same width.
fn glyph(c: char) -> Option<[&'static str; 3]> {
    Some(match c {
        '0' => ["┏━┓", "┃ ┃", "┗━┛"],
        '1' => ["╺┓ ", " ┃ ", "╺┻╸"],
        '2' => ["╺━┓", "┏━┛", "┗━╸"],
        '3' => ["╺━┓", " ━┫", "╺━┛"],
        '4' => ["╻ ╻", "┗━┫", "  ╹"],
        '5' => ["┏━╸", "┗━┓", "╺━┛"],
        '6' => ["┏━╸", "┣━┓", "┗━┛"],
        '7' => ["╺━┓", "  ┃", "  ╹"],
        '8' => ["┏━┓", "┣━┫", "┗━┛"],
        '9' => ["┏━┓", "┗━┫", "╺━┛"],
        '$' => ["┏╋╸", "┗╋┓", "╺╋┛"],
        '-' => ["   ", "╺━╸", "   "],
        '.' => [" ", " ", "•"],
        ',' => [" ", " ", "╻"],
        ' ' => [" ", " ", " "],
        // A lower bound: the total leaves unpriced records out.
        '≥' => ["╲", "╱", "━"],
        _ => return None,
    })
}

/// The three rows of `text` in the big font, glyphs one column apart; `None` if a character
/// has no glyph.
pub(crate) fn big_rows(text: &str) -> Option<[String; 3]> {
    let mut rows = [String::new(), String::new(), String::new()];
    for (i, c) in text.chars().enumerate() {
        let g = glyph(c)?;
        for (row, part) in rows.iter_mut().zip(g) {
            // Punctuation hugs its neighbours; digits get a one-column gap.
            if i > 0 && part.chars().count() > 1 {
                row.push(' ');
            }
            row.push_str(part);
        }
    }
    Some(rows)
}

/// Width in cells of `text` in the big font (0 if it cannot be drawn).
pub(crate) fn big_width(text: &str) -> usize {
    big_rows(text).map_or(0, |r| r[0].chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_draws_in_three_even_rows() {
        let rows = big_rows("$1,234.56").unwrap();
        let w = rows[0].chars().count();
        assert!(rows.iter().all(|r| r.chars().count() == w));
        assert_eq!(w, big_width("$1,234.56"));
        assert!(big_rows("$12x").is_none());
        assert_eq!(big_width(""), 0);
    }
}

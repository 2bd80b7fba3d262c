//! Themes: flat TOML files of `role = "colour"` turned into the `Style` of every screen role.
//!
//! The built-in themes live in `themes/*.toml` and are embedded in the binary; a file of the
//! same name in the user's config dir (`…/costtop/themes/NAME.toml`) overrides one. A value is
//! a ratatui colour name or `#rrggbb`, optionally followed by modifiers (`"white bold"`).

use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The themes shipped in the binary, by name, with their file text.
const BUILT_IN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// The theme used when none is named.
pub(crate) const DEFAULT_THEME: &str = "dark";

/// Name of the colourless theme used when `NO_COLOR` is set.
pub(crate) const MONOCHROME: &str = "monochrome";

/// Why a theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// No built-in or user theme has this name.
    #[error("unknown theme {name:?} (available: {available})")]
    Unknown {
        /// The requested name.
        name: String,
        /// The names that exist.
        available: String,
    },
    /// The file is not valid TOML, misses a role or has an unknown one.
    #[error("theme file {file}: {message}")]
    Format {
        /// The file (a path, or `themes/NAME.toml` for a built-in one).
        file: String,
        /// What is wrong, naming the role.
        message: String,
    },
    /// A role's value is not a colour.
    #[error(
        "theme file {file}: role `{role}`: {value:?} is not a colour (a name like \"cyan\" or \"#rrggbb\", then optional bold/dim/italic/underlined/reversed)"
    )]
    Colour {
        /// The file.
        file: String,
        /// The role with the bad value.
        role: String,
        /// The bad value.
        value: String,
    },
    /// The user's file exists but could not be read.
    #[error("theme file {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The read error.
        source: std::io::Error,
    },
}

/// Declares every role once: the file type, the runtime type and the role list follow from it.
macro_rules! roles {
    ($($(#[doc = $doc:literal])* $role:ident),+ $(,)?) => {
        /// A theme file as written: every role, as text. Unknown keys are errors.
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct ThemeFile {
            $($(#[doc = $doc])* pub(crate) $role: String,)+
        }

        /// A loaded theme: the style of every screen role.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            /// The theme's name.
            pub(crate) name: String,
            $($(#[doc = $doc])* pub(crate) $role: Style,)+
        }

        /// Every role a theme file must set, in file order.
        #[cfg(test)]
        pub(crate) const ROLES: &[&str] = &[$(stringify!($role)),+];

        impl Theme {
            /// Builds a theme from a parsed file, rejecting values that are not colours.
            pub(crate) fn from_file(name: &str, file: &str, f: &ThemeFile) -> Result<Theme, ThemeError> {
                Ok(Theme {
                    name: name.to_owned(),
                    $($role: parse_style(&f.$role).ok_or_else(|| ThemeError::Colour {
                        file: file.to_owned(),
                        role: stringify!($role).to_owned(),
                        value: f.$role.clone(),
                    })?,)+
                })
            }

            /// A theme without colours: plain text, emphasis by bold, dim and reverse (`NO_COLOR`).
            pub(crate) fn monochrome() -> Theme {
                let plain = Style::new();
                let mut t = Theme { name: MONOCHROME.to_owned(), $($role: plain,)+ };
                t.monochrome_emphasis();
                t
            }
        }
    };
}

roles! {
    /// Screen background.
    background,
    /// Ordinary text.
    text,
    /// Labels and secondary text.
    text_dim,
    /// Pane borders.
    border,
    /// The focused pane's border.
    border_focused,
    /// Pane titles.
    title,
    /// The top title bar.
    title_bar,
    /// Highlights: window name, key names in text.
    accent,
    /// Money.
    cost,
    /// Money that is high (top model, exceeded budget).
    cost_high,
    /// Good news: savings, ok states.
    good,
    /// Warnings.
    warn,
    /// Critical alarms, losses.
    alarm_critical,
    /// Bars in tables and charts.
    bar,
    /// The second bar colour (alternating rows, second series).
    bar_alt,
    /// The filled part of a gauge.
    gauge_filled,
    /// The empty part of a gauge.
    gauge_empty,
    /// The main chart series.
    chart_line,
    /// The second chart series (cache hit ratio).
    chart_alt,
    /// The big spend digits in the header.
    header_digits,
    /// A healthy source.
    status_ok,
    /// A failing source.
    status_error,
    /// A selected or highlighted row.
    selection,
    /// Key names in the help overlay and footer hints.
    help_key,
}

impl Theme {
    /// Loads the theme `name`: the user's override file if present, else the built-in one.
    pub fn load(name: &str) -> Result<Theme, ThemeError> {
        Theme::load_from(user_theme_dir().as_deref(), name)
    }

    /// Loads the theme `name`, looking for an override file in `dir` first.
    pub(crate) fn load_from(dir: Option<&Path>, name: &str) -> Result<Theme, ThemeError> {
        if let Some(path) = user_theme_path(dir, name).filter(|p| p.is_file()) {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| ThemeError::Io {
                file: file.clone(),
                source,
            })?;
            return Theme::parse(name, &file, &text);
        }
        match BUILT_IN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Theme::parse(n, &format!("themes/{n}.toml"), text),
            None => Err(ThemeError::Unknown {
                name: name.to_owned(),
                available: list_themes().join(", "),
            }),
        }
    }

    /// Parses theme file text; `file` names it in errors.
    pub(crate) fn parse(name: &str, file: &str, text: &str) -> Result<Theme, ThemeError> {
        let parsed: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Format {
            file: file.to_owned(),
            message: e.message().to_owned(),
        })?;
        Theme::from_file(name, file, &parsed)
    }

    /// The theme to use: monochrome when `no_color`, else `name` loaded.
    pub(crate) fn select(name: &str, no_color: bool) -> Result<Theme, ThemeError> {
        if no_color || name == MONOCHROME {
            Ok(Theme::monochrome())
        } else {
            Theme::load(name)
        }
    }

    /// The block style of a pane: focused panes use `border_focused`.
    pub(crate) fn border_for(&self, focused: bool) -> Style {
        if focused {
            self.border_focused
        } else {
            self.border
        }
    }

    fn monochrome_emphasis(&mut self) {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let dim = Style::new().add_modifier(Modifier::DIM);
        let rev = Style::new().add_modifier(Modifier::REVERSED);
        self.text_dim = dim;
        self.border_focused = bold;
        self.title = bold;
        self.title_bar = rev;
        self.accent = bold;
        self.cost_high = bold;
        self.warn = bold;
        self.alarm_critical = bold.add_modifier(Modifier::REVERSED);
        self.bar = Style::new();
        self.gauge_filled = Style::new();
        self.gauge_empty = dim;
        self.header_digits = bold;
        self.status_error = bold;
        self.selection = rev;
        self.help_key = bold;
    }
}

/// True when the `NO_COLOR` convention asks for no colours (set and not empty).
pub(crate) fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Every theme name: the built-in ones, then extra files in the user's theme dir.
pub(crate) fn list_themes() -> Vec<String> {
    let mut names: Vec<String> = BUILT_IN.iter().map(|(n, _)| (*n).to_owned()).collect();
    if let Some(dir) = user_theme_dir()
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut extra: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let path = e.path();
                let is_toml = path.extension().is_some_and(|x| x == "toml");
                let stem = path.file_stem()?.to_str()?.to_owned();
                is_toml.then_some(stem)
            })
            .filter(|n| !names.contains(n))
            .collect();
        extra.sort();
        names.extend(extra);
    }
    names
}

/// The built-in theme files, as (name, text), for tests and docs.
#[cfg(test)]
pub(crate) fn built_in_files() -> &'static [(&'static str, &'static str)] {
    &BUILT_IN
}

fn user_theme_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop").map(|d| d.config_dir().join("themes"))
}

fn user_theme_path(dir: Option<&Path>, name: &str) -> Option<PathBuf> {
    let safe = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
    let dir = dir.filter(|_| safe)?;
    Some(dir.join(format!("{name}.toml")))
}

/// `"cyan"`, `"#ff8800"`, `"white bold"`, `"reset"` → a style; `None` if a word is unknown.
fn parse_style(value: &str) -> Option<Style> {
    let mut words = value.split_whitespace();
    let colour: Color = words.next()?.parse().ok()?;
    let mut style = Style::new().fg(colour);
    for word in words {
        let m = match word {
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            _ => return None,
        };
        style = style.add_modifier(m);
    }
    Some(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_and_sets_every_role() {
        for (name, text) in built_in_files() {
            let theme = Theme::parse(name, name, text).expect(name);
            let table: toml::Table = toml::from_str(text).unwrap();
            for role in ROLES {
                assert!(table.contains_key(*role), "{name} misses {role}");
            }
            assert_eq!(table.len(), ROLES.len(), "{name} has extra keys");
            assert_ne!(theme.text, Style::new(), "{name}: text has no colour");
        }
        assert_eq!(
            list_themes()[..4],
            ["dark", "light", "high-contrast", "colorblind"]
        );
    }

    #[test]
    fn missing_role_error_names_file_and_role() {
        let text = built_in_files()[0].1.replace("warn =", "# warn =");
        let err = Theme::parse("x", "themes/broken.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("themes/broken.toml"), "{err}");
        assert!(err.contains("warn"), "{err}");
    }

    #[test]
    fn bad_colour_and_unknown_role_are_errors_naming_the_role() {
        let text = built_in_files()[0]
            .1
            .replace("cost_high = \"", "cost_high = \"mauve");
        let err = Theme::parse("x", "my.toml", &text).unwrap_err().to_string();
        assert!(
            err.contains("my.toml") && err.contains("cost_high"),
            "{err}"
        );
        let text = format!("{}\nsparkle = \"red\"\n", built_in_files()[0].1);
        let err = Theme::parse("x", "my.toml", &text).unwrap_err().to_string();
        assert!(err.contains("sparkle"), "{err}");
    }

    #[test]
    fn values_take_hex_and_modifiers() {
        assert_eq!(
            parse_style("#ff8800 bold"),
            Some(
                Style::new()
                    .fg(Color::Rgb(255, 136, 0))
                    .add_modifier(Modifier::BOLD)
            )
        );
        assert_eq!(parse_style("blue sparkly"), None);
    }

    #[test]
    fn monochrome_has_no_colours() {
        let t = Theme::select("dark", true).unwrap();
        assert_eq!(t.name, MONOCHROME);
        assert_eq!(t.cost.fg, None);
        assert!(t.alarm_critical.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn user_file_overrides_built_in_and_bad_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let text = built_in_files()[0]
            .1
            .replace("cost = \"#ebcb8b\"", "cost = \"#010203\"");
        std::fs::write(dir.path().join("dark.toml"), text).unwrap();
        let t = Theme::load_from(Some(dir.path()), "dark").unwrap();
        assert_eq!(t.cost.fg, Some(Color::Rgb(1, 2, 3)));
        std::fs::write(dir.path().join("light.toml"), "text = \"red\"\n").unwrap();
        let err = Theme::load_from(Some(dir.path()), "light")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("light.toml") && err.contains("background"),
            "{err}"
        );
    }

    #[test]
    fn unknown_theme_lists_available_ones() {
        let err = Theme::load("nope").unwrap_err().to_string();
        assert!(err.contains("dark") && err.contains("nope"), "{err}");
    }
}

//! Which prices are in force: the table built in, the maintained table stored by
//! `costtop prices --update` (per model id, when it is not older than the built-in one), and
//! the config's `[prices]` overrides over both. Every command that prices resolves it here.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::file::{TableError, parse_table};
use super::overrides::PriceOverride;
use super::table::{Origin, PriceTable, TableSource};

/// Where `costtop prices --update` stores the maintained table: `<data dir>/costtop/prices.toml`.
pub(crate) fn stored_table_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop").map(|d| d.data_dir().join("prices.toml"))
}

const OLDER: &str = "older than the built-in table";

/// What was found at the stored table's path.
#[derive(Debug, Clone)]
pub(crate) enum StoredTable {
    /// Nothing stored.
    Absent,
    /// A valid table, not older than the built-in one.
    Used(PriceTable),
    /// A valid table whose `checked` date is older than the built-in table's (a newer costtop
    /// was installed since the update): the built-in table is used.
    Older(String),
    /// A file that cannot be used, and why.
    Ignored(String),
}

/// Reads and checks the stored table at `path` against the built-in one.
pub(crate) fn load_stored(path: &Path, builtin: &PriceTable) -> StoredTable {
    match std::fs::read_to_string(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => StoredTable::Absent,
        Err(e) => StoredTable::Ignored(format!("cannot read {}: {e}", path.display())),
        Ok(text) => match check_update(&text, &path.display().to_string(), builtin) {
            Ok(t) => StoredTable::Used(t),
            Err(reason) if reason.contains(OLDER) => StoredTable::Older(reason),
            Err(reason) => StoredTable::Ignored(reason),
        },
    }
}

/// Validates a maintained table fully: it parses, every entry states every price, no id is
/// priced twice for one date, it prices at least one model, and its `checked` date is not
/// older than the built-in table's. `name` is the file or URL, for messages.
pub(crate) fn check_update(
    text: &str,
    name: &str,
    builtin: &PriceTable,
) -> Result<PriceTable, String> {
    let table = parse_table(text, name, &Origin::Maintained).map_err(|e| e.to_string())?;
    if table.entries().is_empty() {
        return Err(format!("{name}: prices no model"));
    }
    // Both are validated `YYYY-MM-DD` dates, which order as strings.
    if table.checked < builtin.checked {
        return Err(format!(
            "{name}: checked {} is {OLDER} (checked {})",
            table.checked, builtin.checked
        ));
    }
    Ok(table)
}

/// Writes a validated table to `path` atomically (a reader never sees half a file).
pub(crate) fn store_update(text: &str, path: &Path) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The table in force: built in, then the stored maintained table at `stored` (its models
/// replace the built-in ones of the same id), then `overrides` from the config named
/// `config_name`. An unusable stored table changes nothing: an older one is said in `notes`,
/// a broken one in `warnings`.
pub(crate) fn resolve(
    overrides: &BTreeMap<String, PriceOverride>,
    config_name: &str,
    stored: Option<&Path>,
) -> Result<PriceTable, TableError> {
    let builtin = PriceTable::embedded();
    let mut table = match stored.map(|p| (p, load_stored(p, &builtin))) {
        Some((_, StoredTable::Used(maintained))) => over(&builtin, &maintained),
        Some((path, StoredTable::Older(reason))) => {
            let mut t = builtin;
            t.notes.push(format!(
                "the stored table {} is not used: {reason}",
                path.display()
            ));
            t
        }
        Some((path, StoredTable::Ignored(reason))) => {
            tracing::warn!("stored price table {} not used: {reason}", path.display());
            let mut t = builtin;
            t.warnings.push(format!(
                "the stored price table {} is not used (run `costtop prices --update` again): \
                 {reason}",
                path.display()
            ));
            t
        }
        Some((_, StoredTable::Absent)) | None => builtin,
    };
    table.apply_overrides(overrides, config_name)?;
    Ok(table)
}

/// `maintained`'s models over `builtin`'s, with its checked date and source.
fn over(builtin: &PriceTable, maintained: &PriceTable) -> PriceTable {
    let mut models = builtin.plain_models();
    models.extend(maintained.plain_models());
    let source = match &maintained.source {
        TableSource::Maintained(p) => TableSource::Maintained(p.clone()),
        TableSource::BuiltIn => TableSource::Maintained(String::new()),
    };
    PriceTable::from_models(models, maintained.checked.clone(), source)
}

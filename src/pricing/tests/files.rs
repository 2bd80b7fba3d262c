//! Price files, overrides and updates: bad ones are refused with file, line and field; good
//! ones win for exactly the ids and dates they cover.

use std::collections::BTreeMap;

use super::*;
use crate::pricing::resolve::{StoredTable, load_stored};
use crate::pricing::{Origin, PriceOverride, TableSource, check_update, resolve};

const ONE_MODEL: &str = r#"checked = "2026-12-01"

[[model]]
family = "Test 1"
ids = ["claude-test-1"]
input = 1.0
output = 5.0
write_5m = 1.25
write_1h = 2.0
read = 0.10
"#;

fn refused(text: &str) -> String {
    match PriceTable::parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_unknown_key_is_refused_naming_line_and_key() {
    let text = ONE_MODEL.replace("read = 0.10", "raed = 0.10");
    let msg = refused(&text);
    assert!(
        msg.contains("prices.toml") && msg.contains("line 10"),
        "{msg}"
    );
    assert!(msg.contains("raed"), "{msg}");
}

#[test]
fn a_bad_value_is_refused_naming_file_line_and_field() {
    let msg = refused(&ONE_MODEL.replace("read = 0.10", "read = -0.10"));
    assert!(
        msg.starts_with("prices.toml line 3: read: -0.1 is not a price"),
        "{msg}"
    );
    let msg = refused(&ONE_MODEL.replace("read = 0.10", "read = 0.10\nfrom = \"2026-13-01\""));
    assert!(msg.contains("line 3: from:"), "{msg}");
    let msg = refused(&ONE_MODEL.replace("checked = \"2026-12-01\"", "checked = \"soon\""));
    assert!(msg.contains("line 1: checked:"), "{msg}");
}

#[test]
fn two_prices_for_one_id_on_one_date_are_an_error() {
    let second = ONE_MODEL
        .split_once("\n\n")
        .map(|(_, m)| m.replace("input = 1.0", "input = 2.0\nfrom = \"2026-06-01\""))
        .unwrap();
    let msg = refused(&format!("{ONE_MODEL}\n{second}"));
    assert!(msg.contains("line 12: ids: claude-test-1"), "{msg}");
    assert!(msg.contains("at line 3"), "{msg}");
    // Ending the first where the second starts is a price change, not an overlap.
    let first = ONE_MODEL.replace("read = 0.10", "read = 0.10\nuntil = \"2026-06-01\"");
    let t = PriceTable::parse(&format!("{first}\n{second}")).unwrap();
    let periods = &t.lookup("claude-test-1").unwrap().periods;
    assert_eq!(periods.len(), 2);
}

#[test]
fn bands_must_rise() {
    let band = "\n[[model.band]]\nabove = 100\ninput = 2.0\noutput = 10.0\n";
    let msg = refused(&format!("{ONE_MODEL}{band}{band}"));
    assert!(msg.contains("band[1].above"), "{msg}");
    let t = PriceTable::parse(&format!("{ONE_MODEL}{band}")).unwrap();
    // 101 prompt tokens at the band: 101 × $2 per M.
    let e = event("claude-test-1", tok(101, 0, 0, 0, 0));
    assert_eq!(usd(&t, &e), dollars("0.000202"));
}

#[test]
fn an_update_must_state_every_price_and_not_be_older() {
    let builtin = PriceTable::embedded();
    assert!(check_update(ONE_MODEL, "u", &builtin).is_ok());
    let msg = check_update(&ONE_MODEL.replace("write_1h = 2.0\n", ""), "u", &builtin).unwrap_err();
    assert!(msg.contains("write_1h: missing"), "{msg}");
    let older = ONE_MODEL.replace("2026-12-01", "2026-11-01");
    let msg = check_update(&older, "u", &builtin).unwrap_err();
    assert!(msg.contains("older than the built-in table"), "{msg}");
    let msg = check_update("checked = \"2026-12-02\"\n", "u", &builtin).unwrap_err();
    assert!(msg.contains("prices no model"), "{msg}");
}

#[test]
fn a_stored_update_wins_per_id_and_a_broken_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prices.toml");
    let update = ONE_MODEL
        .replace("2026-12-01", "2026-12-09")
        .replace("claude-test-1", "claude-opus-5-5")
        .replace("Test 1", "Opus 5.5");
    std::fs::write(&path, &update).unwrap();
    let t = resolve(&BTreeMap::new(), "config", Some(&path)).unwrap();
    assert_eq!(t.checked, "2026-12-09");
    assert!(matches!(t.source, TableSource::Maintained(_)));
    let input = tok(1_000_000, 0, 0, 0, 0);
    assert_eq!(usd(&t, &event("claude-opus-5-5", input)), dollars("1"));
    // Ids the update does not name keep their built-in prices.
    assert_eq!(usd(&t, &event("claude-opus-5", input)), dollars("5"));
    assert_eq!(
        t.lookup("claude-opus-5-5").unwrap().periods[0].origin,
        Origin::Maintained
    );

    std::fs::write(&path, update.replace("input = 1.0", "input = \"one\"")).unwrap();
    assert!(matches!(
        load_stored(&path, &PriceTable::embedded()),
        StoredTable::Ignored(_)
    ));
    let t = resolve(&BTreeMap::new(), "config", Some(&path)).unwrap();
    assert_eq!(t.source, TableSource::BuiltIn);
    assert_eq!(usd(&t, &event("claude-opus-5-5", input)), dollars("4"));
    assert!(t.warnings[0].contains("is not used"), "{:?}", t.warnings);
    // An update older than the built-in table is set aside quietly (a newer costtop).
    std::fs::write(&path, ONE_MODEL.replace("2026-12-01", "2026-11-01")).unwrap();
    let t = resolve(&BTreeMap::new(), "config", Some(&path)).unwrap();
    assert_eq!(t.source, TableSource::BuiltIn);
    assert!(
        t.warnings.is_empty() && t.notes[0].contains("older"),
        "{:?}",
        t.notes
    );
}

fn overrides(toml_text: &str) -> BTreeMap<String, PriceOverride> {
    #[derive(serde::Deserialize)]
    struct Config {
        prices: BTreeMap<String, PriceOverride>,
    }
    let mut c: Config = toml::from_str(toml_text).unwrap();
    for o in c.prices.values_mut() {
        o.locate(toml_text);
    }
    c.prices
}

#[test]
fn a_dated_override_wins_for_its_dates_only() {
    let o = overrides(
        "[prices.\"claude-sonnet-5\"]\nfrom = \"2027-01-01\"\ninput = 3.0\noutput = 15.0\n",
    );
    let mut t = PriceTable::embedded();
    t.apply_overrides(&o, "my.toml").unwrap();
    let input = event("claude-sonnet-5", tok(1_000_000, 0, 0, 0, 0));
    assert_eq!(usd(&t, &input), dollars("2"));
    let later = at_day(&input, 2027, 1, 1);
    assert_eq!(usd(&t, &later), dollars("3"));
    let m = t.lookup("claude-sonnet-5").unwrap();
    assert_eq!(m.family, "Sonnet 5");
    assert_eq!(m.periods[1].origin, Origin::Config("my.toml".into()));
    // Its cache prices default to the standard multiples: 1M reads at 0.1 × $3.
    let reads = at_day(
        &event("claude-sonnet-5", tok(0, 0, 0, 1_000_000, 0)),
        2027,
        2,
        1,
    );
    assert_eq!(usd(&t, &reads), dollars("0.30"));
}

#[test]
fn an_override_prices_a_new_model_with_dates_and_bands() {
    let o = overrides(
        r#"
[[prices."claude-opus-6"]]
until = "2027-01-01"
input = 6.0
output = 30.0
[[prices."claude-opus-6".band]]
above = 500000
input = 12.0
output = 45.0

[[prices."claude-opus-6"]]
from = "2027-01-01"
input = 5.0
output = 25.0
"#,
    );
    let mut t = PriceTable::embedded();
    assert!(t.lookup("claude-opus-6").is_none());
    t.apply_overrides(&o, "my.toml").unwrap();
    let e = event("claude-opus-6", tok(1_000_000, 0, 0, 0, 0));
    // Above the 500k band in 2026: $12; from 2027 a single band: $5.
    assert_eq!(usd(&t, &e), dollars("12"));
    assert_eq!(usd(&t, &at_day(&e, 2027, 3, 1)), dollars("5"));
    assert_eq!(t.lookup("claude-opus-6").unwrap().family, "claude-opus-6");
}

#[test]
fn an_override_that_claims_one_date_twice_or_a_typo_is_refused() {
    let o = overrides(
        "[[prices.\"claude-x\"]]\ninput = 1.0\noutput = 2.0\n\n\
         [[prices.\"claude-x\"]]\nfrom = \"2027-01-01\"\ninput = 1.0\noutput = 2.0\n",
    );
    let msg = PriceTable::embedded()
        .apply_overrides(&o, "my.toml")
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("my.toml line 1: prices.\"claude-x\".from:"),
        "{msg}"
    );
    let err = toml::from_str::<BTreeMap<String, BTreeMap<String, PriceOverride>>>(
        "[prices.\"claude-x\"]\ninput = 1.0\noutput = 2.0\nouptut = 3.0\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("ouptut") && err.contains("line 4"), "{err}");
}

fn at_day(e: &UsageEvent, y: i32, m: u32, d: u32) -> UsageEvent {
    UsageEvent {
        timestamp: Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap(),
        ..e.clone()
    }
}

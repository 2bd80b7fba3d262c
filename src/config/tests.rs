//! The config file: every section parsed, and bad files refused naming file, line and key.

use super::*;

#[test]
fn sample_config_parses_with_every_section() {
    let c = Config::parse(SAMPLE, Path::new("sample.toml")).unwrap();
    assert!(!c.budgets().unwrap().is_empty());
    assert!(!c.file.prices.is_empty());
    let mut table = PriceTable::embedded();
    table
        .apply_overrides(&c.file.prices, "sample.toml")
        .unwrap();
    assert!(table.lookup("my-fine-tuned-claude").is_some());
    assert!(c.file.prices_url.is_none());
    let audit = c.audit().unwrap();
    assert_eq!(audit.async_groups.len(), 2);
    assert_eq!(audit.ladder.map(|l| l.len()), Some(4));
}

#[test]
fn a_bad_price_override_is_refused_naming_file_line_and_field_and_the_rest_runs() {
    let text = "bell = true\n\n[prices.\"claude-x\"]\ninput = 1.0\noutput = -2.0\n";
    let c = Config::parse(text, Path::new("/etc/costtop.toml")).unwrap();
    assert_eq!(c.file.bell, Some(true), "the rest of the file is used");
    let msg = c.prices_refused.clone().expect("refused");
    assert!(msg.contains("/etc/costtop.toml: line 3"), "{msg}");
    assert!(msg.contains("prices.\"claude-x\".output"), "{msg}");
    // The table it had, saying why.
    let table = c.prices().unwrap();
    assert!(table.lookup("claude-x").is_none());
    assert!(table.lookup("claude-opus-5-5").is_some());
    assert!(
        table
            .warnings
            .iter()
            .any(|w| w.contains("not used") && w.contains("line 3")),
        "{:?}",
        table.warnings
    );
}

#[test]
fn a_typo_in_a_price_entry_is_refused_never_priced_at_zero() {
    let text = "[prices.\"claude-x\"]\ninput = 1.0\nouptut = 5.0\n";
    let c = Config::parse(text, Path::new("c.toml")).unwrap();
    let msg = c.prices_refused.clone().expect("refused");
    assert!(msg.contains("ouptut"), "{msg}");
    assert!(c.prices().unwrap().lookup("claude-x").is_none());
    // A broken file elsewhere is still an error.
    assert!(
        Config::parse(
            "windw = 1\n[prices.\"claude-x\"]\ninput = 1.0\n",
            Path::new("c.toml")
        )
        .is_err()
    );
}

#[test]
fn a_bad_audit_section_names_the_key() {
    let msg = Config::parse("[audit]\nasync = [\"nightly\"]\n", Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("audit.async[0]"), "{msg}");
    let msg = Config::parse("[audit]\nby = \"day\"\n", Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("audit.by"), "{msg}");
}

#[test]
fn unknown_key_is_an_error_naming_key_and_file() {
    let err = Config::parse("windw = \"today\"\n", Path::new("/etc/costtop.toml")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("/etc/costtop.toml"), "{msg}");
    assert!(msg.contains("windw"), "{msg}");
}

#[test]
fn dedupe_horizon_is_read_and_a_bad_one_named() {
    let c = Config::parse("dedupe_horizon = \"2h\"\n", Path::new("c.toml")).unwrap();
    assert_eq!(
        c.retention().unwrap().short_keys,
        chrono::Duration::hours(2)
    );
    let msg = Config::parse("dedupe_horizon = \"soon\"\n", Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("dedupe_horizon"), "{msg}");
}

#[test]
fn bad_budget_value_names_the_budget_and_key() {
    let text = "[[budgets]]\nname = \"team\"\nperiod = \"fortnight\"\nlimit_usd = 10\n";
    let msg = Config::parse(text, Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("budgets[0] (team): period"), "{msg}");
    let text = "[[budgets]]\nname = \"team\"\nperiod = \"day\"\nlimit_usd = -3\n";
    let msg = Config::parse(text, Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("limit_usd"), "{msg}");
}

#[test]
fn the_organisations_settings_are_read_and_bad_ones_refused() {
    let text = "usage_api = \"legacy\"\n\n[spend_limits]\nalarms = false\nwarn_at = 0.9\n";
    let c = Config::parse(text, Path::new("org.toml")).unwrap();
    assert_eq!(
        c.usage_api().unwrap(),
        crate::sources::admin_api::UsageApi::Legacy
    );
    let alarms = c.spend_limit_alarms().unwrap();
    assert!(!alarms.enabled);
    assert!((alarms.warn_at - 0.9).abs() < f64::EPSILON);
    let defaults = Config::parse("", Path::new("empty.toml")).unwrap();
    assert!(defaults.spend_limit_alarms().unwrap().enabled);
    for bad in [
        "usage_api = \"newest\"\n",
        "[spend_limits]\nwarn_at = 1.5\n",
    ] {
        let e = Config::parse(bad, Path::new("bad.toml")).unwrap_err();
        assert!(e.to_string().contains("bad.toml"), "{e}");
    }
}

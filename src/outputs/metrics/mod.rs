//! `GET /metrics`: a snapshot in the Prometheus exposition format (text 0.0.4, or OpenMetrics
//! when the scraper asks for it), encoded by the `prometheus-client` crate.
//!
//! Counters come from the aggregator's cumulative counters (`Snapshot::counters`: totals since
//! start, never decreasing); gauges from the rest of the snapshot (budgets, alarms, the
//! window's cache and batch figures, source health).

mod families;
mod labels;
mod proxy;

use std::sync::Arc;

use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::snapshot::Snapshot;
use families::SnapshotMetrics;
pub(crate) use labels::check_labels;

/// Which exposition format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposition {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    Text,
    /// OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`).
    OpenMetrics,
}

impl Exposition {
    /// The format a scraper's `Accept` header asks for: OpenMetrics when it names it.
    pub(crate) fn from_accept(accept: Option<&str>) -> Exposition {
        match accept {
            Some(a) if a.contains("application/openmetrics-text") => Exposition::OpenMetrics,
            _ => Exposition::Text,
        }
    }

    /// The `Content-Type` of a response in this format.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Exposition::Text => "text/plain; version=0.0.4; charset=utf-8",
            Exposition::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The snapshot's metrics in `format`.
pub fn render(snap: &Arc<Snapshot>, format: Exposition) -> String {
    let mut registry = Registry::default();
    registry.register(
        "costtop_build",
        "The costtop version serving these metrics",
        Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
    );
    registry.register_collector(Box::new(SnapshotMetrics(Arc::clone(snap))));
    registry.register_collector(Box::new(proxy::ProxyMetrics(Arc::clone(snap))));
    let mut out = String::new();
    let written = match format {
        Exposition::Text => {
            prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)
        }
        Exposition::OpenMetrics => prometheus_client::encoding::text::encode(&mut out, &registry),
    };
    // Writing into a String cannot fail; a failing encoder would leave a partial text that
    // the scraper rejects, which is the right outcome for a bug.
    debug_assert!(written.is_ok());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_choose_the_format() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(
            Exposition::from_accept(Some(prometheus)),
            Exposition::OpenMetrics
        );
        assert_eq!(Exposition::from_accept(Some("*/*")), Exposition::Text);
        assert_eq!(Exposition::from_accept(None), Exposition::Text);
    }

    #[test]
    fn an_empty_snapshot_still_says_which_build_serves_it() {
        let text = render(&Arc::new(Snapshot::default()), Exposition::Text);
        assert!(text.contains("costtop_build_info{version=\""), "{text}");
        let open = render(&Arc::new(Snapshot::default()), Exposition::OpenMetrics);
        assert!(open.ends_with("# EOF\n"), "{open}");
    }
}

//! Claude Code's OTLP metrics → its own cost estimates. `claude_code.cost.usage` data points
//! become [`ToolEstimate`]s per session, user and model (delta or cumulative, as the sender's
//! temporality says); they are a check beside costtop's prices and never spend.
//! `claude_code.token.usage` counts the same requests as the `api_request` events again and
//! is passed over like Claude Code's other metrics; a metric of another program is refused.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::number_data_point::Value;
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, NumberDataPoint, metric};

use super::attrs::{self, Attrs};
use super::mapped::Mapped;
use crate::money::Money;
use crate::usage::{EstimateOrigin, Tokens, ToolEstimate};

/// The metric costtop reads.
const COST_USAGE: &str = "claude_code.cost.usage";
/// Prefix of Claude Code's metric names.
const CLAUDE_CODE: &str = "claude_code.";

/// Maps every metric of the request.
pub(super) fn map(req: &ExportMetricsServiceRequest, now: DateTime<Utc>, out: &mut Mapped) {
    for resource_metrics in &req.resource_metrics {
        let resource = attrs::resource(resource_metrics.resource.as_ref());
        let mut sent = false;
        for metric in resource_metrics
            .scope_metrics
            .iter()
            .flat_map(|s| &s.metrics)
        {
            if metric.name == COST_USAGE {
                sent = true;
                let (points, cumulative) = match &metric.data {
                    Some(metric::Data::Sum(sum)) => (
                        &sum.data_points[..],
                        temporality(sum.aggregation_temporality),
                    ),
                    Some(metric::Data::Gauge(gauge)) => (&gauge.data_points[..], Some(true)),
                    _ => {
                        out.reject(|| format!("{COST_USAGE}: not a sum"));
                        continue;
                    }
                };
                for point in points {
                    match cumulative
                        .ok_or_else(|| "no aggregation temporality".to_string())
                        .and_then(|c| estimate(point, c, now))
                    {
                        Ok(e) => out.estimate(e),
                        Err(reason) => out.reject(|| format!("{COST_USAGE}: {reason}")),
                    }
                }
            } else if metric.name.starts_with(CLAUDE_CODE) {
                sent = true;
            } else {
                let name = &metric.name;
                out.reject(|| format!("{name:?} is not a Claude Code metric"));
            }
        }
        if sent {
            out.sender(attrs::sender_identity(resource));
        }
    }
}

/// `Some(true)` for cumulative, `Some(false)` for delta, `None` when unspecified.
fn temporality(value: i32) -> Option<bool> {
    match AggregationTemporality::try_from(value).ok()? {
        AggregationTemporality::Cumulative => Some(true),
        AggregationTemporality::Delta => Some(false),
        AggregationTemporality::Unspecified => None,
    }
}

/// One data point as Claude Code's estimate.
fn estimate(
    point: &NumberDataPoint,
    cumulative: bool,
    now: DateTime<Utc>,
) -> Result<ToolEstimate, String> {
    let usd = match point.value {
        Some(Value::AsDouble(v)) => v,
        Some(Value::AsInt(v)) => v as f64,
        None => return Err("no value".into()),
    };
    if !usd.is_finite() || usd < 0.0 {
        return Err(format!("cost {usd} is not a non-negative amount"));
    }
    let a = Attrs(&point.attributes);
    let text = |key: &str| a.text(key).map(Arc::from);
    Ok(ToolEstimate {
        origin: EstimateOrigin::OtlpMetric,
        session: text("session.id"),
        user: text("user.email").or_else(|| text("user.id")),
        model: text("model"),
        at: attrs::time(&[point.time_unix_nano, point.start_time_unix_nano], now)?,
        cost: Money::from_usd(usd),
        tokens: Tokens::default(),
        requests: None,
        cumulative,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::otlp::decode::{Export, Signal};
    use crate::sources::otlp::testing::{decoded, now};

    /// A `claude_code.cost.usage` sum with one point, shaped as Claude Code exports it.
    fn cost_usage(temporality: u8, value: &str) -> String {
        format!(
            r#"{{"resourceMetrics":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"claude-code"}}}}]}},
            "scopeMetrics":[{{"scope":{{"name":"com.anthropic.claude_code"}},"metrics":[
            {{"name":"claude_code.cost.usage","unit":"USD","sum":{{"aggregationTemporality":{temporality},"isMonotonic":true,
              "dataPoints":[{{"attributes":[{{"key":"session.id","value":{{"stringValue":"s-1"}}}},
                {{"key":"user.email","value":{{"stringValue":"dev@example.com"}}}},
                {{"key":"model","value":{{"stringValue":"claude-opus-4-8"}}}}],
                "startTimeUnixNano":"1796160000000000000","timeUnixNano":"1796162179873000000",{value}}}]}}}},
            {{"name":"claude_code.token.usage","unit":"tokens","sum":{{"aggregationTemporality":1,"dataPoints":[{{"asInt":"43","timeUnixNano":"1796162179873000000"}}]}}}}
            ]}}]}}]}}"#
        )
    }

    fn mapped(json: &str) -> Mapped {
        let Export::Metrics(req) = decoded(Signal::Metrics, json) else {
            panic!("a metrics export")
        };
        let mut out = Mapped::default();
        map(&req, now(), &mut out);
        out
    }

    #[test]
    fn cost_usage_points_become_estimates_in_either_temporality() {
        for (temporality, cumulative) in [(1, false), (2, true)] {
            let m = mapped(&cost_usage(temporality, r#""asDouble":0.04083"#));
            assert_eq!((m.records, m.rejected), (1, 0));
            assert!(m.events.is_empty(), "an estimate is never spend");
            let e = &m.estimates[0];
            assert_eq!(e.origin, EstimateOrigin::OtlpMetric);
            assert_eq!(e.cumulative, cumulative);
            assert_eq!(e.cost, Money::from_usd(0.04083));
            assert_eq!(e.session.as_deref(), Some("s-1"));
            assert_eq!(e.user.as_deref(), Some("dev@example.com"));
            assert_eq!(e.model.as_deref(), Some("claude-opus-4-8"));
            assert_eq!(e.at.to_rfc3339(), "2026-12-01T21:56:19.873+00:00");
        }
        // asDouble written as an integral JSON number, or asInt as a string, read the same.
        let m = mapped(&cost_usage(1, r#""asDouble":2"#));
        assert_eq!(m.estimates[0].cost, Money::from_usd(2.0));
        let m = mapped(&cost_usage(1, r#""asInt":"2""#));
        assert_eq!(m.estimates[0].cost, Money::from_usd(2.0));
    }

    #[test]
    fn bad_points_and_foreign_metrics_are_refused() {
        let m = mapped(&cost_usage(1, r#""asDouble":-1.5"#));
        assert_eq!((m.records, m.rejected), (1, 1));
        let m = mapped(&cost_usage(0, r#""asDouble":1.5"#));
        assert!(m.first_rejection.unwrap().contains("temporality"));
        let foreign = cost_usage(1, r#""asDouble":1"#)
            .replace("claude_code.token.usage", "http.server.duration");
        let m = mapped(&foreign);
        assert_eq!((m.records, m.rejected), (2, 1));
        assert!(
            m.first_rejection
                .unwrap()
                .contains("not a Claude Code metric")
        );
    }
}

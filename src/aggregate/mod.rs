//! The aggregator: the one owner of usage state. Dedupe → price → rollups → `Snapshot`.
//!
//! [`State`] takes each record once (`state/`) into the counted usage (`store/`) and hands
//! the parts with state of their own their share: `alarms/` (and budgets), `audit/`,
//! `estimates/`, `compare/`; `view/` turns it into a [`Snapshot`](crate::snapshot::Snapshot).
//! [`AggregatorHandle`] runs it as an actor for the live commands; replay drives a `State`
//! directly with event time.

mod actor;
mod alarms;
mod audit;
mod compare;
mod estimates;
mod settings;
mod state;
mod store;
mod view;

pub use actor::AggregatorHandle;
pub use audit::{AsyncMark, AuditSettings};
pub use compare::CompareSpec;
pub(crate) use settings::Retention;
pub use settings::{Settings, SpendLimitAlarms};
pub use state::{IngestStats, State};
pub use store::CounterOptions;

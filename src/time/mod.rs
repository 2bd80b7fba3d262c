//! Time, as every layer speaks of it: windows, the time zone, budget periods, the named spans
//! `--compare` sets side by side, and the clock the aggregator asks for "now" (wall time live,
//! event time in replay).

mod clock;
mod period;
mod span;
mod window;
mod zone;

pub use clock::{Clock, ManualClock, ScaledClock, SystemClock, TokioClock};
pub use period::Period;
pub use span::Span;
pub use window::Window;
pub use zone::Zone;

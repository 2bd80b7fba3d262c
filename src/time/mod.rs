//! Time, as every layer speaks of it: windows, the time zone, budget periods and the clock
//! the aggregator asks for "now" (wall time live, event time in replay).

mod clock;
mod period;
mod window;
mod zone;

pub use clock::{Clock, ManualClock, ScaledClock, SystemClock, TokioClock};
pub use period::Period;
pub use window::Window;
pub use zone::Zone;

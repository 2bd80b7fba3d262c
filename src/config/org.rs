//! The organisation's settings for `--admin-api`: which usage API it reads (`usage_api`) and
//! the `[spend_limits]` alarms.

use super::Config;
use crate::aggregate::SpendLimitAlarms;
use crate::sources::admin_api::UsageApi;

impl Config {
    /// When the org's spend limits raise alarms (`[spend_limits]`, else the defaults).
    pub(crate) fn spend_limit_alarms(&self) -> Result<SpendLimitAlarms, String> {
        let mut alarms = SpendLimitAlarms::default();
        if let Some(entry) = &self.file.spend_limits {
            if let Some(on) = entry.alarms {
                alarms.enabled = on;
            }
            if let Some(w) = entry.warn_at {
                if !(w > 0.0 && w <= 1.0) {
                    return Err(format!(
                        "spend_limits.warn_at: {w} is not a fraction in (0, 1]"
                    ));
                }
                alarms.warn_at = w;
            }
        }
        Ok(alarms)
    }

    /// The usage API `--admin-api` reads (`usage_api`, else `auto`).
    pub(crate) fn usage_api(&self) -> Result<UsageApi, String> {
        self.file
            .usage_api
            .as_deref()
            .map_or(Ok(UsageApi::Auto), |s| {
                s.parse().map_err(|e| format!("usage_api: {e}"))
            })
    }
}

//! "Today" in the configured time zone, from a clock tests can set.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

#[derive(Clone)]
pub struct Clock {
    offset: FixedOffset,
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new(FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"))
    }
}

impl Clock {
    /// A real clock in the zone at `offset` (Asia/Shanghai is UTC+8 without daylight time).
    pub fn new(offset: FixedOffset) -> Self {
        Clock {
            offset,
            fixed: Arc::new(RwLock::new(None)),
        }
    }
    /// Pins the clock to an instant (tests, demos of past years).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut f) = self.fixed.write() {
            *f = Some(at);
        }
    }
    /// The configured zone's offset from UTC, for showing instants in local time.
    pub fn offset(&self) -> FixedOffset {
        self.offset
    }
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed
            .read()
            .ok()
            .and_then(|f| *f)
            .unwrap_or_else(Utc::now)
    }
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.offset).date_naive()
    }
}

//! Each feed's fetch state: the validators for a conditional GET, the last success and
//! attempt, and the failures in a row that decide when a failing feed is tried again.

/// Per-feed fetch state, kept for conditional GET and health.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_success: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt: Option<i64>,
    pub consecutive_failures: u32,
}

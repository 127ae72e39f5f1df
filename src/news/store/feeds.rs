//! Each feed's fetch state: the validators for a conditional GET, the last success and
//! attempt, and the failures in a row that decide when a failing feed is tried again.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError};

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

impl Store {
    /// The fetch state of a feed; the default state for a feed never fetched.
    pub fn feed_state(&self, feed_url: &str) -> Result<FeedState, StoreError> {
        self.conn
            .query_row(
                "SELECT etag, last_modified, last_success, last_error, last_attempt,
                        consecutive_failures
                 FROM feeds WHERE url = ?1",
                [feed_url],
                feed_state_from_row,
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.error(e))
    }

    /// Records a fetch that worked: `not_modified` for a 304, otherwise a 200.
    ///
    /// After a 200 the given validators replace the stored ones, `None` included: a server
    /// that stopped sending one would not honour the old one. After a 304 the stored ones
    /// stay, unless the response carried a fresh one (RFC 9110 §15.4.5 lets it).
    pub fn record_success(
        &mut self,
        feed_url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
        not_modified: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO feeds (url, etag, last_modified, last_success, last_attempt)
                 VALUES (?1, ?2, ?3, ?5, ?5)
                 ON CONFLICT (url) DO UPDATE SET
                     etag = CASE WHEN ?4 THEN coalesce(?2, etag) ELSE ?2 END,
                     last_modified = CASE WHEN ?4 THEN coalesce(?3, last_modified) ELSE ?3 END,
                     last_success = ?5,
                     last_attempt = ?5,
                     last_error = NULL,
                     consecutive_failures = 0",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![feed_url, etag, last_modified, not_modified, now])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Records a failed fetch; the validators stay, so the next try can still be conditional.
    pub fn record_failure(
        &mut self,
        feed_url: &str,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO feeds (url, last_attempt, last_error, consecutive_failures)
                 VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (url) DO UPDATE SET
                     last_attempt = ?2,
                     last_error = ?3,
                     consecutive_failures = consecutive_failures + 1",
            )
            .and_then(|mut stmt| stmt.execute(params![feed_url, now, error]))
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Every feed ever fetched with its state, by URL.
    pub fn feed_health(&self) -> Result<Vec<(String, FeedState)>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT etag, last_modified, last_success, last_error, last_attempt,
                        consecutive_failures, url
                 FROM feeds ORDER BY url",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |row| Ok((row.get(6)?, feed_state_from_row(row)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// The last time any feed was fetched (a 200 or a 304); `None` before the first.
    pub fn latest_success(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row("SELECT max(last_success) FROM feeds", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    /// How many stored articles each feed has published at or after `since`, by feed URL;
    /// feeds without any are left out.
    pub fn counts_per_feed_since(&self, since: i64) -> Result<HashMap<String, usize>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT feed_url, count(*) FROM articles WHERE published >= ?1 GROUP BY feed_url",
            )
            .and_then(|mut stmt| {
                stmt.query_map([since], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }
}

fn feed_state_from_row(row: &Row<'_>) -> rusqlite::Result<FeedState> {
    Ok(FeedState {
        etag: row.get(0)?,
        last_modified: row.get(1)?,
        last_success: row.get(2)?,
        last_error: row.get(3)?,
        last_attempt: row.get(4)?,
        consecutive_failures: row.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn feed_state_records_successes_and_failures() {
        let scratch = Scratch::new("feed_state");
        let mut store = scratch.open();
        let url = "https://f.example/rss";
        assert_eq!(store.feed_state(url).unwrap(), FeedState::default());
        assert_eq!(store.latest_success().unwrap(), None);

        store.record_failure(url, "timed out", NOW).unwrap();
        store.record_failure(url, "HTTP 503", NOW + 1).unwrap();
        let failing = store.feed_state(url).unwrap();
        assert_eq!(failing.consecutive_failures, 2);
        assert_eq!(failing.last_error.as_deref(), Some("HTTP 503"));
        assert_eq!(
            (failing.last_attempt, failing.last_success),
            (Some(NOW + 1), None)
        );

        store
            .record_success(
                url,
                Some("\"e1\""),
                Some("Mon, 01 Jan 2024"),
                false,
                NOW + 2,
            )
            .unwrap();
        let fresh = FeedState {
            etag: Some("\"e1\"".into()),
            last_modified: Some("Mon, 01 Jan 2024".into()),
            last_success: Some(NOW + 2),
            last_error: None,
            last_attempt: Some(NOW + 2),
            consecutive_failures: 0,
        };
        assert_eq!(store.feed_state(url).unwrap(), fresh);

        // A failure keeps the validators for the next conditional request.
        store.record_failure(url, "reset", NOW + 3).unwrap();
        let state = store.feed_state(url).unwrap();
        assert_eq!(
            (state.etag.as_deref(), state.consecutive_failures),
            (Some("\"e1\""), 1)
        );

        // A 304 without validators keeps the stored ones; one with a fresh ETag takes it.
        store
            .record_success(url, None, None, true, NOW + 4)
            .unwrap();
        let state = store.feed_state(url).unwrap();
        assert_eq!(
            state,
            FeedState {
                last_success: Some(NOW + 4),
                last_attempt: Some(NOW + 4),
                ..fresh.clone()
            }
        );
        store
            .record_success(url, Some("\"e2\""), None, true, NOW + 5)
            .unwrap();
        let state = store.feed_state(url).unwrap();
        assert_eq!(state.etag.as_deref(), Some("\"e2\""));
        assert_eq!(state.last_modified, fresh.last_modified);

        // A 200 without validators clears them: the old ones no longer describe the feed.
        store
            .record_success(url, None, None, false, NOW + 6)
            .unwrap();
        let state = store.feed_state(url).unwrap();
        assert_eq!((state.etag, state.last_modified), (None, None));

        store
            .record_failure("https://a.example/rss", "DNS", NOW)
            .unwrap();
        let health = store.feed_health().unwrap();
        assert_eq!(
            health
                .iter()
                .map(|(url, _)| url.as_str())
                .collect::<Vec<_>>(),
            ["https://a.example/rss", url]
        );
        assert_eq!(health[0].1.consecutive_failures, 1);
        // The last success of any feed, not of the last one written.
        assert_eq!(store.latest_success().unwrap(), Some(NOW + 6));
        drop(store);
        assert_eq!(scratch.open().feed_health().unwrap(), health);
    }
}

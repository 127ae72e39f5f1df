//! SQLite's record of each feed's fetch state.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, params};

use super::Sqlite;
use crate::news::store::{FeedState, StoreError};

impl Sqlite {
    /// The fetch state of a feed; the default state for a feed never fetched.
    pub(crate) fn feed_state(&self, feed_url: &str) -> Result<FeedState, StoreError> {
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
    pub(crate) fn record_success(
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
    pub(crate) fn record_failure(
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
    pub(crate) fn feed_health(&self) -> Result<Vec<(String, FeedState)>, StoreError> {
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
    pub(crate) fn latest_success(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row("SELECT max(last_success) FROM feeds", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    /// How many stored articles each feed has published at or after `since`, by feed URL;
    /// feeds without any are left out.
    pub(crate) fn counts_per_feed_since(
        &self,
        since: i64,
    ) -> Result<HashMap<String, usize>, StoreError> {
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

//! The shared store's record of each feed's fetch state.

use std::collections::HashMap;

use postgres::Row;

use super::{Postgres, count};
use crate::news::store::{FeedState, StoreError};

const STATE_COLUMNS: &str =
    "etag, last_modified, last_success, last_error, last_attempt, consecutive_failures";

impl Postgres {
    pub(crate) fn feed_state(&self, feed_url: &str) -> Result<FeedState, StoreError> {
        let feed_url = feed_url.to_owned();
        self.run(move |client| {
            let row = client.query_opt(
                &format!("SELECT {STATE_COLUMNS} FROM feeds WHERE url = $1"),
                &[&feed_url],
            )?;
            Ok(row.as_ref().map(feed_state_from_row).unwrap_or_default())
        })
    }

    pub(crate) fn record_success(
        &mut self,
        feed_url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
        not_modified: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        let (feed_url, etag, last_modified) = (
            feed_url.to_owned(),
            etag.map(str::to_owned),
            last_modified.map(str::to_owned),
        );
        self.run(move |client| {
            client.execute(
                "INSERT INTO feeds (url, etag, last_modified, last_success, last_attempt)
                 VALUES ($1, $2, $3, $5, $5)
                 ON CONFLICT (url) DO UPDATE SET
                     etag = CASE WHEN $4 THEN coalesce($2, feeds.etag) ELSE $2 END,
                     last_modified = CASE WHEN $4
                         THEN coalesce($3, feeds.last_modified) ELSE $3 END,
                     last_success = $5,
                     last_attempt = $5,
                     last_error = NULL,
                     consecutive_failures = 0",
                &[&feed_url, &etag, &last_modified, &not_modified, &now],
            )?;
            Ok(())
        })
    }

    pub(crate) fn record_failure(
        &mut self,
        feed_url: &str,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let (feed_url, error) = (feed_url.to_owned(), error.to_owned());
        self.run(move |client| {
            client.execute(
                "INSERT INTO feeds (url, last_attempt, last_error, consecutive_failures)
                 VALUES ($1, $2, $3, 1)
                 ON CONFLICT (url) DO UPDATE SET
                     last_attempt = $2,
                     last_error = $3,
                     consecutive_failures = feeds.consecutive_failures + 1",
                &[&feed_url, &now, &error],
            )?;
            Ok(())
        })
    }

    pub(crate) fn feed_health(&self) -> Result<Vec<(String, FeedState)>, StoreError> {
        self.run(|client| {
            let rows = client.query(
                &format!("SELECT {STATE_COLUMNS}, url FROM feeds ORDER BY url COLLATE \"C\""),
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|row| (row.get(6), feed_state_from_row(row)))
                .collect())
        })
    }

    pub(crate) fn latest_success(&self) -> Result<Option<i64>, StoreError> {
        self.run(|client| {
            Ok(client
                .query_one("SELECT max(last_success) FROM feeds", &[])?
                .get(0))
        })
    }

    pub(crate) fn counts_per_feed_since(
        &self,
        since: i64,
    ) -> Result<HashMap<String, usize>, StoreError> {
        self.run(move |client| {
            let rows = client.query(
                "SELECT feed_url, count(*) FROM articles WHERE published >= $1
                 GROUP BY feed_url",
                &[&since],
            )?;
            Ok(rows
                .iter()
                .map(|row| (row.get(0), count(row.get(1))))
                .collect())
        })
    }
}

fn feed_state_from_row(row: &Row) -> FeedState {
    FeedState {
        etag: row.get(0),
        last_modified: row.get(1),
        last_success: row.get(2),
        last_error: row.get(3),
        last_attempt: row.get(4),
        consecutive_failures: u32::try_from(row.get::<_, i32>(5)).unwrap_or(0),
    }
}

//! Sentence embeddings as stored: each English-readable article's embedding of its English
//! title and summary, made once by the ingest and read by story clustering, in both backends
//! as the same little-endian bytes ([`sentences::to_bytes`](crate::news::sentences::to_bytes)).

use std::collections::HashMap;

use crate::news::sentences;

/// Stored bytes back as embeddings: a row of the wrong size or with a number that is not
/// finite (a store written by hand, or damaged) is left out, and its article is clustered by
/// its words alone.
pub(super) fn read_rows(rows: impl IntoIterator<Item = (i64, Vec<u8>)>) -> HashMap<i64, Vec<f32>> {
    rows.into_iter()
        .filter_map(|(id, bytes)| Some((id, sentences::from_bytes(&bytes)?)))
        .collect()
}

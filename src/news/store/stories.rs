//! The world's stories as an ingest grouped them, stored so that every screen reading a shared
//! store shows the same stories instead of grouping the articles its own way.

/// One story: its id in the grouping that wrote it, its headline article and its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredStory {
    pub id: u32,
    pub headline: i64,
    /// Article ids.
    pub articles: Vec<i64>,
}

/// The name under which both backends keep when the stories were written.
pub(super) const STORIES_WRITTEN: &str = "stories_written";

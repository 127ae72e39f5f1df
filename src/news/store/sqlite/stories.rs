//! SQLite's stories: the last grouping written, replaced whole each time.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::Sqlite;
use crate::news::store::stories::STORIES_WRITTEN;
use crate::news::store::{StoreError, StoredStory};

impl Sqlite {
    pub(crate) fn set_stories(
        &mut self,
        stories: &[StoredStory],
        now: i64,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute_batch("DELETE FROM story_members; DELETE FROM stories;")?;
            let mut story =
                tx.prepare_cached("INSERT INTO stories (id, headline) VALUES (?1, ?2)")?;
            // An article pruned since the grouping is skipped rather than failing the write.
            let mut member = tx.prepare_cached(
                "INSERT INTO story_members (article_id, story)
                 SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?1)",
            )?;
            for s in stories {
                story.execute(params![s.id, s.headline])?;
                for article in &s.articles {
                    member.execute(params![article, s.id])?;
                }
            }
            tx.execute(
                "INSERT INTO store_facts (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = ?2",
                params![STORIES_WRITTEN, now],
            )?;
            Ok(())
        })
    }

    pub(crate) fn stories(&self) -> Result<Option<(i64, Vec<StoredStory>)>, StoreError> {
        let Some(written) = self.stories_written()? else {
            return Ok(None);
        };
        let mut stories: BTreeMap<u32, StoredStory> = BTreeMap::new();
        self.conn
            .prepare_cached("SELECT id, headline FROM stories")
            .and_then(|mut stmt| {
                for row in stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))? {
                    let (id, headline) = row?;
                    stories.insert(
                        id,
                        StoredStory {
                            id,
                            headline,
                            articles: Vec::new(),
                        },
                    );
                }
                Ok(())
            })
            .map_err(|e| self.error(e))?;
        self.conn
            .prepare_cached("SELECT article_id, story FROM story_members ORDER BY article_id")
            .and_then(|mut stmt| {
                for row in stmt.query_map([], |row| Ok((row.get(0)?, row.get::<_, u32>(1)?)))? {
                    let (article, story) = row?;
                    if let Some(story) = stories.get_mut(&story) {
                        story.articles.push(article);
                    }
                }
                Ok(())
            })
            .map_err(|e| self.error(e))?;
        Ok(Some((written, stories.into_values().collect())))
    }

    pub(crate) fn stories_written(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM store_facts WHERE name = ?1",
                [STORIES_WRITTEN],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error(e))
    }
}

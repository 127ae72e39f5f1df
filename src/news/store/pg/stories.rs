//! The shared store's stories: the last grouping the ingest wrote, replaced whole each time in
//! one transaction, so a screen reads either the old grouping or the new one, never a mix.

use std::collections::BTreeMap;

use super::Postgres;
use crate::news::store::stories::STORIES_WRITTEN;
use crate::news::store::{StoreError, StoredStory};

impl Postgres {
    pub(crate) fn set_stories(
        &mut self,
        stories: &[StoredStory],
        now: i64,
    ) -> Result<(), StoreError> {
        let ids: Vec<i64> = stories.iter().map(|s| i64::from(s.id)).collect();
        let headlines: Vec<i64> = stories.iter().map(|s| s.headline).collect();
        let (members, of): (Vec<i64>, Vec<i64>) = stories
            .iter()
            .flat_map(|s| s.articles.iter().map(move |&a| (a, i64::from(s.id))))
            .unzip();
        self.run(move |client| {
            let mut tx = client.transaction()?;
            tx.batch_execute("DELETE FROM story_members; DELETE FROM stories;")?;
            tx.execute(
                "INSERT INTO stories (id, headline)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
                &[&ids, &headlines],
            )?;
            // An article pruned since the grouping is skipped rather than failing the write.
            tx.execute(
                "INSERT INTO story_members (article_id, story)
                 SELECT m.article, m.story FROM unnest($1::bigint[], $2::bigint[])
                     AS m (article, story)
                 WHERE EXISTS (SELECT 1 FROM articles WHERE id = m.article)
                 ON CONFLICT DO NOTHING",
                &[&members, &of],
            )?;
            tx.execute(
                "INSERT INTO store_facts (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET value = $2",
                &[&STORIES_WRITTEN, &now],
            )?;
            tx.commit()
        })
    }

    pub(crate) fn stories(&self) -> Result<Option<(i64, Vec<StoredStory>)>, StoreError> {
        self.run(|client| {
            // One snapshot for the time, the stories and their members.
            let mut tx = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let Some(written) = tx
                .query_opt(
                    "SELECT value FROM store_facts WHERE name = $1",
                    &[&STORIES_WRITTEN],
                )?
                .map(|row| row.get::<_, i64>(0))
            else {
                return Ok(None);
            };
            let mut stories: BTreeMap<i64, StoredStory> = BTreeMap::new();
            for row in tx.query("SELECT id, headline FROM stories", &[])? {
                let id: i64 = row.get(0);
                if let Ok(short) = u32::try_from(id) {
                    stories.insert(
                        id,
                        StoredStory {
                            id: short,
                            headline: row.get(1),
                            articles: Vec::new(),
                        },
                    );
                }
            }
            for row in tx.query(
                "SELECT article_id, story FROM story_members ORDER BY article_id",
                &[],
            )? {
                if let Some(story) = stories.get_mut(&row.get::<_, i64>(1)) {
                    story.articles.push(row.get(0));
                }
            }
            tx.commit()?;
            Ok(Some((written, stories.into_values().collect())))
        })
    }

    pub(crate) fn stories_written(&self) -> Result<Option<i64>, StoreError> {
        self.run(|client| {
            Ok(client
                .query_opt(
                    "SELECT value FROM store_facts WHERE name = $1",
                    &[&STORIES_WRITTEN],
                )?
                .map(|row| row.get(0)))
        })
    }
}

//! The store's tables, and the migrations that bring an older file up to them. The schema is
//! versioned with `PRAGMA user_version`; [`MIGRATIONS`] run in order, once each, and a file
//! that is not ours, or is ours from a newer build, is refused untouched.

use rusqlite::{Connection, TransactionBehavior};

use super::Sqlite;
use crate::news::store::StoreError;

/// Marks the file as ours (`PRAGMA application_id`), so another program's SQLite database at
/// our path is refused instead of being migrated into.
const APPLICATION_ID: i32 = 0x6e67_6c62;

/// Schema migrations; entry `i` takes the store from version `i` to `i + 1`. Append only:
/// a shipped migration never changes.
pub(in crate::news::store) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE feeds (
    url TEXT PRIMARY KEY NOT NULL,
    -- The catalog's facts, filled in when the feed's items are first stored.
    outlet TEXT,
    country TEXT,
    language TEXT,
    etag TEXT,
    last_modified TEXT,
    last_success INTEGER,
    last_attempt INTEGER,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    feed_url TEXT NOT NULL REFERENCES feeds (url),
    outlet TEXT NOT NULL,
    country TEXT NOT NULL,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    link TEXT,
    canonical_link TEXT UNIQUE,
    guid TEXT,
    image TEXT,
    published INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    UNIQUE (feed_url, guid)
);

-- Scanned backwards this index yields (published DESC, id DESC): a country's latest articles
-- without a sort.
CREATE INDEX articles_country_published ON articles (country, published);
CREATE INDEX articles_published ON articles (published);

-- External content: the text lives once, in articles; the triggers keep the index in step.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title,
    summary,
    content = 'articles',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
END;

-- Nothing updates articles today; this keeps a future UPDATE from silently desynchronising
-- the index, which FTS5 cannot detect on its own.
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
    INSERT INTO articles_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;
"#,
    r#"
-- English translations: NULL until translated, and for articles written in English.
ALTER TABLE articles ADD COLUMN title_en TEXT;
ALTER TABLE articles ADD COLUMN summary_en TEXT;
ALTER TABLE articles ADD COLUMN translated_by TEXT;

-- What the next translation run takes on, without scanning the translated majority.
CREATE INDEX articles_untranslated ON articles (language, published)
    WHERE translated_by IS NULL AND language != 'en';

-- Each text is translated once, however many articles carry it (wire stories, re-runs).
-- `hash` is FNV-1a 64 of the text, as a signed integer; `text` is kept to tell a hash
-- collision from a hit.
CREATE TABLE translations (
    hash INTEGER NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    text TEXT NOT NULL,
    translated TEXT NOT NULL,
    translated_by TEXT NOT NULL,
    PRIMARY KEY (hash, source, target)
) WITHOUT ROWID;

-- The index covers the translations too, so a search in English finds foreign articles.
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title,
    summary,
    title_en,
    summary_en,
    content = 'articles',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, summary, title_en, summary_en)
        VALUES (new.id, new.title, new.summary, new.title_en, new.summary_en);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary, title_en, summary_en)
        VALUES ('delete', old.id, old.title, old.summary, old.title_en, old.summary_en);
END;

-- Translating an article is an UPDATE; FTS5 cannot see it on its own.
CREATE TRIGGER articles_fts_update
AFTER UPDATE OF title, summary, title_en, summary_en ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary, title_en, summary_en)
        VALUES ('delete', old.id, old.title, old.summary, old.title_en, old.summary_en);
    INSERT INTO articles_fts (rowid, title, summary, title_en, summary_en)
        VALUES (new.id, new.title, new.summary, new.title_en, new.summary_en);
END;

INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
"#,
    r#"
-- An article's page as read once (see news::extract): its text, or why there is none, so
-- that the article opens offline afterwards. `paragraphs` is a JSON array of strings.
CREATE TABLE pages (
    article_id INTEGER PRIMARY KEY NOT NULL,
    fetched INTEGER NOT NULL,
    error TEXT,
    title TEXT,
    byline TEXT,
    published TEXT,
    image TEXT,
    language TEXT,
    direction TEXT,
    paragraphs TEXT
);

CREATE TRIGGER articles_pages_delete AFTER DELETE ON articles BEGIN
    DELETE FROM pages WHERE article_id = old.id;
END;
"#,
    r#"
-- The world's stories as the last ingest grouped them, so that every screen reading the store
-- shows the same ones: each member article with its story, and each story's headline.
CREATE TABLE stories (
    id INTEGER PRIMARY KEY NOT NULL,
    headline INTEGER NOT NULL
);

CREATE TABLE story_members (
    article_id INTEGER PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    story INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE
);

-- Single values the store keeps: when the stories were written (`stories_written`).
CREATE TABLE store_facts (
    name TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
);
"#,
    r#"
-- Each English-readable article's sentence embedding (news::sentences), made once by the
-- ingest from its English title and summary: 384 little-endian 32-bit floats.
CREATE TABLE sentences (
    article_id INTEGER PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    vector BLOB NOT NULL
);
"#,
];

impl Sqlite {
    /// Refuses a file that SQLite can read but that is not ours, or is ours from a newer
    /// build: migrating either would damage it.
    pub(super) fn check_ownership(&self) -> Result<(), StoreError> {
        let (version, application_id, objects): (i64, i32, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version),
                        (SELECT application_id FROM pragma_application_id),
                        (SELECT count(*) FROM sqlite_schema)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .map_err(|e| self.error(e))?;
        let foreign = if version == 0 {
            objects > 0
        } else {
            application_id != APPLICATION_ID
        };
        if foreign {
            return Err(StoreError::Corrupt {
                store: self.path.display().to_string(),
                reason: "it is another program's SQLite database".into(),
            });
        }
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                store: self.path.display().to_string(),
                found: version,
                known,
            });
        }
        Ok(())
    }

    /// Applies the missing migrations in one transaction. An up-to-date store takes no write
    /// lock here, so opening one never waits for another process's fetch.
    pub(super) fn migrate(&mut self) -> Result<(), StoreError> {
        let path = &self.path;
        let sqlite = |e| StoreError::from_sqlite(path, e);
        let user_version =
            |conn: &Connection| conn.query_row("PRAGMA user_version", [], |row| row.get(0));
        let known = MIGRATIONS.len();
        let version: usize = user_version(&self.conn).map_err(sqlite)?;
        if version >= known {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        // Another process may have migrated between the check above and the lock; its work
        // stands (writing `known` over a newer version would be a downgrade).
        let version: usize = user_version(&tx).map_err(sqlite)?;
        if version >= known {
            return Ok(());
        }
        for migration in MIGRATIONS.iter().skip(version) {
            tx.execute_batch(migration).map_err(sqlite)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .and_then(|()| tx.pragma_update(None, "user_version", known))
            .map_err(sqlite)?;
        tx.commit().map_err(sqlite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::store::test_support::*;
    use crate::news::store::{Store, StoreError};
    use rusqlite::Connection;

    #[test]
    fn a_version_1_store_migrates_keeping_its_articles_and_their_index() {
        let scratch = Scratch::new("migrate_v1");
        let path = scratch.store_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        {
            // Exactly what a build of schema version 1 left: migrations never change.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO feeds (url) VALUES ('https://v1.example/rss')",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO articles (feed_url, outlet, country, language, title, summary,
                     link, canonical_link, guid, published, first_seen)
                 VALUES ('https://v1.example/rss', 'V1', 'CHL', 'es', 'Terremoto en Chile',
                     'Un sismo sacudió Santiago.', 'https://v1.example/1',
                     'https://v1.example/1', 'g1', ?1, ?1)",
                [NOW],
            )
            .unwrap();
        }

        let mut store = scratch.open();
        assert_eq!(
            schema_versions(&store),
            (MIGRATIONS.len(), MIGRATIONS.len())
        );
        let old = store.latest_for_country("CHL", 10).unwrap();
        assert_eq!(titles(&old), ["Terremoto en Chile"]);
        assert_eq!(
            (&old[0].title_en, &old[0].summary_en, &old[0].translated_by),
            (&None, &None, &None)
        );
        assert_eq!(old[0].language, "es");
        assert_eq!(
            titles(&store.search("sismo", 10).unwrap()),
            ["Terremoto en Chile"]
        );
        check_index(&store);

        // The migrated article can be translated and found in English.
        assert_eq!(
            titles(&store.untranslated(10).unwrap()),
            ["Terremoto en Chile"]
        );
        store
            .set_translations(
                &[(old[0].id, "Earthquake in Chile", "A quake shook Santiago.")],
                "Test",
            )
            .unwrap();
        assert_eq!(
            titles(&store.search("quake", 10).unwrap()),
            ["Terremoto en Chile"]
        );
        assert!(store.untranslated(10).unwrap().is_empty());
        check_index(&store);
    }

    #[test]
    fn another_programs_database_is_refused_and_left_alone() {
        let scratch = Scratch::new("foreign");
        let path = scratch.store_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
        let error = Store::open(&path).unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
        assert!(error.to_string().contains(&path.display().to_string()));
        let conn = Connection::open(&path).unwrap();
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn a_store_from_a_newer_build_is_refused_with_its_path_and_version() {
        let scratch = Scratch::new("too_new");
        let path = scratch.store_path();
        conn(&scratch.open())
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = Store::open(&path).unwrap_err();
        assert!(
            matches!(error, StoreError::TooNew { found: 99, .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("99"), "{message}");
    }
}

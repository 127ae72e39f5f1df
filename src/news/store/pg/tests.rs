//! What only the shared store has: its refusals (a newer schema, another program's tables),
//! the read-only role for screens, reconnecting after the server restarts, and TLS. Each test
//! runs against a real PostgreSQL server of its own or the test process's.

use super::local::LocalServer;
use crate::news::store::test_support::*;
use crate::news::store::{PgSettings, Store, StoreAt, StoreError};

/// The statements the README gives for a screens' role, run as given.
const SCREEN_ROLE: &str = "
    CREATE ROLE screen LOGIN PASSWORD 'screen-secret';
    GRANT USAGE ON SCHEMA public TO screen;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO screen;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO screen;
";

fn shared_at(server: &LocalServer, database: &str, local: &std::path::Path) -> StoreAt {
    let settings =
        PgSettings::from_url(&server.url(database), None, Some(server.password())).unwrap();
    StoreAt::Shared {
        server: settings,
        local: local.to_owned(),
    }
}

#[test]
fn a_store_from_a_newer_build_is_refused_untouched_with_its_address_and_version() {
    let Some(scratch) = Scratch::postgres("too_new") else {
        return;
    };
    let mut store = scratch.open();
    insert(
        &mut store,
        &source("a", "FRA"),
        &[item(Some("1"), None, "Kept", NOW)],
        NOW,
    )
    .unwrap();
    drop(store);
    let StoreAt::Shared { server, .. } = scratch.at() else {
        unreachable!()
    };
    let database = server.to_string().rsplit('/').next().unwrap().to_owned();
    let admin = test_server().unwrap();
    admin
        .connect(&database)
        .unwrap()
        .batch_execute("UPDATE newsglobe_schema SET version = 99")
        .unwrap();
    let error = Store::open_at(&scratch.at()).unwrap_err();
    assert!(
        matches!(error, StoreError::TooNew { found: 99, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&server.to_string()), "{message}");
    assert!(
        message.contains("99") && message.contains("update newsglobe"),
        "{message}"
    );
    let left: i64 = admin
        .connect(&database)
        .unwrap()
        .query_one("SELECT count(*) FROM articles", &[])
        .unwrap()
        .get(0);
    assert_eq!(left, 1);
}

#[test]
fn a_store_of_the_first_schema_is_migrated_and_keeps_its_articles() {
    let Some(server) = test_server() else {
        return;
    };
    let database = server.create_database("migrate").unwrap();
    let mut admin = server.connect(&database).unwrap();
    // The first release's schema, as that release left it, with an article in it.
    admin.batch_execute(super::MIGRATIONS[0]).unwrap();
    admin
        .batch_execute(
            "CREATE TABLE newsglobe_schema (version INTEGER NOT NULL);
             INSERT INTO newsglobe_schema VALUES (1);
             INSERT INTO feeds (url) VALUES ('https://a.example/rss');
             INSERT INTO articles (feed_url, outlet, country, language, title, summary,
                 published, first_seen)
             VALUES ('https://a.example/rss', 'A', 'PER', 'es', 'Sismo en Lima', '', 1, 1);",
        )
        .unwrap();
    let search_index = "SELECT coalesce(array_to_string(reloptions, ','), '') \
                        FROM pg_class WHERE relname = 'articles_search'";
    let options: String = admin.query_one(search_index, &[]).unwrap().get(0);
    assert_eq!(options, "");

    let local = tempfile::tempdir().unwrap();
    let store = Store::open_at(&shared_at(server, &database, local.path())).unwrap();
    assert_eq!(
        titles(&store.search("lima", 10).unwrap()),
        ["Sismo en Lima"]
    );
    let version: i32 = admin
        .query_one("SELECT version FROM newsglobe_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version as usize, super::MIGRATIONS.len());
    let options: String = admin.query_one(search_index, &[]).unwrap().get(0);
    assert_eq!(options, "fastupdate=off");
    let sample: i32 = admin
        .query_one(
            "SELECT attstattarget::int FROM pg_attribute \
             WHERE attrelid = 'articles'::regclass AND attname = 'search'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(sample, 10000);
}

#[test]
fn a_database_holding_another_programs_tables_is_refused_and_left_alone() {
    let Some(server) = test_server() else {
        return;
    };
    let database = server.create_database("foreign").unwrap();
    server
        .connect(&database)
        .unwrap()
        .batch_execute("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    let local = tempfile::tempdir().unwrap();
    let error = Store::open_at(&shared_at(server, &database, local.path())).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    let tables: i64 = server
        .connect(&database)
        .unwrap()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        tables, 1,
        "nothing was created beside the other program's table"
    );
}

#[test]
fn a_screens_read_only_role_reads_everything_and_writes_nothing() {
    let Some(server) = test_server() else {
        return;
    };
    let database = server.create_database("screen_role").unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut ingest = Store::open_at(&shared_at(server, &database, local.path())).unwrap();
    insert(
        &mut ingest,
        &source("a", "KEN"),
        &[item(Some("1"), None, "Floods in Kisumu", NOW)],
        NOW,
    )
    .unwrap();
    server
        .connect(&database)
        .unwrap()
        .batch_execute(SCREEN_ROLE)
        .unwrap();

    let url = server.url(&database).replace("newsglobe@", "screen@");
    let screen_at = StoreAt::Shared {
        server: PgSettings::from_url(&url, None, Some("screen-secret")).unwrap(),
        local: local.path().to_owned(),
    };
    let mut screen = Store::open_at(&screen_at).unwrap();
    assert_eq!(
        titles(&screen.latest_for_country("KEN", 10).unwrap()),
        ["Floods in Kisumu"]
    );
    assert_eq!(
        titles(&screen.search("kisumu", 10).unwrap()),
        ["Floods in Kisumu"]
    );
    assert_eq!(screen.stories().unwrap(), None);
    let refused = insert(
        &mut screen,
        &source("b", "KEN"),
        &[item(Some("2"), None, "No", NOW)],
        NOW,
    )
    .unwrap_err()
    .to_string();
    assert!(refused.contains("permission denied"), "{refused}");
    assert!(
        screen
            .record_failure("https://b.example/rss", "x", NOW)
            .is_err()
    );
    assert_eq!(ingest.article_count().unwrap(), 1);
}

#[test]
fn a_store_goes_on_after_its_server_restarts_and_says_so_while_it_is_down() {
    if test_server().is_none() {
        return;
    }
    let mut server = LocalServer::start().unwrap();
    let database = server.create_database("restart").unwrap();
    let local = tempfile::tempdir().unwrap();
    let at = shared_at(&server, &database, local.path());
    let mut store = Store::open_at(&at).unwrap();
    insert(
        &mut store,
        &source("a", "CHL"),
        &[item(Some("1"), None, "Before", NOW)],
        NOW,
    )
    .unwrap();

    server.stop().unwrap();
    let down = store.article_count().unwrap_err().to_string();
    assert!(
        down.contains(&at.to_string()),
        "the error names the store: {down}"
    );
    server.start_again().unwrap();
    // The broken connections are made anew without the caller doing anything.
    assert_eq!(store.article_count().unwrap(), 1);
    insert(
        &mut store,
        &source("a", "CHL"),
        &[item(Some("2"), None, "After", NOW)],
        NOW,
    )
    .unwrap();
    server.restart().unwrap();
    assert_eq!(
        titles(&store.latest_for_country("CHL", 10).unwrap()),
        ["After", "Before"]
    );
}

#[test]
fn tls_connects_when_the_servers_certificate_is_trusted_and_not_otherwise() {
    if test_server().is_none() {
        return;
    }
    let server = LocalServer::start_tls().unwrap();
    let database = server.create_database("tls").unwrap();
    let local = tempfile::tempdir().unwrap();
    let url = format!("{}?sslmode=require", server.url(&database));
    let settings = PgSettings::from_url(&url, None, Some(server.password())).unwrap();
    let untrusted = StoreAt::Shared {
        server: settings.clone(),
        local: local.path().to_owned(),
    };
    let error = Store::open_at(&untrusted).unwrap_err().to_string();
    assert!(
        error.contains("certificate") || error.contains("UnknownIssuer"),
        "{error}"
    );
    let trusted = StoreAt::Shared {
        server: settings.with_ca_file(server.ca_file().map(ToOwned::to_owned)),
        local: local.path().to_owned(),
    };
    let mut store = Store::open_at(&trusted).unwrap();
    insert(
        &mut store,
        &source("t", "NOR"),
        &[item(Some("1"), None, "Sealed", NOW)],
        NOW,
    )
    .unwrap();
    assert_eq!(store.article_count().unwrap(), 1);
}

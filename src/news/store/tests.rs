//! The store's behaviour, the same on both backends: each test here runs once on a SQLite
//! file and once on a PostgreSQL database (see [`on_both_backends`]).

use super::test_support::*;
use super::*;
use crate::news::FeedItem;
use crate::news::extract::Extracted;

#[test]
fn default_path_is_news_sqlite_in_a_newsglobe_folder() {
    if let Some(path) = Store::default_path() {
        assert!(path.ends_with(Store::FILE_NAME));
        assert!(path.to_string_lossy().contains("newsglobe"));
    }
}

on_both_backends! {
    fn reopening_keeps_everything_and_migrates_nothing_twice(scratch) {
        let mut store = scratch.open();
        let bbc = source("bbc", "GBR");
        let items = [
            item(Some("1"), Some("https://bbc.example/a"), "Alpha", NOW),
            item(Some("2"), Some("https://bbc.example/b"), "Beta", NOW - HOUR),
        ];
        assert_eq!(insert(&mut store, &bbc, &items, NOW).unwrap(), 2);
        store
            .record_success(&bbc.feed_url, Some("\"v1\""), None, false, NOW)
            .unwrap();
        let before = store.latest_for_country("GBR", 10).unwrap();
        drop(store);

        for _ in 0..2 {
            let store = scratch.open();
            let (version, known) = schema_versions(&store);
            assert_eq!(version, known);
            assert_eq!(store.latest_for_country("GBR", 10).unwrap(), before);
            assert_eq!(
                store.feed_state(&bbc.feed_url).unwrap().etag.as_deref(),
                Some("\"v1\"")
            );
            assert_eq!(titles(&store.search("alpha", 10).unwrap()), ["Alpha"]);
        }
    }

    fn the_same_article_is_stored_once(scratch) {
        let mut store = scratch.open();
        let a = source("a", "FRA");
        let b = source("b", "FRA");
        let first = [
            item(
                Some("g1"),
                Some("https://x.example/story?utm_source=a"),
                "One",
                NOW,
            ),
            item(Some("g2"), Some("https://x.example/two"), "Two", NOW),
            item(Some("g3"), None, "Three", NOW),
            item(None, None, "Nothing to know it by", NOW),
        ];
        assert_eq!(insert(&mut store, &a, &first, NOW).unwrap(), 3);
        assert_eq!(insert(&mut store, &a, &first, NOW + 1).unwrap(), 0);

        let again = [
            // The same link with other tracking parameters and a fragment, from another feed.
            item(
                Some("other"),
                Some("https://x.example/story?fbclid=9#c"),
                "One'",
                NOW,
            ),
            // The same guid in the same feed under a new link.
            item(
                Some("g2"),
                Some("https://x.example/two-updated"),
                "Two'",
                NOW,
            ),
        ];
        assert_eq!(insert(&mut store, &a, &again, NOW).unwrap(), 0);
        assert_eq!(insert(&mut store, &b, &again[..1], NOW).unwrap(), 0);
        // The same guid in another feed is another article.
        assert_eq!(insert(&mut store, &b, &again[1..], NOW).unwrap(), 1);

        let mut stored = titles(&store.latest_for_country("FRA", 10).unwrap())
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        stored.sort();
        assert_eq!(stored, ["One", "Three", "Two", "Two'"]);
        assert_eq!(store.article_count().unwrap(), 4);
    }

    fn a_guid_that_is_a_web_address_stands_in_for_a_missing_link(scratch) {
        let mut store = scratch.open();
        let feed = source("g", "DEU");
        let items = [
            item(Some("https://g.example/1"), None, "Permalink", NOW),
            item(Some("tag:g.example,2025:2"), None, "Tag", NOW - 1),
            // Known by its link now, the same article as the permalink guid above.
            item(None, Some("https://g.example/1?utm_medium=x"), "Again", NOW),
        ];
        assert_eq!(insert(&mut store, &feed, &items, NOW).unwrap(), 2);
        let stored = store.latest_for_country("DEU", 10).unwrap();
        assert_eq!(
            stored
                .iter()
                .map(|a| (a.title.as_str(), a.link.as_str()))
                .collect::<Vec<_>>(),
            [("Permalink", "https://g.example/1"), ("Tag", "")]
        );
    }

    fn an_undated_item_is_dated_when_first_seen(scratch) {
        let mut store = scratch.open();
        let undated = FeedItem {
            published: None,
            image: Some("https://x.example/i.jpg".into()),
            ..item(Some("u"), Some("https://x.example/u"), "Undated", 0)
        };
        insert(&mut store, &source("x", "ITA"), &[undated], NOW).unwrap();
        let article = &store.latest_for_country("ITA", 1).unwrap()[0];
        assert_eq!((article.published, article.first_seen), (NOW, NOW));
        assert_eq!(article.image.as_deref(), Some("https://x.example/i.jpg"));
        assert_eq!(article.feed_url, "https://x.example/rss");
        assert_eq!(
            (article.outlet.as_str(), article.language.as_str()),
            ("X", "en")
        );
    }

    fn old_items_are_not_kept(scratch) {
        let mut store = scratch.open();
        let window = RETENTION_DAYS * SECONDS_PER_DAY;
        let items = [
            item(
                Some("old"),
                Some("https://r.example/old"),
                "Ancient",
                NOW - window - 1,
            ),
            item(
                Some("edge"),
                Some("https://r.example/edge"),
                "Edgewise",
                NOW - window,
            ),
            item(Some("new"), Some("https://r.example/new"), "Fresh", NOW),
        ];
        assert_eq!(
            insert(&mut store, &source("r", "ESP"), &items, NOW).unwrap(),
            2
        );
        assert!(store.search("ancient", 10).unwrap().is_empty());

        assert_eq!(store.prune(NOW - HOUR).unwrap(), 1);
        assert_eq!(store.prune(NOW - HOUR).unwrap(), 0);
        assert_eq!(
            titles(&store.latest_for_country("ESP", 10).unwrap()),
            ["Fresh"]
        );
        assert!(store.search("edgewise", 10).unwrap().is_empty());
        assert_eq!(titles(&store.search("summary", 10).unwrap()), ["Fresh"]);
        // The index agrees with its content table after the deletes.
        check_index(&store);
    }

    fn latest_is_newest_first_within_the_country_and_limited(scratch) {
        let mut store = scratch.open();
        let items = [
            item(
                Some("1"),
                Some("https://l.example/1"),
                "Older",
                NOW - 2 * HOUR,
            ),
            item(
                Some("2"),
                Some("https://l.example/2"),
                "Tie first",
                NOW - HOUR,
            ),
            item(
                Some("3"),
                Some("https://l.example/3"),
                "Tie second",
                NOW - HOUR,
            ),
            item(Some("4"), Some("https://l.example/4"), "Newest", NOW),
        ];
        insert(&mut store, &source("l", "JPN"), &items, NOW).unwrap();
        let elsewhere = [item(
            Some("5"),
            Some("https://m.example/5"),
            "Elsewhere",
            NOW,
        )];
        insert(&mut store, &source("m", "KOR"), &elsewhere, NOW).unwrap();

        assert_eq!(
            titles(&store.latest_for_country("JPN", 10).unwrap()),
            ["Newest", "Tie second", "Tie first", "Older"]
        );
        assert_eq!(
            titles(&store.latest_for_country("JPN", 2).unwrap()),
            ["Newest", "Tie second"]
        );
        assert!(store.latest_for_country("JPN", 0).unwrap().is_empty());
        assert!(store.latest_for_country("NOR", 10).unwrap().is_empty());
        assert_eq!(
            store.latest_for_country("JPN", usize::MAX).unwrap().len(),
            4
        );
    }

    fn counts_since_counts_per_country_from_a_time_on(scratch) {
        let mut store = scratch.open();
        let items = |feed: &str, times: &[i64]| -> Vec<FeedItem> {
            times
                .iter()
                .enumerate()
                .map(|(i, &t)| {
                    let link = format!("https://{feed}.example/{i}");
                    item(None, Some(&link), "T", t)
                })
                .collect()
        };
        insert(
            &mut store,
            &source("a", "USA"),
            &items("a", &[NOW, NOW - HOUR, NOW - 3 * HOUR]),
            NOW,
        )
        .unwrap();
        insert(
            &mut store,
            &source("b", "CAN"),
            &items("b", &[NOW - 3 * HOUR]),
            NOW,
        )
        .unwrap();
        insert(
            &mut store,
            &source("c", "USA"),
            &items("c", &[NOW - 2 * HOUR]),
            NOW,
        )
        .unwrap();

        let counts = store.counts_since(NOW - 2 * HOUR).unwrap();
        assert_eq!(counts, HashMap::from([("USA".to_string(), 3)]));
        let counts = store.counts_since(NOW - 3 * HOUR).unwrap();
        assert_eq!(
            counts,
            HashMap::from([("USA".to_string(), 4), ("CAN".to_string(), 1)])
        );
        assert!(store.counts_since(NOW + 1).unwrap().is_empty());

        let per_feed = store.counts_per_feed_since(NOW - 2 * HOUR).unwrap();
        assert_eq!(
            per_feed,
            HashMap::from([
                (source("a", "USA").feed_url, 2),
                (source("c", "USA").feed_url, 1)
            ])
        );
    }

    fn english_since_lists_what_reads_in_english_oldest_first(scratch) {
        let mut store = scratch.open();
        let english = [
            item(None, Some("https://a.example/new"), "Newer", NOW - HOUR),
            item(None, Some("https://a.example/old"), "Older", NOW - 2 * HOUR),
            item(
                None,
                Some("https://a.example/gone"),
                "Too old",
                NOW - 5 * HOUR,
            ),
        ];
        insert(&mut store, &source("a", "USA"), &english, NOW).unwrap();
        let spanish = FeedSource {
            language: "es".into(),
            ..source("b", "ESP")
        };
        let mut lluvia = item(
            None,
            Some("https://b.example/1"),
            "Llueve mucho en Madrid",
            NOW,
        );
        lluvia.summary = "La lluvia sigue en toda la ciudad durante el fin de semana".into();
        let mut sol = item(
            None,
            Some("https://b.example/2"),
            "Hace sol en Sevilla hoy",
            NOW,
        );
        sol.summary = "El calor vuelve a la ciudad andaluza este fin de semana".into();
        insert(&mut store, &spanish, &[lluvia, sol], NOW).unwrap();
        let untranslated = store.untranslated(10).unwrap();
        let rain = untranslated
            .iter()
            .find(|a| a.title.starts_with("Llueve"))
            .unwrap();
        store
            .set_translations(&[(rain.id, "It rains a lot in Madrid", "")], "Test")
            .unwrap();

        let listed = store.english_since(NOW - 3 * HOUR).unwrap();
        assert_eq!(
            titles(&listed),
            ["Older", "Newer", "Llueve mucho en Madrid"],
            "the untranslated Spanish article waits for its translation"
        );
        assert_eq!(
            listed[2].title_en.as_deref(),
            Some("It rains a lot in Madrid")
        );
    }

    fn a_pages_reading_is_kept_until_its_article_goes(dir) {
        let mut store = dir.open();
        let items = [
            item(Some("a"), Some("https://r.example/a"), "Floods", NOW),
            item(
                Some("b"),
                Some("https://r.example/b"),
                "Paywalled",
                NOW - 3 * HOUR,
            ),
        ];
        insert(&mut store, &source("r", "BRA"), &items, NOW).unwrap();
        let ids: Vec<i64> = store
            .latest_for_country("BRA", 10)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect();
        let page = Extracted {
            title: "Floods close the port".into(),
            language: Some("pt".into()),
            direction: None,
            paragraphs: vec!["Chuvas fortes.".into(), "O porto fechou.".into()],
            ..Default::default()
        };
        assert_eq!(store.page(ids[0]).unwrap(), None);
        store.set_page(ids[0], NOW, &Ok(page.clone())).unwrap();
        store
            .set_page(ids[1], NOW, &Err("the page is behind a paywall".into()))
            .unwrap();
        // Another connection (the app's reader) sees both, as written.
        let reader = dir.open();
        assert_eq!(
            reader.page(ids[0]).unwrap(),
            Some(StoredPage {
                fetched: NOW,
                read: Ok(page)
            })
        );
        assert_eq!(
            reader.page(ids[1]).unwrap().unwrap().read,
            Err("the page is behind a paywall".into())
        );
        store.prune(NOW - HOUR).unwrap();
        assert_eq!(store.page(ids[1]).unwrap(), None, "pruned with its article");
        assert!(store.page(ids[0]).unwrap().is_some());
    }

    fn feed_state_records_successes_and_failures(scratch) {
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

    fn search_finds_words_in_titles_and_summaries_and_word_beginnings(scratch) {
        let mut store = scratch.open();
        let items = [
            FeedItem {
                summary: "The central bank raised rates.".into(),
                ..item(
                    Some("1"),
                    Some("https://s.example/1"),
                    "Markets wobble",
                    NOW - HOUR,
                )
            },
            FeedItem {
                summary: "Floods in the north.".into(),
                ..item(
                    Some("2"),
                    Some("https://s.example/2"),
                    "Central bank holds",
                    NOW,
                )
            },
            FeedItem {
                summary: "Élections régionales à Montréal.".into(),
                ..item(Some("3"), Some("https://s.example/3"), "Québec vote", NOW)
            },
        ];
        insert(&mut store, &source("s", "CAN"), &items, NOW).unwrap();

        assert_eq!(
            titles(&store.search("wobble", 10).unwrap()),
            ["Markets wobble"]
        );
        assert_eq!(
            titles(&store.search("floods", 10).unwrap()),
            ["Central bank holds"]
        );
        // A title match ranks above a summary match, whatever the dates.
        assert_eq!(
            titles(&store.search("central bank", 10).unwrap()),
            ["Central bank holds", "Markets wobble"]
        );
        assert_eq!(
            titles(&store.search("central bank", 1).unwrap()),
            ["Central bank holds"]
        );
        assert_eq!(
            titles(&store.search("wob", 10).unwrap()),
            ["Markets wobble"]
        );
        // Only the last word is a prefix.
        assert!(store.search("wob markets", 10).unwrap().is_empty());
        assert_eq!(
            titles(&store.search("MONTREAL", 10).unwrap()),
            ["Québec vote"]
        );
        assert_eq!(
            titles(&store.search("\"quebec\"", 10).unwrap()),
            ["Québec vote"]
        );
    }

    fn search_takes_any_text_without_error(scratch) {
        let mut store = scratch.open();
        let items = [item(
            Some("1"),
            Some("https://w.example/1"),
            "AND OR NOT near",
            NOW,
        )];
        insert(&mut store, &source("w", "BRA"), &items, NOW).unwrap();
        for query in [
            "",
            " ",
            "\"",
            "\"\"",
            "*",
            "**",
            "AND OR",
            "AND",
            "NOT",
            ")(",
            "(",
            "-",
            "- -x",
            "a:b",
            "title:x",
            "^",
            "NEAR(a b)",
            "'; DROP TABLE articles; --",
            "😀",
            "🇧🇷 🎉",
            "\u{0}",
            "a\u{0}bc",
            "a\"b*c",
            "{title summary}: x",
            "x + y",
            "..",
        ] {
            store
                .search(query, 10)
                .unwrap_or_else(|e| panic!("{query:?}: {e}"));
        }
        assert!(store.search("", 10).unwrap().is_empty());
        assert!(store.search("😀", 10).unwrap().is_empty());
        assert_eq!(
            titles(&store.search("AND OR", 10).unwrap()),
            ["AND OR NOT near"]
        );
        assert_eq!(
            titles(&store.search("(near) and", 10).unwrap()),
            ["AND OR NOT near"]
        );
        assert_eq!(store.article_count().unwrap(), 1);
    }

    fn untranslated_lists_each_language_newest_first_up_to_its_limit(scratch) {
        let mut store = scratch.open();
        // Each feed's items in its declared language.
        let feed = |name: &str, language: &str| FeedSource {
            language: language.into(),
            ..source(name, "ZZZ")
        };
        let items = |name: &str, count: i64| -> Vec<FeedItem> {
            (0..count)
                .map(|i| {
                    let link = format!("https://{name}.example/{i}");
                    item(None, Some(&link), &format!("{name} {i}"), NOW - i * HOUR)
                })
                .collect()
        };
        for (name, language, count) in [("sw", "sw", 3), ("eu", "eu", 2), ("en", "en", 2)] {
            insert(&mut store, &feed(name, language), &items(name, count), NOW).unwrap();
        }
        assert_eq!(
            titles(&store.untranslated(2).unwrap()),
            ["eu 0", "eu 1", "sw 0", "sw 1"]
        );
        assert_eq!(titles(&store.untranslated(1).unwrap()), ["eu 0", "sw 0"]);
        assert!(store.untranslated(0).unwrap().is_empty());

        let sw0 = store.untranslated(1).unwrap()[1].id;
        store
            .set_translations(&[(sw0, "Translated", ""), (i64::MAX, "Gone", "")], "Test")
            .unwrap();
        assert_eq!(
            titles(&store.untranslated(10).unwrap()),
            ["eu 0", "eu 1", "sw 1", "sw 2"]
        );
        let translated = store.search("translated", 10).unwrap();
        assert_eq!(titles(&translated), ["sw 0"]);
        assert_eq!(
            (
                translated[0].title_en.as_deref(),
                translated[0].summary_en.as_deref(),
                translated[0].translated_by.as_deref()
            ),
            (Some("Translated"), Some(""), Some("Test"))
        );
        check_index(&store);
        // Pruning a translated article keeps the index in step.
        store.prune(NOW + 1).unwrap();
        assert!(store.search("translated", 10).unwrap().is_empty());
        check_index(&store);
    }

    fn sentence_embeddings_are_made_once_kept_and_go_with_their_article(scratch) {
        let mut store = scratch.open();
        let english = [
            item(None, Some("https://a.example/new"), "Newer", NOW - HOUR),
            item(None, Some("https://a.example/old"), "Older", NOW - 3 * HOUR),
        ];
        insert(&mut store, &source("a", "USA"), &english, NOW).unwrap();
        let spanish = FeedSource {
            language: "es".into(),
            ..source("b", "ESP")
        };
        let mut lluvia = item(None, Some("https://b.example/1"), "Llueve", NOW);
        lluvia.summary = "La lluvia sigue en toda la ciudad durante el fin de semana".into();
        insert(&mut store, &spanish, &[lluvia], NOW).unwrap();
        // Only what reads in English waits for an embedding, newest first.
        let waiting = store.unembedded(NOW - 4 * HOUR, 10).unwrap();
        assert_eq!(titles(&waiting), ["Newer", "Older"]);
        assert_eq!(titles(&store.unembedded(NOW - 2 * HOUR, 10).unwrap()), ["Newer"]);
        assert_eq!(titles(&store.unembedded(NOW - 4 * HOUR, 1).unwrap()), ["Newer"]);
        let (newer, older) = (waiting[0].id, waiting[1].id);
        let vector = |x: f32| vec![x; crate::news::sentences::DIMENSIONS];
        store
            .set_sentences(&[(newer, vector(0.5)), (i64::MAX, vector(1.0))])
            .unwrap();
        assert_eq!(titles(&store.unembedded(NOW - 4 * HOUR, 10).unwrap()), ["Older"]);
        // Made again, it is replaced; one of the wrong size is stored but never read back.
        store
            .set_sentences(&[(newer, vector(0.25)), (older, vec![1.0; 3])])
            .unwrap();
        let read = store.sentences_since(NOW - 4 * HOUR).unwrap();
        assert_eq!(read.len(), 1, "{:?}", read.keys());
        assert_eq!(read[&newer], vector(0.25));
        assert!(store.sentences_since(NOW).unwrap().is_empty());
        // A translation makes an article readable, and so one to embed.
        let rain = store.untranslated(10).unwrap()[0].id;
        store.set_translations(&[(rain, "It rains", "")], "Test").unwrap();
        assert_eq!(titles(&store.unembedded(NOW - 4 * HOUR, 10).unwrap()), ["Llueve"]);
        // Pruning an article takes its embedding with it.
        store.prune(NOW - 30 * 60).unwrap();
        assert!(store.sentences_since(0).unwrap().is_empty());
    }

    fn the_translation_cache_answers_per_text_and_language_and_survives_reopening(scratch) {
        let mut store = scratch.open();
        assert_eq!(
            store.cached_translations("es", "en", &["hola"]).unwrap(),
            [None]
        );
        store
            .cache_translations("es", "en", &[("hola", "hello"), ("adiós", "bye")], "A")
            .unwrap();
        assert_eq!(
            store
                .cached_translations("es", "en", &["adiós", "nada", "hola", ""])
                .unwrap(),
            [Some("bye".into()), None, Some("hello".into()), None]
        );
        // The same text from another language is another translation.
        assert_eq!(
            store.cached_translations("pt", "en", &["hola"]).unwrap(),
            [None]
        );
        // A newer translation of a text replaces the cached one.
        store
            .cache_translations("es", "en", &[("hola", "hi")], "B")
            .unwrap();
        drop(store);
        let store = scratch.open();
        assert_eq!(
            store.cached_translations("es", "en", &["hola"]).unwrap(),
            [Some("hi".into())]
        );
    }
}

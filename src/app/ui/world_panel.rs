//! The world panel, on the left: the World's Current Take (top stories by how many countries
//! cover them), the Blindspot list and search over the store, each story opening onto every
//! country's take.

use std::sync::Arc;

use bevy_egui::egui;

use super::palette;
use super::state::{StoryFocus, Timeline, UiActions, WorldPanel, WorldTab};
use super::widgets::{article_link, count, relative_time, takes_ui, topic_filter, topic_tags};
use crate::app::atlas::Atlas;
use crate::app::news::{News, NewsStatus, WORLD_MIN_COUNTRIES, WorldStories};
use crate::news::topics::Topic;
use crate::news::world::{StoryView, english};

/// Logical width of the world panel.
pub(super) const WORLD_WIDTH: f32 = 380.0;

/// The world panel, on the left: top stories, blindspots or search, with a topic filter.
pub(super) fn world_panel(
    root: &mut egui::Ui,
    panel: &mut WorldPanel,
    focus: &mut StoryFocus,
    timeline: &Timeline,
    news: &News,
    atlas: &Atlas,
    out: &mut UiActions,
) -> f32 {
    if !panel.open {
        return 0.0;
    }
    let response = egui::Panel::left("world")
        .resizable(false)
        .exact_size(WORLD_WIDTH)
        .frame(
            egui::Frame::side_top_panel(&root.ctx().global_style()).inner_margin(egui::Margin {
                left: 16,
                right: 16,
                top: 64,
                bottom: 16,
            }),
        )
        .show(root, |ui| {
            ui.horizontal(|ui| {
                ui.heading("The World's Current Take");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("✖").on_hover_text("Close").clicked() {
                        panel.open = false;
                        focus.0 = None;
                    }
                });
            });
            ui.horizontal(|ui| {
                ui.selectable_value(&mut panel.tab, WorldTab::Top, "Top stories");
                ui.selectable_value(&mut panel.tab, WorldTab::Blindspot, "Blindspot");
                if !out.kiosk {
                    ui.selectable_value(&mut panel.tab, WorldTab::Search, "Search");
                }
            });
            ui.separator();
            match panel.tab {
                WorldTab::Top | WorldTab::Blindspot => {
                    let (intro, filter) = if panel.tab == WorldTab::Top {
                        let intro = format!(
                            "Stories of the last 48 hours, by how many countries' outlets \
                             cover them ({WORLD_MIN_COUNTRIES} or more)."
                        );
                        (intro, "world-topic")
                    } else {
                        (blindspot_intro(&news.blindspot_outlets), "blindspot-topic")
                    };
                    ui.weak(intro);
                    topic_filter(ui, filter, &mut panel.topic);
                    let tab = panel.tab;
                    story_list(ui, tab, news, panel.topic, focus, atlas, timeline, out);
                }
                WorldTab::Search => search_ui(ui, panel, focus, news, atlas, out),
            }
            ui.allocate_space(ui.available_size());
        });
    response.response.rect.width()
}

/// What the Blindspot list is, naming the US outlets it was checked against: a blindspot
/// says as much about the catalog as about American media.
fn blindspot_intro(outlets: &[String]) -> String {
    if outlets.is_empty() {
        return "The catalog has no outlet from the United States to check stories against.".into();
    }
    format!(
        "Overlooked by American media: stories other countries cover that none of the {} \
         from the United States in the catalog carries ({}).",
        count(outlets.len(), "outlet", "outlets"),
        outlets.join(", ")
    )
}

/// The top stories or the blindspots (`tab`) of `news`, with `topic`'s only.
#[allow(clippy::too_many_arguments)] // The list shows the news and the panels' shared state.
fn story_list(
    ui: &mut egui::Ui,
    tab: WorldTab,
    news: &News,
    topic: Option<Topic>,
    focus: &mut StoryFocus,
    atlas: &Atlas,
    timeline: &Timeline,
    out: &mut UiActions,
) {
    let lists = &news.world_stories;
    let stories = if tab == WorldTab::Blindspot {
        &lists.blindspots
    } else {
        &lists.top
    };
    let shown: Vec<&Arc<StoryView>> = stories
        .iter()
        .filter(|s| topic.is_none_or(|t| s.topics.contains(&t)))
        .collect();
    if shown.is_empty() {
        ui.label(empty_list_reason(tab, lists, topic, &news.status));
        return;
    }
    let now = crate::news::now();
    egui::ScrollArea::vertical()
        .id_salt("stories")
        .show(ui, |ui| {
            for story in shown {
                story_entry(ui, story, focus, atlas, timeline, now, out);
                ui.separator();
            }
        });
}

/// Why a world list shows no story, from what the lists hold: none covered by two countries
/// yet, none that US outlets miss, or none with the topic chosen.
fn empty_list_reason(
    tab: WorldTab,
    lists: &WorldStories,
    topic: Option<Topic>,
    status: &NewsStatus,
) -> String {
    let blindspots = tab == WorldTab::Blindspot;
    if lists.top.is_empty() {
        return no_stories_yet(status).into();
    }
    if blindspots && lists.blindspots.is_empty() {
        // A story's US coverage may be older than the lists' 48 hours, so count the stories
        // the US carries at all rather than those with a US take in view.
        let carried = lists.top.iter().filter(|s| !s.blindspot).count();
        return format!(
            "No blindspot right now: outlets from the United States carry every story that \
             {WORLD_MIN_COUNTRIES} or more countries cover, the {} in Top stories among them.",
            count(carried, "story", "stories")
        );
    }
    let what = if blindspots { "blindspot" } else { "story" };
    match topic {
        Some(topic) => format!("No {what} about {} right now.", topic.label()),
        None => format!("No {what} right now."),
    }
}

/// Why a list of stories is empty, as far as the news status tells: a list that cannot fill
/// must not promise to.
fn no_stories_yet(status: &NewsStatus) -> &'static str {
    if status.store_error.is_some() {
        "No stories: the news store cannot be used."
    } else if status.offline {
        "No story is covered by more than one country, and none can come in: no feed can be \
         reached."
    } else if status.updating.is_some() || (status.fetching && status.last_update.is_none()) {
        "No story is covered by more than one country yet: the list fills as the feeds are \
         read and translated."
    } else {
        "No story of the last 48 hours is covered by more than one country."
    }
}

/// One story: its headline and reach; picked, it shows every country's take.
fn story_entry(
    ui: &mut egui::Ui,
    story: &Arc<StoryView>,
    focus: &mut StoryFocus,
    atlas: &Atlas,
    timeline: &Timeline,
    now: i64,
    out: &mut UiActions,
) {
    let focused = focus.is(story);
    let (title, _) = english(&story.headline);
    let headline = ui.selectable_label(focused, egui::RichText::new(title).strong());
    if headline.clicked() {
        if focused {
            focus.0 = None;
        } else {
            out.cover = Some(story.clone());
        }
    }
    headline.on_hover_text("Show who covers it on the globe");
    ui.horizontal_wrapped(|ui| {
        ui.weak(format!(
            "{} · {} · {}",
            count(story.takes.len(), "country", "countries"),
            count(story.articles, "article", "articles"),
            relative_time(now - story.last)
        ));
        if story.blindspot {
            ui.label(
                egui::RichText::new("Blindspot")
                    .small()
                    .color(palette::ATTENTION),
            )
            .on_hover_text("No US outlet in the catalog carries this story");
        }
        topic_tags(ui, &story.topics);
    });
    if focused {
        takes_ui(ui, story, timeline.telling_of(story), None, atlas, out);
    }
}

fn search_ui(
    ui: &mut egui::Ui,
    panel: &mut WorldPanel,
    focus: &StoryFocus,
    news: &News,
    atlas: &Atlas,
    out: &mut UiActions,
) {
    let edit = ui.add(
        egui::TextEdit::singleline(&mut panel.search)
            .hint_text("Search every stored article")
            .desired_width(f32::INFINITY),
    );
    if panel.search.trim().is_empty() {
        return;
    }
    if edit.changed() {
        out.search = Some(panel.search.clone());
    }
    let Some(results) = news.search.as_ref().filter(|r| r.query == panel.search) else {
        ui.weak("Searching…");
        return;
    };
    if results.articles.is_empty() {
        ui.label("No stored article matches every word.");
        return;
    }
    let mut countries: Vec<&str> = results
        .articles
        .iter()
        .map(|a| a.country.as_str())
        .collect();
    countries.sort_unstable();
    countries.dedup();
    // The globe lights a story in focus rather than the matches: say which it shows.
    let lit = if focus.0.is_some() {
        "the globe shows the story you picked"
    } else {
        "lit up on the globe"
    };
    ui.weak(format!(
        "{} from {}, {lit}; searched in English and in each article's own language.",
        count(results.articles.len(), "article", "articles"),
        count(countries.len(), "country", "countries")
    ));
    let now = crate::news::now();
    egui::ScrollArea::vertical()
        .id_salt("search")
        .show(ui, |ui| {
            for article in &results.articles {
                let (title, _) = english(article);
                article_link(ui, title, true, article, out);
                ui.horizontal_wrapped(|ui| {
                    let country = atlas.find(&article.country);
                    let name = country.map_or(article.country.as_str(), |c| {
                        atlas.countries[c].name.as_str()
                    });
                    if ui
                        .small_button(name)
                        .on_hover_text("Open this country with this article on top")
                        .clicked()
                        && country.is_some()
                    {
                        out.open_hit = Some(article.clone());
                    }
                    ui.weak(format!(
                        "{} · {}",
                        article.outlet,
                        relative_time(now - article.published)
                    ));
                });
                ui.separator();
            }
        });
}

#[cfg(test)]
mod no_stories_yet_tests {
    use super::*;

    #[test]
    fn promises_more_only_while_feeds_are_read() {
        let mut status = NewsStatus {
            fetching: true,
            ..Default::default()
        };
        assert!(no_stories_yet(&status).contains("fills as the feeds are read"));
        status.last_update = Some(0);
        status.offline = true;
        let offline = no_stories_yet(&status);
        assert!(offline.contains("no feed can be reached"), "{offline}");
        assert!(!offline.contains("fills"), "{offline}");
        status.offline = false;
        assert!(!no_stories_yet(&status).contains("fills"));
        status.updating = Some((1, 8));
        assert!(no_stories_yet(&status).contains("fills"));
        status.store_error = Some("disk full".into());
        assert!(no_stories_yet(&status).contains("store cannot be used"));
    }
}

#[cfg(test)]
mod empty_list_reason_tests {
    use super::*;
    use crate::news::world::Take;

    fn story(countries: &[&str]) -> Arc<StoryView> {
        let takes: Vec<Take> = countries
            .iter()
            .map(|&country| Take {
                country: country.into(),
                articles: Vec::new(),
            })
            .collect();
        Arc::new(StoryView {
            id: 1,
            headline: crate::app::ui::test_article(1, countries[0], 0),
            articles: takes.len(),
            first: 0,
            last: 0,
            blindspot: !countries.contains(&"USA"),
            topics: vec![Topic::Politics],
            takes,
        })
    }

    #[test]
    fn nothing_shared_yet_says_so_in_both_lists() {
        let lists = WorldStories::default();
        let reading = NewsStatus {
            updating: Some((1, 8)),
            ..NewsStatus::default()
        };
        for tab in [WorldTab::Top, WorldTab::Blindspot] {
            assert!(
                empty_list_reason(tab, &lists, None, &reading)
                    .starts_with("No story is covered by more"),
                "{tab:?}"
            );
        }
    }

    #[test]
    fn no_blindspot_when_the_us_carries_every_shared_story() {
        let lists = WorldStories {
            top: vec![story(&["USA", "FRA", "DEU"]), story(&["GBR", "USA"])],
            blindspots: Vec::new(),
        };
        let reason = empty_list_reason(WorldTab::Blindspot, &lists, None, &NewsStatus::default());
        assert_eq!(
            reason,
            "No blindspot right now: outlets from the United States carry every story that \
             2 or more countries cover, the 2 stories in Top stories among them."
        );
        assert!(!reason.contains("more than one country"), "{reason}");
        // A topic filter does not hide that the whole list is empty.
        assert_eq!(
            empty_list_reason(
                WorldTab::Blindspot,
                &lists,
                Some(Topic::Sport),
                &NewsStatus::default()
            ),
            reason
        );
    }

    #[test]
    fn a_topic_with_no_story_names_the_topic() {
        let blindspot = story(&["KEN", "GBR"]);
        let lists = WorldStories {
            top: vec![story(&["USA", "FRA"]), blindspot.clone()],
            blindspots: vec![blindspot],
        };
        assert_eq!(
            empty_list_reason(
                WorldTab::Top,
                &lists,
                Some(Topic::Sport),
                &NewsStatus::default()
            ),
            "No story about Sport right now."
        );
        assert_eq!(
            empty_list_reason(
                WorldTab::Blindspot,
                &lists,
                Some(Topic::Health),
                &NewsStatus::default()
            ),
            "No blindspot about Health right now."
        );
    }
}

#[cfg(test)]
mod blindspot_intro_tests {
    use super::*;

    #[test]
    fn names_the_us_outlets_checked_or_says_there_are_none() {
        let outlets = ["NPR".to_owned(), "CNN".to_owned()];
        assert_eq!(
            blindspot_intro(&outlets),
            "Overlooked by American media: stories other countries cover that none of the 2 \
             outlets from the United States in the catalog carries (NPR, CNN)."
        );
        assert!(blindspot_intro(&[]).contains("no outlet from the United States"));
    }

    #[test]
    fn the_bundled_catalog_checks_us_outlets_with_world_desks() {
        let catalog =
            crate::news::catalog::Catalog::load(&crate::news::catalog::Catalog::default_path())
                .unwrap();
        let us: Vec<&str> = catalog
            .outlets
            .iter()
            .filter(|o| o.country == crate::news::stories::BLINDSPOT_COUNTRY)
            .flat_map(|o| o.feeds.iter().map(String::as_str))
            .collect();
        let world = us
            .iter()
            .filter(|feed| feed.contains("world") || feed.contains("edition.rss"))
            .count();
        assert!(world >= 6, "{us:#?}");
    }
}

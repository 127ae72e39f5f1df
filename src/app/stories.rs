//! Stories in the app: the World's Current Take (top stories by how many countries cover
//! them), the Blindspot list, search over the store, finding a country by name, the story
//! in focus, whose coverage the globe lights up and frames, and the search hit a reader
//! went on to.
//!
//! The panels here are drawn by `panel`'s one egui pass (egui lays panels out in one root);
//! this file owns their state, the country matching and the [`Highlight`] the globe shows,
//! and the keys that act on them: Esc leaves the panel or the story, and a newly selected
//! country starts without the last one's topic filter.
//! What a story is and how stories are found is `news::stories`' and `news::world`'s concern.

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::egui;

use super::AppSystems;
use super::bidi;
use super::camera::GlobeView;
use super::globe::{Atlas, Highlight};
use super::keys::{Keys, UiKeyboard};
use super::news::{
    CloseArticle, News, NewsStatus, ReadArticle, SearchNews, WORLD_MIN_COUNTRIES, WorldStories,
};
use super::panel::relative_time;
use super::picking::{SelectCountry, Selection, apply_selection};
use crate::geo::find_countries;
use crate::news::Article;
use crate::news::topics::Topic;
use crate::news::world::HORIZON_SECONDS;
use crate::news::world::{StoryView, english};

/// Logical width of the world panel.
pub const WORLD_WIDTH: f32 = 380.0;
/// How many matches the country finder offers.
const FIND_MATCHES: usize = 8;
/// How many of one country's articles on a story show before its "more": enough to see its
/// angle, few enough that the next country's take stays in sight (the United States alone
/// can carry ninety articles on a big story).
pub const TAKE_PREVIEW: usize = 3;

/// The world panel's state: open or not, which list, the topic filter, the search text.
#[derive(Resource, Debug, Default)]
pub struct WorldPanel {
    pub open: bool,
    pub tab: WorldTab,
    pub topic: Option<Topic>,
    pub search: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WorldTab {
    #[default]
    Top,
    Blindspot,
    Search,
}

/// The story the reader has picked: the globe shows its coverage map, and the country panel
/// opens on that country's take.
#[derive(Resource, Debug, Default, Clone)]
pub struct StoryFocus(pub Option<Arc<StoryView>>);

impl StoryFocus {
    /// Whether `story` is the one in focus. Ids alone are not enough: the news thread numbers
    /// stories afresh when it restarts, so the headline must match too.
    pub fn is(&self, story: &StoryView) -> bool {
        self.0
            .as_ref()
            .is_some_and(|s| s.id == story.id && s.headline.id == story.headline.id)
    }
}

/// The country panel's reading choices. A resource rather than panel state, so that the
/// kiosk's idle reset can clear them for the next visitor. The topic is the current
/// country's: choosing another country clears it, since a topic one country has articles
/// on may leave the next one's list empty for no reason the reader can see.
#[derive(Resource, Debug, Default)]
pub struct ArticleFilters {
    pub topic: Option<Topic>,
    pub show_original: bool,
}

/// The search result whose country the reader opened: the country panel shows it on top,
/// since the country's own list holds only its newest articles.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct SearchHit(pub Option<Article>);

/// Focuses a story and flies the globe out to frame every country that covers it.
#[derive(Message, Clone, Debug)]
pub struct ShowCoverage(pub Arc<StoryView>);

/// Opens a search result's country with that result on top, leaving any story in focus: the
/// reader has moved on from it.
#[derive(Message, Clone, Debug)]
pub struct OpenSearchHit(pub Article);

/// The country finder's text and which match the arrow keys have chosen.
#[derive(Resource, Debug, Default)]
pub struct Finder {
    pub text: String,
    pub chosen: usize,
    /// Set by the keyboard shortcut: the text box takes the focus on the next pass.
    pub focus: bool,
}

/// What the panels asked for during a pass, applied by the one system that owns the writers.
#[derive(Debug, Default)]
pub struct UiActions {
    pub select: Option<Option<usize>>,
    pub search: Option<String>,
    /// Kiosk mode: a link shows its QR code instead of opening a browser, and nothing asks
    /// for a keyboard.
    pub kiosk: bool,
    pub show_qr: Option<Article>,
    /// A story to focus: the reader went to one country's take on it.
    pub focus: Option<Arc<StoryView>>,
    /// A story whose coverage to show and frame on the globe.
    pub cover: Option<Arc<StoryView>>,
    /// A search result whose country to open.
    pub open_hit: Option<Article>,
    /// An article to open in the article view.
    pub read: Option<Article>,
    /// Close the article view.
    pub close_article: bool,
}

/// Where the panels' requests go.
#[derive(bevy::ecs::system::SystemParam)]
pub struct UiWriters<'w> {
    select: MessageWriter<'w, SelectCountry>,
    search: MessageWriter<'w, SearchNews>,
    cover: MessageWriter<'w, ShowCoverage>,
    open_hit: MessageWriter<'w, OpenSearchHit>,
    read: MessageWriter<'w, ReadArticle>,
    close_article: MessageWriter<'w, CloseArticle>,
}

/// An article's headline as its link: it opens the article view, where the whole article
/// is read in the app.
pub fn article_link(
    ui: &mut egui::Ui,
    title: &str,
    strong: bool,
    article: &Article,
    out: &mut UiActions,
) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let (shown, align) = bidi::for_ui(ui, title, &font);
    let text = egui::RichText::new(shown);
    let text = if strong { text.strong() } else { text };
    let link = match align {
        None => ui.link(text),
        Some(align) => bidi::aligned(ui, align, |ui| ui.add(egui::Link::new(text))),
    };
    if link.on_hover_text("Read the article").clicked() {
        out.read = Some(article.clone());
    }
}

pub(super) fn plugin(app: &mut App) {
    // The globe's plugin makes `Highlight` too; headless apps have no globe but light
    // countries all the same.
    app.init_resource::<WorldPanel>()
        .init_resource::<StoryFocus>()
        .init_resource::<ArticleFilters>()
        .init_resource::<Highlight>()
        .init_resource::<Finder>()
        .init_resource::<SearchHit>()
        .add_message::<ShowCoverage>()
        .add_message::<OpenSearchHit>()
        .add_systems(
            Update,
            (
                finder_shortcut.in_set(AppSystems::Input),
                // Both select a country: Esc first, so a result clicked in the same frame wins.
                (escape_deselects, open_search_hit)
                    .chain()
                    .in_set(AppSystems::Pick),
                (
                    a_search_leaves_the_story,
                    show_coverage,
                    follow_the_focus,
                    highlight,
                )
                    .chain()
                    .in_set(AppSystems::Select),
                another_country_starts_afresh
                    .run_if(resource_changed::<Selection>)
                    .after(apply_selection)
                    .in_set(AppSystems::Select),
            ),
        );
}

/// A new search replaces the story in focus: its matches are what the globe should light,
/// as the search list says it does.
fn a_search_leaves_the_story(
    mut searches: MessageReader<SearchNews>,
    mut focus: ResMut<StoryFocus>,
) {
    if searches.read().last().is_some() && focus.0.is_some() {
        focus.0 = None;
    }
}

/// Focuses the story asked for and frames the countries that cover it: from close up on one
/// country the coverage elsewhere would be round the back of the globe.
fn show_coverage(
    mut requests: MessageReader<ShowCoverage>,
    atlas: Res<Atlas>,
    mut focus: ResMut<StoryFocus>,
    mut view: ResMut<GlobeView>,
) {
    let Some(ShowCoverage(story)) = requests.read().last() else {
        return;
    };
    let labels: Vec<_> = story
        .countries()
        .filter_map(|c| atlas.find(c))
        .map(|c| atlas.countries[c].label)
        .collect();
    view.frame(&labels);
    focus.0 = Some(story.clone());
}

/// Opens a search result's country with the result on top, out of any story.
fn open_search_hit(
    mut requests: MessageReader<OpenSearchHit>,
    atlas: Res<Atlas>,
    mut focus: ResMut<StoryFocus>,
    mut hit: ResMut<SearchHit>,
    mut select: MessageWriter<SelectCountry>,
) {
    let Some(OpenSearchHit(article)) = requests.read().last() else {
        return;
    };
    let Some(country) = atlas.find(&article.country) else {
        return;
    };
    focus.0 = None;
    hit.0 = Some(article.clone());
    select.write(SelectCountry(Some(country)));
}

/// Another country's panel starts without the last one's topic filter and search hit.
fn another_country_starts_afresh(
    selection: Res<Selection>,
    atlas: Res<Atlas>,
    mut filters: ResMut<ArticleFilters>,
    mut hit: ResMut<SearchHit>,
) {
    filters.topic = None;
    let selected = selection.0.map(|c| atlas.countries[c].id.as_str());
    if hit
        .0
        .as_ref()
        .is_some_and(|a| Some(a.country.as_str()) != selected)
    {
        hit.0 = None;
    }
}

/// Ctrl+F (or /) puts the cursor in the country finder: a keyboard alone can reach any
/// country.
fn finder_shortcut(
    mut keys: Keys,
    ui_keyboard: Option<Res<UiKeyboard>>,
    mut finder: ResMut<Finder>,
) {
    let typing = ui_keyboard.is_some_and(|ui| ui.0);
    let wanted = keys
        .frame()
        .presses
        .iter()
        .any(|(key, modifiers)| match key {
            KeyCode::KeyF => modifiers.ctrl,
            KeyCode::Slash => !typing,
            _ => false,
        });
    if wanted {
        finder.focus = true;
    }
}

/// Esc closes the article view, then the country panel, then, pressed again, leaves the
/// story in focus; in a text field or an open popup it is the UI's (see [`UiKeyboard`]).
fn escape_deselects(
    mut keys: Keys,
    ui_keyboard: Option<Res<UiKeyboard>>,
    selection: Res<Selection>,
    news: Option<Res<News>>,
    mut focus: ResMut<StoryFocus>,
    mut select: MessageWriter<SelectCountry>,
    mut close: MessageWriter<CloseArticle>,
) {
    let ui_has_it = ui_keyboard.is_some_and(|ui| ui.0);
    if !keys.frame().just_pressed(KeyCode::Escape) || ui_has_it {
        return;
    }
    if news.is_some_and(|news| news.page.is_some()) {
        close.write(CloseArticle);
    } else if selection.0.is_some() {
        select.write(SelectCountry(None));
    } else if focus.0.is_some() {
        focus.0 = None;
    }
}

/// Keeps the story in focus up to date as new stories arrive: a newer version that still
/// covers every country of the focused one replaces it (a version cut to the lists' 48
/// hours would drop countries the reader may be looking at), and a story is let go once the
/// news thread has forgotten it too.
fn follow_the_focus(news: Res<News>, mut focus: ResMut<StoryFocus>) {
    if !news.is_changed() {
        return;
    }
    let Some(current) = focus.0.clone() else {
        return;
    };
    let lists = &news.stories;
    let newer = lists.top.iter().chain(&lists.blindspots).find(|s| {
        s.id == current.id
            && s.takes
                .iter()
                .any(|t| t.articles.iter().any(|a| a.id == current.headline.id))
            && current.countries().all(|c| s.take(c).is_some())
    });
    match newer {
        Some(newer) if !Arc::ptr_eq(newer, &current) => focus.0 = Some(newer.clone()),
        Some(_) => {}
        None if current.last < crate::news::now() - HORIZON_SECONDS => focus.0 = None,
        None => {}
    }
}

/// What the lit countries depend on: the story and the search results in view, each by its
/// address (every reply brings new ones) and, against a freed address being reused, its
/// size; they are worked out again only when it changes.
#[derive(Default, PartialEq)]
struct HighlightKey {
    story: Option<(usize, usize)>,
    search: Option<(usize, usize)>,
}

/// The countries the globe lights up: the focused story's coverage, else the search's
/// matches while the search list is open.
fn highlight(
    focus: Res<StoryFocus>,
    panel: Res<WorldPanel>,
    news: Res<News>,
    atlas: Res<Atlas>,
    mut highlight: ResMut<Highlight>,
    mut shown: Local<Option<HighlightKey>>,
) {
    let searching = panel.open && panel.tab == WorldTab::Search;
    let key = HighlightKey {
        story: focus
            .0
            .as_ref()
            .map(|s| (Arc::as_ptr(s) as usize, s.takes.len())),
        search: news
            .search
            .as_ref()
            .filter(|r| searching && r.query == panel.search)
            .map(|r| (r.articles.as_ptr() as usize, r.articles.len())),
    };
    if shown.as_ref() == Some(&key) {
        return;
    }
    *shown = Some(key);
    let codes: Vec<&str> = match (&focus.0, &news.search) {
        (Some(story), _) => story.countries().collect(),
        (None, Some(results))
            if panel.open && panel.tab == WorldTab::Search && results.query == panel.search =>
        {
            results
                .articles
                .iter()
                .map(|a| a.country.as_str())
                .collect()
        }
        _ => Vec::new(),
    };
    let mut countries: Vec<usize> = codes.into_iter().filter_map(|c| atlas.find(c)).collect();
    countries.sort_unstable();
    countries.dedup();
    highlight.set_if_neq(Highlight(countries));
}

/// The country finder: a text box in the top-left corner and, while it has text, the
/// matches below it. Up and Down choose, Enter flies there, Esc clears.
/// Beside it, the button that opens the world panel and, while a story is in focus and that
/// panel is closed, one that leaves the story: a touch screen has no Esc.
pub fn finder_ui(
    ctx: &egui::Context,
    finder: &mut Finder,
    panel: &mut WorldPanel,
    focus: &mut StoryFocus,
    atlas: &Atlas,
    out: &mut UiActions,
) {
    if out.kiosk && panel.open {
        return;
    }
    egui::Area::new("finder".into())
        .order(egui::Order::Foreground)
        .fixed_pos(egui::pos2(12.0, 12.0))
        .show(ctx, |ui| {
            egui::Frame::popup(&ctx.global_style()).show(ui, |ui| {
                ui.set_width(260.0);
                if !panel.open
                    && ui
                        .button("🌐 The World's Current Take")
                        .on_hover_text("Top stories, blindspots and search")
                        .clicked()
                {
                    panel.open = true;
                }
                if !panel.open
                    && focus.0.is_some()
                    && ui
                        .button("✖ Leave the story")
                        .on_hover_text("Light up the news again instead of one story")
                        .clicked()
                {
                    focus.0 = None;
                }
                if out.kiosk {
                    return;
                }
                let edit = ui.add(
                    egui::TextEdit::singleline(&mut finder.text)
                        .hint_text("Find a country (Ctrl+F)")
                        .desired_width(f32::INFINITY),
                );
                if std::mem::take(&mut finder.focus) {
                    edit.request_focus();
                }
                if edit.changed() {
                    finder.chosen = 0;
                }
                let matches = find_countries(&atlas.countries, &finder.text);
                let matches = &matches[..matches.len().min(FIND_MATCHES)];
                if finder.text.trim().is_empty() {
                    return;
                }
                if matches.is_empty() {
                    ui.weak("No country by that name");
                    return;
                }
                let (down, up, enter, escape) = ui.input(|i| {
                    (
                        i.key_pressed(egui::Key::ArrowDown),
                        i.key_pressed(egui::Key::ArrowUp),
                        i.key_pressed(egui::Key::Enter),
                        i.key_pressed(egui::Key::Escape),
                    )
                });
                let focused = edit.has_focus() || edit.lost_focus();
                if focused && down {
                    finder.chosen = (finder.chosen + 1).min(matches.len() - 1);
                }
                if focused && up {
                    finder.chosen = finder.chosen.saturating_sub(1);
                }
                finder.chosen = finder.chosen.min(matches.len() - 1);
                let mut picked = (edit.lost_focus() && enter).then(|| matches[finder.chosen]);
                for (n, &country) in matches.iter().enumerate() {
                    let label =
                        ui.selectable_label(n == finder.chosen, &atlas.countries[country].name);
                    if label.clicked() {
                        picked = Some(country);
                    }
                }
                if let Some(country) = picked {
                    out.select = Some(Some(country));
                    finder.text.clear();
                    finder.chosen = 0;
                    edit.surrender_focus();
                } else if escape && focused {
                    finder.text.clear();
                }
            });
        });
}

/// The world panel, on the left: top stories, blindspots or search, with a topic filter.
pub fn world_panel(
    root: &mut egui::Ui,
    panel: &mut WorldPanel,
    focus: &mut StoryFocus,
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
                WorldTab::Top => {
                    ui.weak(format!(
                        "Stories of the last 48 hours, by how many countries' outlets cover \
                         them ({WORLD_MIN_COUNTRIES} or more)."
                    ));
                    topic_filter(ui, "world-topic", &mut panel.topic);
                    story_list(ui, WorldTab::Top, news, panel.topic, focus, atlas, out);
                }
                WorldTab::Blindspot => {
                    ui.weak(
                        "Overlooked by American media: stories other countries cover that no \
                         outlet from the United States in our catalog carries.",
                    );
                    topic_filter(ui, "blindspot-topic", &mut panel.topic);
                    story_list(
                        ui,
                        WorldTab::Blindspot,
                        news,
                        panel.topic,
                        focus,
                        atlas,
                        out,
                    );
                }
                WorldTab::Search => search_ui(ui, panel, focus, news, atlas, out),
            }
            ui.allocate_space(ui.available_size());
        });
    response.response.rect.width()
}

/// A topic filter: "All topics" or one of the taxonomy's.
pub fn topic_filter(ui: &mut egui::Ui, id: &str, topic: &mut Option<Topic>) -> egui::Response {
    egui::ComboBox::from_id_salt(id)
        .selected_text(topic.map_or("All topics", Topic::label))
        .width(200.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(topic, None, "All topics");
            for t in Topic::ALL {
                ui.selectable_value(topic, Some(t), t.label());
            }
        })
        .response
}

/// The top stories or the blindspots (`tab`) of `news`, with `topic`'s only.
fn story_list(
    ui: &mut egui::Ui,
    tab: WorldTab,
    news: &News,
    topic: Option<Topic>,
    focus: &mut StoryFocus,
    atlas: &Atlas,
    out: &mut UiActions,
) {
    let lists = &news.stories;
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
                story_entry(ui, story, focus, atlas, now, out);
                ui.separator();
            }
        });
}

/// Why a world list shows no story, from what the lists hold: none covered by two countries
/// yet, none that US outlets miss, or none with the topic chosen.
pub fn empty_list_reason(
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
                    .color(egui::Color32::from_rgb(240, 190, 90)),
            )
            .on_hover_text("No US outlet in the catalog carries this story");
        }
        topic_tags(ui, &story.topics);
    });
    if focused {
        takes_ui(ui, story, None, atlas, out);
    }
}

/// The topics of an article or story, as small labels.
pub fn topic_tags(ui: &mut egui::Ui, topics: &[Topic]) {
    for topic in topics {
        ui.label(
            egui::RichText::new(topic.label())
                .size(12.5)
                .color(egui::Color32::from_rgb(150, 200, 230)),
        );
    }
}

/// Every country's take on a story, but `except`'s: the country's name flies the globe there
/// and opens its view of the story; each headline links to the article.
pub fn takes_ui(
    ui: &mut egui::Ui,
    story: &Arc<StoryView>,
    except: Option<&str>,
    atlas: &Atlas,
    out: &mut UiActions,
) {
    for take in story
        .takes
        .iter()
        .filter(|t| Some(t.country.as_str()) != except)
    {
        let country = atlas.find(&take.country);
        let name = country.map_or(take.country.as_str(), |c| atlas.countries[c].name.as_str());
        ui.horizontal(|ui| {
            let button = ui
                .button(egui::RichText::new(name).strong())
                .on_hover_text("Fly there and read its take");
            if button.clicked()
                && let Some(country) = country
            {
                out.select = Some(Some(country));
                out.focus = Some(story.clone());
            }
            ui.weak(count(take.articles.len(), "article", "articles"));
        });
        previewed(
            ui,
            egui::Id::new(("take", story.id, &take.country)),
            &take.articles,
            |ui, article| take_line(ui, article, out),
        );
    }
}

/// The part of a list shown before its "more" control, and how many that control holds
/// back: the first [`TAKE_PREVIEW`], or all of them once expanded. A single extra item shows
/// rather than hide behind "1 more", which would take as much room.
pub fn preview<T>(items: &[T], expanded: bool) -> (&[T], usize) {
    if expanded || items.len() <= TAKE_PREVIEW + 1 {
        (items, 0)
    } else {
        (&items[..TAKE_PREVIEW], items.len() - TAKE_PREVIEW)
    }
}

/// A list cut to its [`preview`], with a control that shows the rest and one that folds it
/// back; egui's memory keeps which lists are open under `id`.
pub fn previewed<T>(
    ui: &mut egui::Ui,
    id: egui::Id,
    items: &[T],
    mut line: impl FnMut(&mut egui::Ui, &T),
) {
    let expanded = ui.ctx().data(|d| d.get_temp::<bool>(id)).unwrap_or(false);
    let (shown, hidden) = preview(items, expanded);
    for item in shown {
        line(ui, item);
    }
    let toggle = if hidden > 0 {
        Some((format!("{hidden} more"), true))
    } else if expanded && preview(items, false).1 > 0 {
        Some(("Show fewer".to_owned(), false))
    } else {
        None
    };
    if let Some((label, expand)) = toggle {
        ui.horizontal(|ui| {
            ui.add_space(12.0);
            if ui.small_button(label).clicked() {
                ui.ctx().data_mut(|d| d.insert_temp(id, expand));
            }
        });
    }
}

fn take_line(ui: &mut egui::Ui, article: &Article, out: &mut UiActions) {
    let (title, _) = english(article);
    ui.horizontal_wrapped(|ui| {
        ui.add_space(12.0);
        article_link(ui, title, false, article, out);
        ui.weak(format!("· {}", article.outlet));
    });
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

/// "1 article", "3 articles".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Sends what a pass asked for.
pub fn apply(out: UiActions, writers: &mut UiWriters) {
    if let Some(country) = out.select {
        writers.select.write(SelectCountry(country));
    }
    if let Some(query) = out.search {
        writers.search.write(SearchNews(query));
    }
    if let Some(story) = out.cover {
        writers.cover.write(ShowCoverage(story));
    }
    if let Some(article) = out.open_hit {
        writers.open_hit.write(OpenSearchHit(article));
    }
    if out.close_article {
        writers.close_article.write(CloseArticle);
    }
    if let Some(article) = out.read {
        writers.read.write(ReadArticle(article));
    }
}

#[cfg(test)]
mod no_stories_yet_tests {
    use super::*;

    #[test]
    fn promises_more_only_while_feeds_are_read() {
        let mut status = NewsStatus {
            fetching: true,
            ..default()
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
mod count_tests {
    use super::*;

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1, "country", "countries"), "1 country");
        assert_eq!(count(0, "article", "articles"), "0 articles");
        assert_eq!(count(12, "article", "articles"), "12 articles");
    }
}

#[cfg(test)]
mod preview_tests {
    use super::*;

    #[test]
    fn a_long_take_shows_a_few_and_counts_the_rest() {
        let articles: Vec<usize> = (0..91).collect();
        let (shown, hidden) = preview(&articles, false);
        assert_eq!(shown, [0, 1, 2]);
        assert_eq!(hidden, 88);
        let (shown, hidden) = preview(&articles, true);
        assert_eq!((shown.len(), hidden), (91, 0), "expanded, all of them");
    }

    #[test]
    fn short_takes_show_whole() {
        for n in 0..=TAKE_PREVIEW + 1 {
            let articles: Vec<usize> = (0..n).collect();
            assert_eq!(preview(&articles, false), (&articles[..], 0), "{n}");
        }
        let five: Vec<usize> = (0..TAKE_PREVIEW + 2).collect();
        assert_eq!(preview(&five, false).1, 2, "two more are worth a control");
    }
}

#[cfg(test)]
mod follow_the_focus_tests {
    use bevy::ecs::system::RunSystemOnce;

    use super::*;
    use crate::news::world::Take;

    pub(super) fn article(id: i64, country: &str, published: i64) -> Article {
        Article {
            id,
            feed_url: String::new(),
            outlet: format!("{country} outlet"),
            country: country.into(),
            language: "en".into(),
            title: format!("Article {id}"),
            summary: String::new(),
            title_en: None,
            summary_en: None,
            translated_by: None,
            link: format!("https://example.org/{id}"),
            image: None,
            published,
            first_seen: published,
        }
    }

    /// Story 7 with the given takes; article 1 is its headline.
    fn story(takes: &[(&str, i64)], last: i64) -> Arc<StoryView> {
        let takes: Vec<Take> = takes
            .iter()
            .map(|&(country, id)| Take {
                country: country.into(),
                articles: vec![article(id, country, last)],
            })
            .collect();
        Arc::new(StoryView {
            id: 7,
            headline: takes[0].articles[0].clone(),
            articles: takes.len(),
            takes,
            first: last,
            last,
            blindspot: false,
            topics: Vec::new(),
        })
    }

    /// The focus after the news thread's lists become `top`.
    fn followed(current: Arc<StoryView>, top: Vec<Arc<StoryView>>) -> Option<Arc<StoryView>> {
        let mut world = World::new();
        let mut news = News::default();
        news.stories.top = top;
        world.insert_resource(news);
        world.insert_resource(StoryFocus(Some(current)));
        world.run_system_once(follow_the_focus).unwrap();
        world.resource::<StoryFocus>().0.clone()
    }

    #[test]
    fn a_wider_version_replaces_the_focus_and_a_narrower_one_does_not() {
        let now = crate::news::now();
        let current = story(&[("FRA", 1), ("DEU", 2)], now);
        let wider = story(&[("FRA", 1), ("DEU", 2), ("GBR", 3)], now);
        let followed_wider = followed(current.clone(), vec![wider.clone()]).unwrap();
        assert!(Arc::ptr_eq(&followed_wider, &wider));

        // The 48-hour version no longer has Germany's older take: keep the whole story.
        let narrower = story(&[("FRA", 1), ("GBR", 3)], now);
        let kept = followed(current.clone(), vec![narrower]).unwrap();
        assert!(Arc::ptr_eq(&kept, &current));
    }

    #[test]
    fn a_story_in_no_list_is_kept_until_the_news_thread_forgets_it() {
        let now = crate::news::now();
        let recent = story(&[("FRA", 1), ("DEU", 2)], now - 60 * 3600);
        assert!(followed(recent, Vec::new()).is_some());
        let forgotten = story(&[("FRA", 1), ("DEU", 2)], now - HORIZON_SECONDS - 1);
        assert!(followed(forgotten, Vec::new()).is_none());
        // Another story that happens to reuse the id after a restart is not this one.
        let other = story(&[("JPN", 8), ("KOR", 9)], now);
        let current = story(&[("FRA", 1), ("DEU", 2)], now);
        let kept = followed(current.clone(), vec![other]).unwrap();
        assert!(Arc::ptr_eq(&kept, &current));
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
            headline: super::follow_the_focus_tests::article(1, countries[0], 0),
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
mod article_link_tests {
    use super::*;

    fn article() -> Article {
        Article {
            id: 7,
            feed_url: "https://a.example/rss".into(),
            outlet: "A".into(),
            country: "ESP".into(),
            language: "es".into(),
            title: "Titular".into(),
            summary: String::new(),
            title_en: None,
            summary_en: None,
            translated_by: None,
            link: "https://a.example/7".into(),
            image: None,
            published: 0,
            first_seen: 0,
        }
    }

    /// Runs one pass drawing the headline with `events`; returns where it was and what the
    /// pass asked for.
    fn pass(ctx: &egui::Context, events: Vec<egui::Event>, kiosk: bool) -> (egui::Rect, UiActions) {
        let mut out = UiActions {
            kiosk,
            ..Default::default()
        };
        let mut rect = egui::Rect::NOTHING;
        let input = crate::app::egui_input(800.0, 600.0, events);
        ctx.run_ui(input, |ui| {
            article_link(ui, "Titular", false, &article(), &mut out);
            rect = ui.min_rect();
        })
        .drop_without_applying_deltas();
        (rect, out)
    }

    #[test]
    fn a_click_on_a_headline_opens_the_article_in_the_app_on_a_kiosk_too() {
        for kiosk in [false, true] {
            let ctx = egui::Context::default();
            let (rect, out) = pass(&ctx, Vec::new(), kiosk);
            assert!(out.read.is_none());
            let at = rect.center();
            let button = |pressed| egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: Default::default(),
            };
            pass(
                &ctx,
                vec![egui::Event::PointerMoved(at), button(true)],
                kiosk,
            );
            let (_, out) = pass(&ctx, vec![button(false)], kiosk);
            assert_eq!(out.read.map(|a| a.id), Some(7), "kiosk {kiosk}");
            assert!(
                out.show_qr.is_none(),
                "the code is the article view's to show"
            );
        }
    }
}

//! The UI's state in one place: the world panel, the story in focus, the country panel's
//! reading choices, the search hit, the country finder and, in kiosk mode, the QR view, with
//! the one [`UiState::reset`] the kiosk calls between visitors; what the panels ask for during
//! a pass ([`UiActions`]) and where it goes.
//!
//! The systems here keep that state in step outside the egui pass, where headless apps run
//! them too: Esc leaves the article, the panel or the story; a newly selected country starts
//! without the last one's topic filter; a search or a picked story lights the globe
//! ([`Highlight`]) and frames the countries that cover it.
//! What a story is and how stories are found is `news::stories`' and `news::world`'s concern.

use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::app::AppSystems;
use crate::app::atlas::Atlas;
use crate::app::camera::GlobeView;
use crate::app::globe::Highlight;
use crate::app::keys::{Keys, UiKeyboard};
use crate::app::news::{CloseArticle, News, ReadArticle, SearchNews};
use crate::app::rest::{Alarm, Rest};
use crate::app::selection::{SelectCountry, Selection, apply_selection};
use crate::news::Article;
use crate::news::spread::{FirstReport, Spread, Telling};
use crate::news::topics::Topic;
use crate::news::world::{HORIZON_SECONDS, StoryView};

/// The world panel's state: open or not, which list, the topic filter, the search text.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
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

/// The same story, not an equal one: each version the news thread sends is a new `Arc`, and
/// the globe's lit countries are worked out again for it.
impl PartialEq for StoryFocus {
    fn eq(&self, other: &Self) -> bool {
        same_version(&self.0, &other.0)
    }
}

/// Both the same version of a story (the same `Arc`), or both none.
fn same_version(a: &Option<Arc<StoryView>>, b: &Option<Arc<StoryView>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

impl StoryFocus {
    /// Whether `story` is (a version of) the one in focus.
    pub fn is(&self, story: &StoryView) -> bool {
        self.0.as_ref().is_some_and(|s| s.is_version_of(story))
    }
}

/// The country panel's reading choices. A resource rather than panel state, so that the
/// kiosk's idle reset can clear them for the next visitor. The topic is the current
/// country's: choosing another country clears it, since a topic one country has articles
/// on may leave the next one's list empty for no reason the reader can see.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
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
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Finder {
    pub text: String,
    pub chosen: usize,
    /// Set by the keyboard shortcut: the text box takes the focus on the next pass.
    pub focus: bool,
}

/// In kiosk mode, the article whose link is shown as a QR code; its presence as a resource
/// is what turns links into QR codes.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct QrView(pub Option<Article>);

/// How long a story's spread plays, whatever its own span: its hours or days in a few
/// seconds, each country lighting up at its moment.
pub const PLAY_SECONDS: f32 = 8.0;

/// How often the globe is drawn while a spread plays: countries light up a few times a
/// second at most, and a software renderer's frames are dear.
const PLAY_FRAME_SECONDS: f64 = 1.0 / 30.0;

/// The timeline of the story in focus: how it spread and how each country tells it, worked
/// out once per version of the story, and the scrubber over the spread. Position 0 is the
/// first report, 1 the last country's first report, where a story starts: every country
/// that covers it lit.
#[derive(Resource, Debug, Default, Clone)]
pub struct Timeline {
    /// The version of the story the telling is of.
    story: Option<Arc<StoryView>>,
    pub telling: Option<Arc<Telling>>,
    pub position: f32,
    pub playing: bool,
}

/// The same version of a story at the same place: a new version's telling is new.
impl PartialEq for Timeline {
    fn eq(&self, other: &Self) -> bool {
        same_version(&self.story, &other.story)
            && self.position == other.position
            && self.playing == other.playing
    }
}

/// What the scrubber asks of the timeline.
#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub enum TimelineControl {
    /// Play from here, or from the start once played through.
    Play,
    Pause,
    /// Stop at this position (0 to 1): a drag or a tap on the scrubber.
    Seek(f32),
}

impl Timeline {
    /// Follows the story in focus: another story starts with its whole spread shown and
    /// still; a newer version of the same story keeps the scrubber where it is.
    pub fn follow(&mut self, focus: Option<&Arc<StoryView>>) {
        let Some(story) = focus else {
            *self = Self::default();
            return;
        };
        if self.story.as_ref().is_some_and(|s| Arc::ptr_eq(s, story)) {
            return;
        }
        let same_story = self.story.as_ref().is_some_and(|s| s.is_version_of(story));
        self.telling = Some(Arc::new(Telling::of(story)));
        self.story = Some(story.clone());
        if !same_story {
            self.position = 1.0;
            self.playing = false;
        }
    }

    /// The telling of `story`, when it is the one followed.
    pub fn telling_of(&self, story: &StoryView) -> Option<&Telling> {
        self.story
            .as_ref()
            .filter(|s| s.is_version_of(story))
            .and(self.telling.as_deref())
    }

    pub fn control(&mut self, control: TimelineControl) {
        if self.telling.is_none() {
            return;
        }
        match control {
            TimelineControl::Play => {
                if self.position >= 1.0 {
                    self.position = 0.0;
                }
                self.playing = true;
            }
            TimelineControl::Pause => self.playing = false,
            TimelineControl::Seek(position) => {
                self.position = if position.is_finite() {
                    position.clamp(0.0, 1.0)
                } else {
                    1.0
                };
                self.playing = false;
            }
        }
    }

    /// Plays on by `seconds` of the app's time; it stops at the end. Returns whether it
    /// is still playing.
    pub fn advance(&mut self, seconds: f32) -> bool {
        if self.playing {
            self.position = (self.position + seconds.max(0.0) / PLAY_SECONDS).min(1.0);
            self.playing = self.position < 1.0;
        }
        self.playing
    }

    /// The story's time at the scrubber, Unix seconds.
    pub fn time(&self) -> Option<i64> {
        let (start, end) = self.telling.as_ref()?.spread.span()?;
        Some(start + ((end - start) as f64 * f64::from(self.position)).round() as i64)
    }

    /// The first reports made by the scrubber's time, in order.
    pub fn reached(&self) -> &[FirstReport] {
        match (&self.telling, self.time()) {
            (Some(telling), Some(time)) => &telling.spread.reports[..telling.spread.reached(time)],
            _ => &[],
        }
    }
}

/// The two countries whose takes on the story in focus are shown side by side, while the
/// reader compares them; the view follows the story's newer versions and ends with it.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct SideBySide(pub Option<[String; 2]>);

/// The UI's state as one system parameter, for the egui pass and for the kiosk's reset.
#[derive(SystemParam)]
pub struct UiState<'w> {
    pub world: ResMut<'w, WorldPanel>,
    pub focus: ResMut<'w, StoryFocus>,
    pub filters: ResMut<'w, ArticleFilters>,
    pub hit: ResMut<'w, SearchHit>,
    pub finder: ResMut<'w, Finder>,
    /// In kiosk mode, links show as QR codes instead of opening a browser.
    pub qr: ResMut<'w, QrView>,
    pub compare: ResMut<'w, SideBySide>,
}

/// The UI's state as plain values: what the egui pass edits, stored back with `set_if_neq`
/// so that a resource reads as changed only when a panel changed it, and systems that
/// follow it (the globe's lit countries) run only then.
#[derive(Clone, Debug, PartialEq)]
pub struct UiValues {
    pub world: WorldPanel,
    pub focus: StoryFocus,
    pub filters: ArticleFilters,
    pub hit: SearchHit,
    pub finder: Finder,
    pub qr: QrView,
    pub compare: SideBySide,
}

impl UiState<'_> {
    /// The state as it stands, to edit.
    pub fn values(&self) -> UiValues {
        UiValues {
            world: self.world.clone(),
            focus: self.focus.clone(),
            filters: self.filters.clone(),
            hit: self.hit.clone(),
            finder: self.finder.clone(),
            qr: self.qr.clone(),
            compare: self.compare.clone(),
        }
    }

    /// Stores `values` back, touching only the resources that differ.
    pub fn store(&mut self, values: UiValues) {
        self.world.set_if_neq(values.world);
        self.focus.set_if_neq(values.focus);
        self.filters.set_if_neq(values.filters);
        self.hit.set_if_neq(values.hit);
        self.finder.set_if_neq(values.finder);
        self.qr.set_if_neq(values.qr);
        self.compare.set_if_neq(values.compare);
    }

    /// Back to how the UI starts, for the next visitor: the world panel closed on its first
    /// list, no story in focus, no topic filter, nothing typed, no code shown. The selection
    /// and the article view are not the UI's: the kiosk closes those itself.
    pub fn reset(&mut self) {
        let mut values = self.values();
        values.world = WorldPanel::default();
        values.focus = StoryFocus::default();
        values.filters = ArticleFilters::default();
        values.hit = SearchHit::default();
        values.finder.text.clear();
        values.qr = QrView::default();
        values.compare = SideBySide::default();
        self.store(values);
    }
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
    /// What the reader did with the story's timeline.
    pub timeline: Option<TimelineControl>,
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
    timeline: MessageWriter<'w, TimelineControl>,
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
    if let Some(control) = out.timeline {
        writers.timeline.write(control);
    }
}

/// The UI's resources and messages, and the systems that keep them in step outside the
/// egui pass.
pub fn plugin(app: &mut App) {
    // The globe's plugin makes `Highlight` too; headless apps have no globe but light
    // countries all the same.
    app.init_resource::<WorldPanel>()
        .init_resource::<StoryFocus>()
        .init_resource::<ArticleFilters>()
        .init_resource::<Highlight>()
        .init_resource::<Finder>()
        .init_resource::<SearchHit>()
        .init_resource::<QrView>()
        .init_resource::<Timeline>()
        .init_resource::<SideBySide>()
        .add_message::<ShowCoverage>()
        .add_message::<TimelineControl>()
        .add_message::<OpenSearchHit>()
        .add_systems(
            Update,
            (
                focus_finder_on_shortcut.in_set(AppSystems::Input),
                // Both select a country: Esc first, so a result clicked in the same frame wins.
                (close_on_escape, open_search_hit)
                    .chain()
                    .in_set(AppSystems::Pick),
                (
                    unfocus_story_on_search,
                    show_coverage,
                    track_focus,
                    run_timeline,
                    highlight.run_if(
                        resource_changed::<StoryFocus>
                            .or_else(resource_changed::<WorldPanel>)
                            .or_else(resource_changed::<News>)
                            .or_else(resource_changed::<Timeline>),
                    ),
                )
                    .chain()
                    .in_set(AppSystems::Select),
                reset_filters_on_new_country
                    .run_if(resource_changed::<Selection>)
                    .after(apply_selection)
                    .in_set(AppSystems::Select),
            ),
        );
}

/// A new search replaces the story in focus: its matches are what the globe should light,
/// as the search list says it does.
fn unfocus_story_on_search(mut searches: MessageReader<SearchNews>, mut focus: ResMut<StoryFocus>) {
    if searches.read().last().is_some() && focus.0.is_some() {
        focus.0 = None;
    }
}

/// Focuses the story asked for and frames the countries that cover it: from close up on one
/// country the coverage elsewhere would be round the back of the globe. The first to report
/// it comes first, so a coverage too wide for one view is seen from there when it can be.
fn show_coverage(
    mut requests: MessageReader<ShowCoverage>,
    atlas: Res<Atlas>,
    mut focus: ResMut<StoryFocus>,
    mut view: ResMut<GlobeView>,
) {
    let Some(ShowCoverage(story)) = requests.read().last() else {
        return;
    };
    let labels: Vec<_> = Spread::of(story)
        .reports
        .iter()
        .filter_map(|r| atlas.find(&r.country))
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
fn reset_filters_on_new_country(
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
fn focus_finder_on_shortcut(
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
fn close_on_escape(
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
fn track_focus(news: Res<News>, mut focus: ResMut<StoryFocus>) {
    if !news.is_changed() {
        return;
    }
    let Some(current) = focus.0.clone() else {
        return;
    };
    let lists = &news.world_stories;
    let newer = lists.top.iter().chain(&lists.blindspots).find(|s| {
        s.id == current.id
            && s.holds(current.headline.id)
            && current.countries().all(|c| s.take(c).is_some())
    });
    match newer {
        Some(newer) if !Arc::ptr_eq(newer, &current) => focus.0 = Some(newer.clone()),
        Some(_) => {}
        None if current.last < crate::news::now() - HORIZON_SECONDS => focus.0 = None,
        None => {}
    }
}

/// Keeps the timeline on the story in focus, takes the scrubber's requests, and plays on:
/// while it plays it asks for the next frame, at most [`PLAY_FRAME_SECONDS`] away. A frame
/// after a rest takes no step, as the camera's animations do not.
fn run_timeline(
    focus: Res<StoryFocus>,
    mut controls: MessageReader<TimelineControl>,
    time: Res<Time>,
    rest: Res<Rest>,
    mut alarm: ResMut<Alarm>,
    mut timeline: ResMut<Timeline>,
) {
    let mut next = timeline.clone();
    next.follow(focus.0.as_ref());
    for control in controls.read() {
        next.control(*control);
    }
    let step = if rest.after_rest {
        0.0
    } else {
        time.delta_secs()
    };
    if next.advance(step) {
        alarm.next_frame_in(PLAY_FRAME_SECONDS);
    }
    timeline.set_if_neq(next);
}

/// The countries the globe lights up: the focused story's coverage as far as its timeline
/// has spread, the first reporter marked, else the search's matches while the search list
/// is open. Runs only when one of those may have changed: the UI stores its state with
/// `set_if_neq`, so an unchanged panel does not count.
fn highlight(
    focus: Res<StoryFocus>,
    timeline: Res<Timeline>,
    panel: Res<WorldPanel>,
    news: Res<News>,
    atlas: Res<Atlas>,
    mut highlight: ResMut<Highlight>,
) {
    let searching = panel.open && panel.tab == WorldTab::Search;
    let search = news
        .search
        .as_ref()
        .filter(|results| searching && results.query == panel.search);
    let mut first = None;
    let codes: Vec<&str> = match (&focus.0, search) {
        (Some(story), _) => match timeline.telling_of(story) {
            Some(telling) => {
                first = telling.spread.first().map(|r| r.country.as_str());
                timeline
                    .reached()
                    .iter()
                    .map(|r| r.country.as_str())
                    .collect()
            }
            None => story.countries().collect(),
        },
        (None, Some(results)) => results
            .articles
            .iter()
            .map(|a| a.country.as_str())
            .collect(),
        (None, None) => Vec::new(),
    };
    let mut countries: Vec<usize> = codes.into_iter().filter_map(|c| atlas.find(c)).collect();
    countries.sort_unstable();
    countries.dedup();
    let first = first.and_then(|c| atlas.find(c));
    highlight.set_if_neq(Highlight { countries, first });
}

#[cfg(test)]
mod follow_the_focus_tests {
    use bevy::ecs::system::RunSystemOnce;

    use super::*;
    use crate::app::ui::test_article;
    use crate::news::world::Take;

    /// Story 7 with the given takes; article 1 is its headline.
    fn story(takes: &[(&str, i64)], last: i64) -> Arc<StoryView> {
        let takes: Vec<Take> = takes
            .iter()
            .map(|&(country, id)| Take {
                country: country.into(),
                articles: vec![test_article(id, country, last)],
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
        news.world_stories.top = top;
        world.insert_resource(news);
        world.insert_resource(StoryFocus(Some(current)));
        world.run_system_once(track_focus).unwrap();
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

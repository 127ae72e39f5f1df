//! The synthetic news both benchmarks read: countries to file outlets under, and a word
//! picker that gives every run the same headlines. Shared through `#[path]`.

/// The countries outlets are filed under, in turn.
pub const COUNTRIES: [&str; 10] = [
    "UKR", "BRA", "JPN", "NGA", "IND", "FRA", "USA", "EGY", "AUS", "MEX",
];
/// The subjects headlines are made of.
pub const WORDS: [&str; 16] = [
    "election",
    "drought",
    "summit",
    "ceasefire",
    "inflation",
    "vaccine",
    "earthquake",
    "football",
    "parliament",
    "protest",
    "harvest",
    "satellite",
    "border",
    "budget",
    "flood",
    "festival",
];

/// A deterministic word picker, so every run sees the same text.
pub fn word(n: usize) -> &'static str {
    WORDS[(n.wrapping_mul(2_654_435_761) >> 7) % WORDS.len()]
}

//! Feed dates to Unix seconds: RFC 822 (RSS), W3C-DTF / ISO 8601 (Atom, Dublin Core) and the
//! looser shapes feeds write them in.
//!
//! Lenient by need: a missing weekday, seconds or zone, two-digit years, named zones (`EST`,
//! `GMT`), `+hh:mm` in RFC 822, a space for ISO's `T`, a date without a time. A date that
//! cannot be read is `None` (the store then dates the article when it first sees it), never a
//! guess: a wrong date ranks a story wrong.

/// Seconds since 1970-01-01T00:00:00Z of a date written in any of the supported shapes.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || text.len() > 100 {
        return None;
    }
    iso8601(text).or_else(|| rfc822(text))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// W3C-DTF and ISO 8601: `2003-12-13T18:30:02.25+01:00`, `2003-12-13 18:30Z`, `2003-12`,
/// `20031213T183002Z`.
fn iso8601(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if !bytes.first()?.is_ascii_digit()
        || bytes.len() < 4
        || !bytes[..4].iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let (date, time) = match text.find(['T', 't', ' ']) {
        Some(at) => (&text[..at], Some(text[at + 1..].trim())),
        None => (text, None),
    };
    let (year, month, day) = if date.contains('-') {
        let mut parts = date.split('-');
        let year = number(parts.next()?)?;
        let month = parts.next().map_or(Some(1), number)?;
        let day = parts.next().map_or(Some(1), number)?;
        if parts.next().is_some() {
            return None;
        }
        (year, month, day)
    } else if date.len() == 8 {
        (
            number(date.get(..4)?)?,
            number(date.get(4..6)?)?,
            number(date.get(6..)?)?,
        )
    } else if date.len() == 4 {
        (number(date)?, 1, 1)
    } else {
        return None;
    };
    let (seconds, offset) = match time {
        Some(time) if !time.is_empty() => clock_and_zone(time, true)?,
        _ => (0, 0),
    };
    unix(year, month, day, seconds, offset)
}

/// RFC 822 and its relatives: `Sun, 19 May 2002 15:21:36 GMT`, `19 May 02 15:21 +0100`,
/// `Sun May 19 15:21:36 2002` (asctime).
fn rfc822(text: &str) -> Option<i64> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut words = words.as_slice();
    // A leading weekday, in any spelling.
    if words
        .first()
        .is_some_and(|w| w.chars().all(char::is_alphabetic) && month(w).is_none())
    {
        words = &words[1..];
    }
    let (day, month_number, year, rest) = match words {
        [d, m, y, rest @ ..] if month(m).is_some() => (number(d)?, month(m)?, year(y)?, rest),
        // asctime: month day time year
        [m, d, t, y, rest @ ..] if month(m).is_some() && t.contains(':') => {
            let mut rest = vec![*t];
            rest.extend_from_slice(&words[4..]);
            let seconds = clock(t)?;
            let offset = rest.get(1).and_then(|z| zone(z)).unwrap_or(0);
            return unix(year(y)?, month(m)?, number(d)?, seconds, offset);
        }
        // day and month the other way round: `May 19 2002 15:21:36 GMT`
        [m, d, y, rest @ ..] if month(m).is_some() => (number(d)?, month(m)?, year(y)?, rest),
        _ => return None,
    };
    let (seconds, offset) = match rest {
        [] => (0, 0),
        [time] => clock_and_zone(time, false)?,
        [time, zone_word, ..] => (clock(time)?, zone(zone_word).unwrap_or(0)),
    };
    unix(year, month_number, day, seconds, offset)
}

/// `hh:mm[:ss[.fff]]` with a zone attached (`Z`, `+01:00`, `-0500`) or none.
fn clock_and_zone(text: &str, iso: bool) -> Option<(i64, i64)> {
    let split = text
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '+' || c == '-' || c.is_ascii_alphabetic())
        .map_or(text.len(), |(i, _)| i);
    let (clock_text, zone_text) = text.split_at(split);
    let seconds = if iso && !clock_text.contains(':') && clock_text.len() >= 4 {
        let hours = number(clock_text.get(..2)?)?;
        let minutes = number(clock_text.get(2..4)?)?;
        let secs = clock_text.get(4..6).map_or(Some(0), number)?;
        hours * 3_600 + minutes * 60 + secs
    } else {
        clock(clock_text)?
    };
    let offset = match zone_text.trim() {
        "" => 0,
        z => zone(z)?,
    };
    Some((seconds, offset))
}

/// `hh:mm[:ss[.fff]]` as seconds into the day.
fn clock(text: &str) -> Option<i64> {
    let mut parts = text.split(':');
    let hours = number(parts.next()?)?;
    let minutes = number(parts.next()?)?;
    let seconds = match parts.next() {
        Some(s) => number(s.split(['.', ',']).next()?)?,
        None => 0,
    };
    if parts.next().is_some() || hours > 24 || minutes > 59 || seconds > 60 {
        return None;
    }
    Some(hours * 3_600 + minutes * 60 + seconds)
}

/// A zone's offset east of UTC in seconds: `Z`, `GMT`, `EST`..., `+hhmm`, `-hh:mm`, `+hh`.
fn zone(text: &str) -> Option<i64> {
    let upper = text.trim_matches(['(', ')']).to_ascii_uppercase();
    let hours = match upper.as_str() {
        "Z" | "UT" | "UTC" | "GMT" | "WET" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "BST" | "CET" | "WEST" => 1,
        "CEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        "IST" => return Some(5 * 3_600 + 1_800),
        "JST" | "KST" => 9,
        "AEST" => 10,
        _ => {
            let sign = match upper.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = upper[1..].chars().filter(|c| *c != ':').collect();
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (h, m) = match digits.len() {
                1 | 2 => (number(&digits)?, 0),
                4 => (number(&digits[..2])?, number(&digits[2..])?),
                _ => return None,
            };
            if h > 14 || m > 59 {
                return None;
            }
            return Some(sign * (h * 3_600 + m * 60));
        }
    };
    Some(hours * 3_600)
}

fn month(word: &str) -> Option<i64> {
    let lower = word.to_ascii_lowercase();
    let stem = lower.get(..3)?;
    MONTHS.iter().position(|m| *m == stem).map(|i| i as i64 + 1)
}

/// A year; two digits are 1950–2049 (RFC 2822's rule for obsolete years).
fn year(text: &str) -> Option<i64> {
    let year = number(text)?;
    Some(match (text.len(), year) {
        (2, y) if y < 50 => 2000 + y,
        (2, y) => 1900 + y,
        _ => year,
    })
}

fn number(text: &str) -> Option<i64> {
    (!text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Unix seconds of a civil date and time, `offset` seconds east of UTC; `None` for a date
/// that does not exist.
fn unix(year: i64, month: i64, day: i64, seconds: i64, offset: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1..=9999).contains(&year) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + seconds - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_feeds_use() {
        let at = 1_021_821_696; // 2002-05-19T15:21:36Z
        for text in [
            "Sun, 19 May 2002 15:21:36 GMT",
            "Sun, 19 May 2002 15:21:36 +0000",
            "19 May 2002 15:21:36 Z",
            "Sun, 19 May 02 15:21:36 GMT",
            "Sunday, 19 May 2002 16:21:36 +01:00",
            "Sun, 19 May 2002 11:21:36 EDT",
            "Sun May 19 15:21:36 2002",
            "2002-05-19T15:21:36Z",
            "2002-05-19T17:21:36+02:00",
            "2002-05-19T15:21:36.25Z",
            "2002-05-19 15:21:36Z",
            "20020519T152136Z",
        ] {
            assert_eq!(parse(text), Some(at), "{text}");
        }
        assert_eq!(parse("2002-05-19"), Some(1_021_766_400));
        assert_eq!(parse("2002-05"), Some(1_020_211_200));
        assert_eq!(parse("19 May 2002"), Some(1_021_766_400));
    }

    #[test]
    fn never_cuts_inside_a_character() {
        // Found by the mutation test: a UTF-16 body read as UTF-8 left this in a date.
        for text in [
            "2002-05-19T10\u{fffd}1:00Z",
            "2002\u{fffd}519",
            "20\u{fffd}05-19T1\u{e9}00",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for text in [
            "",
            "yesterday",
            "2002-13-01",
            "32 May 2002",
            "Sun, 19 Foo 2002",
            "12:00",
            "2002-05-19T25:00Z",
            "2002-05-19T10:00+99:00",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}

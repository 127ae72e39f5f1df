//! A feed body's bytes to text: which encoding, by the rules XML and browsers share.
//!
//! In order, the first that says: a byte order mark (UTF-8, UTF-16, UTF-32); the shape of the
//! first four bytes when a document in UTF-16, UTF-32 or EBCDIC starts without one (XML 1.0,
//! appendix F); the HTTP `charset`; the XML declaration's `encoding`; else UTF-8, or, when
//! the bytes are not UTF-8, the legacy encoding they look like (chardetng, Firefox's
//! detector). Labels are the WHATWG set plus the spellings feeds use (`windows_1252`, `UCS-2`,
//! `utf32`), UTF-32 and the legacy IBM/EBCDIC/Mac pages in [`super::codepages`].

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use super::codepages::PAGES;

/// How far into a body to look for the XML declaration.
const HEAD_BYTES: usize = 1_024;

/// A way to turn bytes into text.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Decoder {
    Whatwg(&'static Encoding),
    Utf32 {
        big_endian: bool,
    },
    /// One of [`PAGES`]: the 256 characters of a single-byte page.
    Page(&'static str),
}

/// The families the first bytes can show before any label is read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Family {
    Ascii,
    Utf16 { big_endian: bool },
    Utf32 { big_endian: bool },
    Ebcdic,
}

/// Decodes `body`; `content_type` is the HTTP Content-Type header, if any.
pub fn decode<'a>(body: &'a [u8], content_type: Option<&str>) -> Cow<'a, str> {
    if let Some((decoder, bom)) = byte_order_mark(body) {
        return run(decoder, &body[bom..]);
    }
    let family = family(body);
    let declared = content_type
        .and_then(charset)
        .and_then(|label| decoder_for(label, family))
        .or_else(|| declared_encoding(body, family).and_then(|l| decoder_for(&l, family)));
    let decoder = match (declared, family) {
        (Some(decoder), _) => decoder,
        (None, Family::Ascii) => return utf8_or_detected(body),
        (None, Family::Utf16 { big_endian: true }) => Decoder::Whatwg(UTF_16BE),
        (None, Family::Utf16 { big_endian: false }) => Decoder::Whatwg(UTF_16LE),
        (None, Family::Utf32 { big_endian }) => Decoder::Utf32 { big_endian },
        (None, Family::Ebcdic) => Decoder::Page(PAGES[0].1),
    };
    run(decoder, body)
}

/// Decodes an HTML page: as [`decode`], but where neither a byte order mark nor the HTTP
/// header names the encoding, the page's own `<meta charset>` (or its `http-equiv`
/// Content-Type) in its first kilobyte does, as browsers read it; except that a page whose
/// bytes are valid UTF-8 beyond ASCII is read as UTF-8 whatever its `<meta>` says: text in a
/// legacy encoding is almost never valid UTF-8 by chance, while a template's stale `<meta>`
/// over a site moved to UTF-8 is common.
pub fn decode_html<'a>(body: &'a [u8], content_type: Option<&str>) -> Cow<'a, str> {
    let header_names_one = content_type.and_then(charset).is_some();
    let utf8 = !body.is_ascii() && std::str::from_utf8(body).is_ok();
    if byte_order_mark(body).is_none() && !header_names_one && !utf8 {
        let meta = meta_charset(body).and_then(|label| decoder_for(&label, Family::Ascii));
        if let Some(decoder) = meta {
            return run(decoder, body);
        }
    }
    decode(body, content_type)
}

/// The label after the first `charset=` in the page's first kilobyte.
fn meta_charset(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(HEAD_BYTES)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\'', ' '])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!label.is_empty()).then_some(label)
}

fn run(decoder: Decoder, body: &[u8]) -> Cow<'_, str> {
    match decoder {
        Decoder::Whatwg(encoding) => encoding.decode_without_bom_handling(body).0,
        Decoder::Utf32 { big_endian } => Cow::Owned(
            body.chunks(4)
                .map(|c| {
                    let mut word = [0; 4];
                    word[..c.len()].copy_from_slice(c);
                    let code = if big_endian {
                        u32::from_be_bytes(word)
                    } else {
                        u32::from_le_bytes(word)
                    };
                    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                })
                .collect(),
        ),
        Decoder::Page(page) => {
            let chars: Vec<char> = page.chars().collect();
            Cow::Owned(body.iter().map(|&b| chars[usize::from(b)]).collect())
        }
    }
}

/// A body that names no encoding: UTF-8 if it is, else the legacy encoding its bytes look
/// like (Firefox's detector, trained on the web's pages in each).
fn utf8_or_detected(body: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
            detector.feed(body, true);
            detector
                .guess(None, Utf8Detection::Allow)
                .decode_without_bom_handling(body)
                .0
        }
    }
}

/// The encoding a byte order mark names, and the mark's length.
fn byte_order_mark(body: &[u8]) -> Option<(Decoder, usize)> {
    match body {
        [0x00, 0x00, 0xFE, 0xFF, ..] => Some((Decoder::Utf32 { big_endian: true }, 4)),
        [0xFF, 0xFE, 0x00, 0x00, ..] => Some((Decoder::Utf32 { big_endian: false }, 4)),
        [0xEF, 0xBB, 0xBF, ..] => Some((Decoder::Whatwg(UTF_8), 3)),
        [0xFE, 0xFF, ..] => Some((Decoder::Whatwg(UTF_16BE), 2)),
        [0xFF, 0xFE, ..] => Some((Decoder::Whatwg(UTF_16LE), 2)),
        _ => None,
    }
}

/// The family the first bytes show, for a body without a byte order mark: `<?` or `<`
/// followed by anything, written in each encoding (XML 1.0, appendix F).
fn family(body: &[u8]) -> Family {
    match body {
        [0x00, 0x00, 0x00, 0x3C, ..] => Family::Utf32 { big_endian: true },
        [0x3C, 0x00, 0x00, 0x00, ..] => Family::Utf32 { big_endian: false },
        [0x00, 0x3C, 0x00, 0x3F, ..] | [0x00, 0x3C, 0x00, _, ..] => {
            Family::Utf16 { big_endian: true }
        }
        [0x3C, 0x00, 0x3F, 0x00, ..] | [0x3C, 0x00, _, 0x00, ..] => {
            Family::Utf16 { big_endian: false }
        }
        [0x4C, 0x6F, 0xA7, 0x94, ..] => Family::Ebcdic,
        _ => Family::Ascii,
    }
}

/// The decoder a label names, read in the light of the family the bytes show: a declaration
/// that says "UTF-16" in a body that reads as ASCII is wrong (a transcoding server left it),
/// and "UTF-16" in a UTF-16 body takes its byte order from the bytes.
fn decoder_for(label: &str, family: Family) -> Option<Decoder> {
    let label = label.trim().to_ascii_lowercase();
    let folded = label.replace('_', "-");
    let squashed: String = label.chars().filter(|c| !matches!(c, '-' | '_')).collect();
    let unicode16 = matches!(
        squashed.as_str(),
        "utf16" | "utf16le" | "utf16be" | "ucs2" | "iso10646ucs2" | "csunicode" | "unicode"
    );
    let unicode32 = matches!(
        squashed.as_str(),
        "utf32" | "utf32le" | "utf32be" | "ucs4" | "iso10646ucs4" | "csucs4"
    );
    match family {
        Family::Utf16 { big_endian } if !unicode32 => {
            return Some(Decoder::Whatwg(if big_endian {
                UTF_16BE
            } else {
                UTF_16LE
            }));
        }
        Family::Utf32 { big_endian } => return Some(Decoder::Utf32 { big_endian }),
        Family::Ascii if unicode16 || unicode32 => return Some(Decoder::Whatwg(UTF_8)),
        _ => {}
    }
    if let Some(encoding) = [label.as_str(), folded.as_str(), squashed.as_str()]
        .into_iter()
        .find_map(|l| Encoding::for_label_no_replacement(l.as_bytes()))
    {
        return Some(Decoder::Whatwg(encoding));
    }
    if let Some((_, page)) = PAGES
        .iter()
        .find(|(labels, _)| labels.iter().any(|l| *l == label || *l == folded))
    {
        return Some(Decoder::Page(page));
    }
    // Python's and Java's spellings of labels encoding_rs knows under another name.
    let alias = match squashed.as_str() {
        "latin1" | "iso88591" | "l1" | "msansi" => "windows-1252",
        "msee" | "winee" => "windows-1250",
        "mscyrl" | "wincyrillic" => "windows-1251",
        "msgreek" => "windows-1253",
        "msturk" => "windows-1254",
        "mshebr" => "windows-1255",
        "msarab" => "windows-1256",
        "winbaltrim" => "windows-1257",
        "mac" | "macroman" | "csmacintosh" => "macintosh",
        "maccyrillic" => "x-mac-cyrillic",
        "koi8r" | "cskoi8r" => "koi8-r",
        "koi8u" => "koi8-u",
        "cp866" | "ibm866" => "ibm866",
        "cp874" => "windows-874",
        "cp1258" | "tcvn" | "tcvn5712" | "tcvn57121" | "viscii" => "windows-1258",
        "eucjp" | "ujis" => "euc-jp",
        "euckr" | "uhc" => "euc-kr",
        "sjis" | "shiftjis" | "mskanji" => "shift_jis",
        "gb2312" | "gbk" | "cp936" | "ms936" => "gbk",
        "big5hkscs" | "cp950" => "big5",
        _ => return None,
    };
    Encoding::for_label_no_replacement(alias.as_bytes()).map(Decoder::Whatwg)
}

/// The label of a Content-Type's `charset` parameter.
fn charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']))
            .filter(|v| !v.is_empty())
    })
}

/// The `encoding` of the XML declaration that opens the body (after stray whitespace some
/// servers send), read in the family the first bytes show.
fn declared_encoding(body: &[u8], family: Family) -> Option<String> {
    let head = &body[..body.len().min(HEAD_BYTES)];
    let head = match family {
        Family::Ascii => Cow::Borrowed(head),
        Family::Utf16 { big_endian } => {
            let pick = if big_endian { 1 } else { 0 };
            Cow::Owned(head.iter().skip(pick).step_by(2).copied().collect())
        }
        Family::Utf32 { big_endian } => {
            let pick = if big_endian { 3 } else { 0 };
            Cow::Owned(head.iter().skip(pick).step_by(4).copied().collect())
        }
        Family::Ebcdic => Cow::Owned(
            run(Decoder::Page(PAGES[0].1), head)
                .chars()
                .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                .collect(),
        ),
    };
    let head = head.trim_ascii_start();
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let declaration = &head[..find(head, b"?>")?];
    let after_name = find(declaration, b"encoding")? + b"encoding".len();
    let value = declaration[after_name..]
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let (&quote, value) = value.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let label = &value[..value.iter().position(|&b| b == quote)?];
    Some(String::from_utf8_lossy(label).into_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_page_names_its_own_encoding() {
        // "Привет" in windows-1251, declared both ways a page may.
        let body = b"\xcf\xf0\xe8\xe2\xe5\xf2";
        for head in [
            &b"<html><head><meta charset=\"windows-1251\">"[..],
            b"<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>",
        ] {
            let page = [head, body].concat();
            assert!(decode_html(&page, Some("text/html")).ends_with("Привет"));
        }
        // A stale <meta> over UTF-8 text yields to the text.
        let page = [&b"<meta charset=\"gb2312\">"[..], "人工智能".as_bytes()].concat();
        assert!(decode_html(&page, None).ends_with("人工智能"));
        // The HTTP header wins over the page, as in browsers.
        let page = [&b"<meta charset=\"windows-1251\">"[..], "Привет".as_bytes()].concat();
        assert!(decode_html(&page, Some("text/html; charset=utf-8")).ends_with("Привет"));
    }

    #[test]
    fn reads_charset_parameters() {
        assert_eq!(charset("text/xml; charset=KOI8-R"), Some("KOI8-R"));
        assert_eq!(
            charset("text/xml;format=x; charset='shift_jis'"),
            Some("shift_jis")
        );
        assert_eq!(charset("text/xml"), None);
        assert_eq!(charset("charset=utf-8"), None);
        assert_eq!(charset("text/xml; charset="), None);
    }

    #[test]
    fn reads_declared_encodings() {
        let declared = |s: &str| declared_encoding(s.as_bytes(), Family::Ascii);
        assert_eq!(
            declared("<?xml version='1.0' encoding = 'koi8-r' ?><a/>"),
            Some("koi8-r".to_owned())
        );
        assert_eq!(
            declared("\n<?xml encoding=\"ISO-8859-2\"?>"),
            Some("ISO-8859-2".to_owned())
        );
        assert_eq!(
            declared("<?xml version=\"1.0\"?><a encoding=\"koi8-r\"/>"),
            None
        );
        assert_eq!(declared("<?xml encoding=koi8-r?>"), None);
        assert_eq!(declared("<?xml encoding=\"koi8-r"), None);
        let late = format!("{}<?xml encoding=\"koi8-r\"?>", " ".repeat(HEAD_BYTES));
        assert_eq!(declared(&late), None);
    }
}

/// Feeds read end to end in each way their encoding can be told.
#[cfg(test)]
mod feed_tests {
    use super::super::codepages;
    use super::super::html;
    use super::super::test_support::{parse, rss, titles};

    const CP1251: &[u8] = include_bytes!("../../../tests/fixtures/feeds/cp1251.xml");
    const LATIN1: &[u8] = include_bytes!("../../../tests/fixtures/feeds/latin1.xml");

    #[test]
    fn windows_1251_from_the_declaration() {
        let items = parse(CP1251, None);
        assert_eq!(
            titles(&items),
            [
                "Новости Киева: в метро открыли новую станцию",
                "Київ: відкрито новий міст через Дніпро"
            ]
        );
        assert_eq!(
            items[0].summary,
            "Станция «Виноградарь» приняла первых пассажиров."
        );
        assert_eq!(items[1].summary, "Рух мостом розпочнеться в п’ятницю.");
        assert_eq!(items[1].published, Some(1_741_011_600));
        // Whitespace before the declaration, past the 64 bytes feed-rs's decoder looks at.
        let padded = [&[b'\n'; 100][..], CP1251].concat();
        assert_eq!(parse(&padded, None), items);
    }

    #[test]
    fn iso_8859_1_from_the_declaration() {
        let items = parse(LATIN1, Some("text/xml"));
        assert_eq!(
            titles(&items),
            [
                "Economía: São Paulo lidera el crecimiento",
                "Café à la française: prix en hausse"
            ]
        );
        assert_eq!(items[0].published, Some(1_740_762_000));
    }

    #[test]
    fn iso_8859_15_euro_sign() {
        let mut body = br#"<?xml version="1.0" encoding="ISO-8859-15"?><rss version="2.0"><channel><item><title>Prix: 5 "#.to_vec();
        body.extend_from_slice(b"\xa4 \xe9t\xe9</title></item></channel></rss>");
        assert_eq!(titles(&parse(&body, None)), ["Prix: 5 € été"]);
    }

    /// The cp1251 fixture with its declaration claiming UTF-8.
    fn cp1251_claiming_utf8() -> Vec<u8> {
        let prolog_end = html::find_ignore_case(CP1251, b"?>").unwrap() + 2;
        [
            &br#"<?xml version="1.0" encoding="utf-8"?>"#[..],
            &CP1251[prolog_end..],
        ]
        .concat()
    }

    #[test]
    fn header_charset_overrides_the_declaration() {
        let body = cp1251_claiming_utf8();
        let items = parse(&body, Some("text/xml; Charset=\"windows-1251\""));
        assert_eq!(
            items[0].title,
            "Новости Киева: в метро открыли новую станцию"
        );
        // Believing the declaration gives replacement characters, not an error.
        let items = parse(&body, Some("text/xml"));
        assert!(items[0].title.contains('\u{FFFD}'), "{}", items[0].title);
    }

    #[test]
    fn unknown_header_charset_falls_back_to_the_declaration() {
        let items = parse(CP1251, Some("text/xml; charset=x-nonsense"));
        assert_eq!(items[1].title, "Київ: відкрито новий міст через Дніпро");
    }

    #[test]
    fn byte_order_mark_wins() {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend_from_slice(rss(&["<title>Zürich</title>"]).as_bytes());
        assert_eq!(
            titles(&parse(&body, Some("text/xml; charset=windows-1251"))),
            ["Zürich"]
        );

        let text = format!(
            r#"<?xml version="1.0" encoding="UTF-16"?>{}"#,
            rss(&["<title>Łódź</title>"])
        );
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(titles(&parse(&utf16, None)), ["Łódź"]);
    }

    #[test]
    fn utf16_declared_in_ascii_reads_as_utf8() {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-16"?>{}"#,
            rss(&["<title>Ярославль</title>"])
        );
        assert_eq!(titles(&parse(body.as_bytes(), None)), ["Ярославль"]);
    }

    #[test]
    fn a_late_declaration_does_not_switch_the_decoder() {
        // feed-rs 3.0.0 would switch to KOI8-R here, and panic at the switch, this far into the input.
        let body = format!(
            "{}{}",
            " ".repeat(100),
            rss(&[r#"<?xml version="1.0" encoding="koi8-r"?><title>Минск</title>"#])
        );
        assert_eq!(titles(&parse(body.as_bytes(), None)), ["Минск"]);
    }

    /// `text` encoded as UTF-16 without a byte order mark, as some servers send it.
    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn utf16_without_a_byte_order_mark_reads_by_its_prolog() {
        // Issue 10, classes 1 and 2: feed-rs panicked on the first and garbled the second.
        for label in ["UTF-16", "ucs-2", "utf-16le", "ISO-10646-UCS-2"] {
            let text = format!(
                r#"<?xml version="1.0" encoding="{label}"?>{}"#,
                rss(&["<title>Ünïcödé €uro</title><link>https://a.example/1</link>"])
            );
            for big_endian in [false, true] {
                let items = parse(&utf16(&text, big_endian), Some("text/xml; charset=utf-8"));
                assert_eq!(titles(&items), ["Ünïcödé €uro"], "{label} {big_endian}");
            }
        }
    }

    #[test]
    fn utf32_ebcdic_and_label_spellings_outside_the_whatwg_set() {
        let text = rss(&["<title>Zürich €</title><link>https://a.example/1</link>"]);
        let declared = format!(r#"<?xml version="1.0" encoding="UTF-32"?>{text}"#);
        let mut bom = vec![0xFF, 0xFE, 0, 0];
        bom.extend(text.chars().flat_map(|c| u32::from(c).to_le_bytes()));
        let bare_be: Vec<u8> = declared
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        assert_eq!(titles(&parse(&bom, None)), ["Zürich €"]);
        assert_eq!(titles(&parse(&bare_be, None)), ["Zürich €"]);

        // cp037: "<?xml" is 4C 6F A7 94 93; only the title's letters matter here.
        let ebcdic: Vec<u8> = r#"<?xml version="1.0" encoding="cp037"?><rss><channel><item><title>Zürich</title></item></channel></rss>"#
                .chars()
                .map(|c| {
                    let page: Vec<char> = codepages::PAGES[0].1.chars().collect();
                    page.iter().position(|&p| p == c).unwrap() as u8
                })
                .collect();
        assert_eq!(titles(&parse(&ebcdic, None)), ["Zürich"]);

        let cp1252 = [
            &br#"<?xml version="1.0" encoding="windows_1252"?><rss><channel><item><title>caf"#[..],
            &[0xE9, 0x20, 0x80],
            b"</title></item></channel></rss>",
        ]
        .concat();
        assert_eq!(titles(&parse(&cp1252, None)), ["café €"]);
    }

    #[test]
    fn undeclared_legacy_encodings_are_recognised() {
        let body = rss(&["<title>記事投稿が反映されない問題について</title>"]);
        let (shift_jis, _, _) = encoding_rs::SHIFT_JIS.encode(&body);
        assert_eq!(
            titles(&parse(&shift_jis, None)),
            ["記事投稿が反映されない問題について"]
        );
    }
}

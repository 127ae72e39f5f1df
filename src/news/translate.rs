//! Machine translation of article titles and summaries into English, behind one interface.
//!
//! Three backends: any LibreTranslate-compatible HTTP API, DeepL's API, and a local
//! `apertium` binary that works fully offline. A call takes texts in one source language and
//! gives back English, one output per input and in the same order. Requests are batched;
//! transient failures (429, 5xx, timeouts, refused connections) are retried with doubling
//! back-off, honouring the server's `Retry-After`.
//!
//! Not this module's concern: where the backend choice and its keys come from (the config),
//! which articles to translate and when, and how translations are stored and marked (ingest).

use std::future::Future;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;
use url::Url;

use super::fetch::{self, FetchConfig};
use super::http::{self, ReadError, Retries, Transient};

/// Which machine translation to use.
#[derive(Clone, PartialEq)]
pub enum Backend {
    /// None: articles stay in their own language.
    None,
    /// Any LibreTranslate-compatible API; `url` is its root, to which `/translate` is added.
    LibreTranslate { url: Url, api_key: Option<String> },
    /// DeepL's API. `pro` picks the endpoint the key belongs to (free keys end in `:fx`);
    /// `base`, when set, replaces that endpoint (a proxy, or a test server).
    DeepL {
        auth_key: String,
        pro: bool,
        base: Option<Url>,
    },
    /// A local `apertium` binary (a name on the PATH or a path) with its pairs installed.
    Apertium { command: PathBuf },
}

// By hand so that keys never reach a log through `{:?}`.
impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backend::None => f.write_str("None"),
            Backend::LibreTranslate { url, api_key } => f
                .debug_struct("LibreTranslate")
                .field("url", &url.as_str())
                .field("api_key", &api_key.as_ref().map(|_| "<redacted>"))
                .finish(),
            Backend::DeepL { pro, base, .. } => f
                .debug_struct("DeepL")
                .field("auth_key", &"<redacted>")
                .field("pro", pro)
                .field("base", &base.as_ref().map(Url::as_str))
                .finish(),
            Backend::Apertium { command } => f
                .debug_struct("Apertium")
                .field("command", command)
                .finish(),
        }
    }
}

/// Why texts were not translated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TranslateError {
    /// The backend is [`Backend::None`] and the texts are not English.
    #[error("machine translation is off: choose a translation backend in the config")]
    Disabled,
    #[error("{backend} cannot translate from '{lang}' to English")]
    Unsupported { backend: String, lang: String },
    #[error("the translation settings are not usable: {0}")]
    Config(String),
    /// 401 or 403: a missing, wrong or revoked key, or a key for the other DeepL endpoint.
    #[error("the translation service refused the key ({0}): check the API key in the config")]
    Auth(String),
    /// DeepL's 456: the month's characters are spent.
    #[error("the translation quota is used up ({0}): wait for it to renew or raise the plan")]
    QuotaExceeded(String),
    /// 429 on every attempt. `retry_after` is what the server last asked for.
    #[error("the translation service is limiting our requests; try again{}", later(*retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error("the translation service answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("cannot reach the translation service: {0}")]
    Network(String),
    #[error("no translation within {0:?}")]
    Timeout(Duration),
    /// A success status with a body we cannot use, e.g. fewer translations than texts.
    #[error("unexpected answer from the translation service: {0}")]
    BadResponse(String),
    /// Apertium could not be run, or failed.
    #[error("apertium: {0}")]
    Backend(String),
}

fn later(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(|| " later".to_owned(), |d| format!(" in {} s", d.as_secs()))
}

impl Transient for TranslateError {
    fn is_transient(&self) -> bool {
        match self {
            TranslateError::Http { status, .. } => *status >= 500,
            TranslateError::RateLimited { .. }
            | TranslateError::Network(_)
            | TranslateError::Timeout(_) => true,
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            TranslateError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TranslateConfig {
    /// Texts per request or per run of apertium. DeepL takes at most 50, so it gets no more.
    pub batch_size: usize,
    /// Extra attempts after a transient failure.
    pub max_retries: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub backoff: Duration,
    /// For one request, body included, or for one run of apertium.
    pub timeout: Duration,
}

impl Default for TranslateConfig {
    fn default() -> Self {
        Self {
            batch_size: 50,
            max_retries: 3,
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(60),
        }
    }
}

/// DeepL's limit on texts per request.
const DEEPL_MAX_TEXTS: usize = 50;
const DEEPL_FREE: &str = "https://api-free.deepl.com";
const DEEPL_PRO: &str = "https://api.deepl.com";
/// A cap on a service's answer: translations are about as long as the texts sent, so
/// anything near this is not a translation.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// How often to look whether apertium has finished.
const APERTIUM_POLL: Duration = Duration::from_millis(10);

/// The backend, resolved once: endpoints built and headers checked, so that a bad setting
/// fails in [`Translator::new`] rather than on the first article.
#[derive(Debug)]
enum Engine {
    Off,
    LibreTranslate {
        endpoint: Url,
        api_key: Option<String>,
    },
    DeepL {
        endpoint: Url,
        auth: HeaderValue,
    },
    Apertium {
        command: PathBuf,
        /// `apertium -l`, asked once: the installed pairs do not change while we run.
        pairs: OnceCell<Vec<String>>,
    },
}

/// Translates batches of texts into English with one backend.
#[derive(Debug)]
pub struct Translator {
    engine: Engine,
    client: reqwest::Client,
    config: TranslateConfig,
}

impl Translator {
    /// Checks the settings and builds the HTTP client. `Backend::None` is accepted: its
    /// translator passes English through and refuses everything else with
    /// [`TranslateError::Disabled`], so callers need no special case.
    pub fn new(backend: Backend, config: TranslateConfig) -> Result<Self, TranslateError> {
        if config.batch_size == 0 {
            return Err(TranslateError::Config(
                "batch_size must be at least 1".into(),
            ));
        }
        let engine = match backend {
            Backend::None => Engine::Off,
            Backend::LibreTranslate { url, api_key } => Engine::LibreTranslate {
                endpoint: endpoint(&url, &["translate"])?,
                api_key,
            },
            Backend::DeepL {
                auth_key,
                pro,
                base,
            } => {
                let base = match base {
                    Some(base) => base,
                    None => Url::parse(if pro { DEEPL_PRO } else { DEEPL_FREE })
                        .map_err(|e| TranslateError::Config(e.to_string()))?,
                };
                if auth_key.trim().is_empty() {
                    return Err(TranslateError::Config("the DeepL key is empty".into()));
                }
                let mut auth = HeaderValue::from_str(&format!(
                    "DeepL-Auth-Key {}",
                    auth_key.trim()
                ))
                .map_err(|_| {
                    TranslateError::Config("the DeepL key has characters a key cannot have".into())
                })?;
                // Keeps the key out of the client's own debug output.
                auth.set_sensitive(true);
                Engine::DeepL {
                    endpoint: endpoint(&base, &["v2", "translate"])?,
                    auth,
                }
            }
            Backend::Apertium { command } => Engine::Apertium {
                command,
                pairs: OnceCell::new(),
            },
        };
        let fetch_config = FetchConfig {
            timeout: config.timeout,
            connect_timeout: config.timeout.min(FetchConfig::default().connect_timeout),
            ..FetchConfig::default()
        };
        let client =
            fetch::client(&fetch_config).map_err(|e| TranslateError::Config(e.to_string()))?;
        Ok(Self {
            engine,
            client,
            config,
        })
    }

    /// A human name for the mark "machine-translated by …"; `None` when translation is off.
    pub fn label(&self) -> Option<String> {
        match &self.engine {
            Engine::Off => None,
            Engine::LibreTranslate { endpoint, .. } => Some(format!(
                "LibreTranslate ({})",
                endpoint.host_str().unwrap_or("local")
            )),
            Engine::DeepL { .. } => Some("DeepL".into()),
            Engine::Apertium { .. } => Some("Apertium".into()),
        }
    }

    /// Whether `source` (ISO 639-1) can be translated into English, as far as is knowable
    /// without a request: Apertium answers from its installed pairs (asked once), the web
    /// services are assumed to cover the language, and `Backend::None` covers nothing.
    /// English itself is supported by every backend but `None`: it needs no translation.
    pub async fn supports(&self, source: &str) -> bool {
        let Some(lang) = normalize_lang(source) else {
            return false;
        };
        match &self.engine {
            Engine::Off => false,
            _ if lang == "en" => true,
            Engine::LibreTranslate { .. } | Engine::DeepL { .. } => true,
            Engine::Apertium { command, pairs } => {
                self.apertium_mode(command, pairs, &lang).await.is_ok()
            }
        }
    }

    /// Translates `texts`, all in language `source` (ISO 639-1; a region such as `pt-BR` is
    /// ignored), into English: one output per input, in order. An empty input or an English
    /// source returns at once, without a request. Texts go `batch_size` at a time, each
    /// batch retried on its own; a batch that fails for good fails the whole call, so a
    /// caller wanting partial progress passes fewer texts per call.
    pub async fn translate(
        &self,
        texts: &[String],
        source: &str,
    ) -> Result<Vec<String>, TranslateError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let lang = normalize_lang(source);
        if lang.as_deref() == Some("en") {
            return Ok(texts.to_vec());
        }
        if matches!(self.engine, Engine::Off) {
            return Err(TranslateError::Disabled);
        }
        let lang = lang.ok_or_else(|| TranslateError::Unsupported {
            backend: self.label().unwrap_or_default(),
            lang: source.to_owned(),
        })?;
        let mut translated = Vec::with_capacity(texts.len());
        match &self.engine {
            Engine::Off => return Err(TranslateError::Disabled),
            Engine::LibreTranslate { endpoint, api_key } => {
                for batch in texts.chunks(self.config.batch_size) {
                    let body = serde_json::to_string(&LibreRequest {
                        q: batch,
                        source: &lang,
                        target: "en",
                        format: "text",
                        api_key: api_key.as_deref(),
                    })
                    .map_err(|e| TranslateError::Config(e.to_string()))?;
                    let reply = self
                        .with_retries(|| self.post_json(endpoint, body.clone(), None))
                        .await?;
                    translated.extend(parse_libre(&reply, batch.len())?);
                }
            }
            Engine::DeepL { endpoint, auth } => {
                let source_lang = lang.to_uppercase();
                for batch in texts.chunks(self.config.batch_size.min(DEEPL_MAX_TEXTS)) {
                    let body = serde_json::to_string(&DeepLRequest {
                        text: batch,
                        source_lang: &source_lang,
                        target_lang: "EN-US",
                    })
                    .map_err(|e| TranslateError::Config(e.to_string()))?;
                    let reply = self
                        .with_retries(|| self.post_json(endpoint, body.clone(), Some(auth)))
                        .await?;
                    translated.extend(parse_deepl(&reply, batch.len())?);
                }
            }
            Engine::Apertium { command, pairs } => {
                let mode = self.apertium_mode(command, pairs, &lang).await?;
                for batch in texts.chunks(self.config.batch_size) {
                    translated
                        .extend(apertium_batch(command, &mode, batch, self.config.timeout).await?);
                }
            }
        }
        Ok(translated)
    }

    /// Runs `attempt` until it succeeds, fails for good, or has been retried `max_retries`
    /// times.
    async fn with_retries<T, F, Fut>(&self, attempt: F) -> Result<T, TranslateError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, TranslateError>>,
    {
        let retries = Retries {
            max: self.config.max_retries,
            backoff: self.config.backoff,
        };
        http::with_retries(retries, |_| true, attempt).await
    }

    async fn post_json(
        &self,
        endpoint: &Url,
        body: String,
        auth: Option<&HeaderValue>,
    ) -> Result<String, TranslateError> {
        let mut request = self
            .client
            .post(endpoint.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth.clone());
        }
        let response = request.send().await.map_err(|e| self.classify(e))?;
        let status = response.status().as_u16();
        let retry_after = http::retry_after(response.headers());
        let bytes = http::read_capped(response, MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| match e {
                ReadError::TooLarge => {
                    TranslateError::BadResponse(format!("larger than {MAX_RESPONSE_BYTES} bytes"))
                }
                ReadError::Transport(e) => self.classify(e),
            })?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(status_error(status, &text, retry_after))
        }
    }

    fn classify(&self, error: reqwest::Error) -> TranslateError {
        if error.is_timeout() {
            TranslateError::Timeout(self.config.timeout)
        } else if error.is_builder() {
            TranslateError::Config(http::root_cause(&error))
        } else {
            TranslateError::Network(http::root_cause(&error))
        }
    }

    /// The apertium mode that takes `lang` to English, e.g. `spa-eng`.
    async fn apertium_mode(
        &self,
        command: &Path,
        pairs: &OnceCell<Vec<String>>,
        lang: &str,
    ) -> Result<String, TranslateError> {
        // Only a listing is kept: a failure (apertium not installed yet) is asked again.
        let pairs = pairs
            .get_or_try_init(|| async {
                let listing =
                    run_apertium(command, &["-l"], String::new(), self.config.timeout).await?;
                Ok::<_, TranslateError>(listing.split_whitespace().map(str::to_owned).collect())
            })
            .await?;
        apertium_mode(lang, pairs).ok_or_else(|| TranslateError::Unsupported {
            backend: "Apertium with the installed pairs".into(),
            lang: lang.to_owned(),
        })
    }
}

#[derive(Serialize)]
struct LibreRequest<'a> {
    q: &'a [String],
    source: &'a str,
    target: &'a str,
    format: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LibreResponse {
    translated_text: OneOrMany,
}

/// LibreTranslate answers a list with a list, but some compatible servers answer a
/// one-element list with a bare string.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Serialize)]
struct DeepLRequest<'a> {
    text: &'a [String],
    source_lang: &'a str,
    target_lang: &'a str,
}

#[derive(Deserialize)]
struct DeepLResponse {
    translations: Vec<DeepLTranslation>,
}

#[derive(Deserialize)]
struct DeepLTranslation {
    text: String,
}

fn parse_libre(body: &str, expected: usize) -> Result<Vec<String>, TranslateError> {
    let reply: LibreResponse =
        serde_json::from_str(body).map_err(|e| TranslateError::BadResponse(e.to_string()))?;
    let texts = match reply.translated_text {
        OneOrMany::One(text) => vec![text],
        OneOrMany::Many(texts) => texts,
    };
    check_count(texts, expected)
}

fn parse_deepl(body: &str, expected: usize) -> Result<Vec<String>, TranslateError> {
    let reply: DeepLResponse =
        serde_json::from_str(body).map_err(|e| TranslateError::BadResponse(e.to_string()))?;
    check_count(
        reply.translations.into_iter().map(|t| t.text).collect(),
        expected,
    )
}

/// A translation per text, or an error: a short answer would shift every later title onto
/// the wrong article.
fn check_count(texts: Vec<String>, expected: usize) -> Result<Vec<String>, TranslateError> {
    if texts.len() == expected {
        Ok(texts)
    } else {
        Err(TranslateError::BadResponse(format!(
            "{} translations for {expected} texts",
            texts.len()
        )))
    }
}

/// `base` with `path` appended to its path, for a base given with or without a final slash.
fn endpoint(base: &Url, path: &[&str]) -> Result<Url, TranslateError> {
    if !matches!(base.scheme(), "http" | "https") {
        return Err(TranslateError::Config(format!(
            "{base} is not an http(s) address"
        )));
    }
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| TranslateError::Config(format!("{base} cannot have a path")))?
        .pop_if_empty()
        .extend(path);
    Ok(url)
}

/// The primary language subtag, lowercased (`pt-BR` → `pt`), if it looks like a code.
fn normalize_lang(source: &str) -> Option<String> {
    let primary = source.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some(primary)
}

/// The error for a non-success status; `body` is the service's error JSON, if any.
fn status_error(status: u16, body: &str, retry_after: Option<Duration>) -> TranslateError {
    let message = error_message(status, body);
    match status {
        401 | 403 => TranslateError::Auth(message),
        456 => TranslateError::QuotaExceeded(message),
        429 => TranslateError::RateLimited { retry_after },
        _ => TranslateError::Http { status, message },
    }
}

/// What the service said went wrong: LibreTranslate's `{"error": …}`, DeepL's
/// `{"message": …, "detail": …}`, else the start of the body, else the status's name.
fn error_message(status: u16, body: &str) -> String {
    #[derive(Deserialize)]
    struct ErrorBody {
        error: Option<String>,
        message: Option<String>,
        detail: Option<String>,
    }
    const MAX_CHARS: usize = 200;
    let said = match serde_json::from_str::<ErrorBody>(body) {
        Ok(parsed) => [parsed.error, parsed.message, parsed.detail]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": "),
        Err(_) => body.trim().chars().take(MAX_CHARS).collect(),
    };
    if said.is_empty() {
        reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no details")
            .to_owned()
    } else {
        said
    }
}

/// ISO 639-1 codes and the ISO 639-3 codes that Apertium's current pairs are named with
/// (older pairs use the two letters, which are tried as well).
const APERTIUM_CODES: &[(&str, &str)] = &[
    ("af", "afr"),
    ("an", "arg"),
    ("ar", "ara"),
    ("be", "bel"),
    ("bg", "bul"),
    ("br", "bre"),
    ("bs", "hbs"),
    ("ca", "cat"),
    ("cs", "ces"),
    ("cy", "cym"),
    ("da", "dan"),
    ("de", "deu"),
    ("el", "ell"),
    ("eo", "epo"),
    ("es", "spa"),
    ("eu", "eus"),
    ("fr", "fra"),
    ("ga", "gle"),
    ("gd", "gla"),
    ("gl", "glg"),
    ("hi", "hin"),
    ("hr", "hbs"),
    ("id", "ind"),
    ("is", "isl"),
    ("it", "ita"),
    ("kk", "kaz"),
    ("mk", "mkd"),
    ("ms", "msa"),
    ("mt", "mlt"),
    ("nb", "nob"),
    ("nl", "nld"),
    ("nn", "nno"),
    ("no", "nob"),
    ("oc", "oci"),
    ("pl", "pol"),
    ("pt", "por"),
    ("ro", "ron"),
    ("ru", "rus"),
    ("se", "sme"),
    ("sh", "hbs"),
    ("sk", "slk"),
    ("sl", "slv"),
    ("sq", "sqi"),
    ("sr", "hbs"),
    ("sv", "swe"),
    ("tr", "tur"),
    ("tt", "tat"),
    ("uk", "ukr"),
    ("ur", "urd"),
];

/// The installed mode from `lang` into English: `spa-eng` before a variant like
/// `spa-eng_US`.
fn apertium_mode(lang: &str, pairs: &[String]) -> Option<String> {
    let three = APERTIUM_CODES
        .iter()
        .find(|(two, _)| *two == lang)
        .map(|(_, three)| *three);
    let sources: Vec<&str> = three.into_iter().chain([lang]).collect();
    let exact = sources
        .iter()
        .flat_map(|src| ["eng", "en"].map(|target| format!("{src}-{target}")))
        .find(|mode| pairs.contains(mode));
    exact.or_else(|| {
        sources.iter().find_map(|src| {
            let prefix = format!("{src}-eng_");
            pairs.iter().find(|p| p.starts_with(&prefix)).cloned()
        })
    })
}

/// Translates one batch with one run of apertium, or one run per text if the batch's
/// output does not split back into as many texts.
async fn apertium_batch(
    command: &Path,
    mode: &str,
    batch: &[String],
    timeout: Duration,
) -> Result<Vec<String>, TranslateError> {
    let lines: Vec<String> = batch.iter().map(|text| one_line(text)).collect();
    let wanted: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
    if wanted.is_empty() {
        return Ok(batch.to_vec());
    }
    let args = ["-u", mode];
    let output = run_apertium(command, &args, join_paragraphs(&wanted), timeout).await?;
    let mut translated = split_paragraphs(&output);
    if translated.len() != wanted.len() {
        translated.clear();
        for text in &wanted {
            let output = run_apertium(command, &args, join_paragraphs(&[*text]), timeout).await?;
            translated.push(split_paragraphs(&output).join(" "));
        }
    }
    // Blank texts were not sent: they come back as they were.
    let mut translated = translated.into_iter();
    Ok(batch
        .iter()
        .zip(&lines)
        .map(|(text, line)| {
            if line.is_empty() {
                text.clone()
            } else {
                translated.next().unwrap_or_default()
            }
        })
        .collect())
}

/// A text on one line with single spaces: apertium reads a lone newline as a space inside a
/// sentence, so only blank lines can separate texts.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Texts as paragraphs, a blank line between each: apertium keeps blank lines and does not
/// move words across them (a lone newline it does: "Compré un coche\nrojo" comes back as
/// "I bought a red\ncar").
fn join_paragraphs(lines: &[&str]) -> String {
    let mut input = lines.join("\n\n");
    input.push('\n');
    input
}

/// Apertium's output back into paragraphs, each on one line.
fn split_paragraphs(output: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in output.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    paragraphs
}

/// Runs apertium on a blocking thread, as tokio's process support is not among our features.
async fn run_apertium(
    command: &Path,
    args: &[&str],
    input: String,
    timeout: Duration,
) -> Result<String, TranslateError> {
    let command = command.to_path_buf();
    let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
    tokio::task::spawn_blocking(move || run_blocking(&command, &args, input, timeout))
        .await
        .map_err(|e| TranslateError::Backend(e.to_string()))?
}

fn run_blocking(
    command: &Path,
    args: &[String],
    input: String,
    timeout: Duration,
) -> Result<String, TranslateError> {
    let mut child = Command::new(command)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            TranslateError::Backend(format!(
                "cannot run {}: {e} (is apertium installed?)",
                command.display()
            ))
        })?;
    // Feed and drain on their own threads: apertium streams, so a large batch would fill
    // one pipe while we block on another. A write error means apertium stopped reading; its
    // exit status and stderr say why.
    let stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(input.as_bytes());
        }
    });
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                // The threads are left to end when the pipes close.
                let _ = child.kill();
                let _ = child.wait();
                return Err(TranslateError::Timeout(timeout));
            }
            Ok(None) => std::thread::sleep(APERTIUM_POLL),
            Err(e) => return Err(TranslateError::Backend(e.to_string())),
        }
    };
    let joined = |thread: std::thread::JoinHandle<Vec<u8>>| {
        thread
            .join()
            .map_err(|_| TranslateError::Backend("reading its output failed".into()))
    };
    let _ = writer.join();
    let stdout = joined(stdout)?;
    let stderr = joined(stderr)?;
    if status.success() {
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    } else {
        Err(TranslateError::Backend(format!(
            "{} {} failed ({status}): {}",
            command.display(),
            args.join(" "),
            String::from_utf8_lossy(&stderr).trim()
        )))
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::thread::JoinHandle;

    use serde_json::{Value, json};

    use super::*;

    /// One request as the test server saw it.
    #[derive(Clone, Debug)]
    struct Seen {
        method: String,
        path: String,
        headers: Vec<(String, String)>,
        body: String,
        at: Instant,
    }

    impl Seen {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }

        fn json(&self) -> Value {
            serde_json::from_str(&self.body).expect("the request body is JSON")
        }
    }

    struct Reply {
        status: u16,
        body: String,
        headers: Vec<(&'static str, String)>,
    }

    impl Reply {
        fn json(status: u16, body: Value) -> Self {
            Self {
                status,
                body: body.to_string(),
                headers: vec![("Content-Type", "application/json".into())],
            }
        }
    }

    /// An HTTP server on 127.0.0.1 that answers with `handler(request, its index)` and keeps
    /// every request it saw.
    struct TestServer {
        server: Arc<tiny_http::Server>,
        seen: Arc<Mutex<Vec<Seen>>>,
        thread: Option<JoinHandle<()>>,
    }

    impl TestServer {
        fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + 'static) -> Self {
            let server = Arc::new(crate::news::loopback::loopback_server());
            let seen = Arc::new(Mutex::new(Vec::new()));
            let thread = {
                let server = Arc::clone(&server);
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || {
                    for mut request in server.incoming_requests() {
                        let mut body = String::new();
                        request
                            .as_reader()
                            .read_to_string(&mut body)
                            .expect("read body");
                        let request_seen = Seen {
                            method: request.method().to_string(),
                            path: request.url().to_owned(),
                            headers: request
                                .headers()
                                .iter()
                                .map(|h| (h.field.to_string(), h.value.to_string()))
                                .collect(),
                            body,
                            at: Instant::now(),
                        };
                        let index = seen.lock().expect("lock").len();
                        let reply = handler(&request_seen, index);
                        seen.lock().expect("lock").push(request_seen);
                        let mut response = tiny_http::Response::from_string(reply.body)
                            .with_status_code(reply.status);
                        for (name, value) in reply.headers {
                            response.add_header(
                                tiny_http::Header::from_bytes(name, value).expect("header"),
                            );
                        }
                        let _ = request.respond(response);
                    }
                })
            };
            Self {
                server,
                seen,
                thread: Some(thread),
            }
        }

        fn url(&self) -> Url {
            let addr = self.server.server_addr().to_ip().expect("an IP address");
            Url::parse(&format!("http://{addr}/")).expect("url")
        }

        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().expect("lock").clone()
        }
    }

    impl Drop for TestServer {
        fn drop(&mut self) {
            self.server.unblock();
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }

    /// A LibreTranslate server as the real one answers: it checks the request and
    /// "translates" by uppercasing. `key` is the API key it requires, if any.
    fn libretranslate(key: Option<&'static str>) -> impl Fn(&Seen, usize) -> Reply {
        move |seen, _| {
            if seen.method != "POST" || seen.path != "/translate" {
                return Reply::json(404, json!({"error": "Not Found"}));
            }
            if seen.header("Content-Type") != Some("application/json") {
                return Reply::json(
                    400,
                    json!({"error": "Invalid request: missing q parameter"}),
                );
            }
            let body = seen.json();
            if let Some(key) = key
                && body["api_key"] != key
            {
                return Reply::json(403, json!({"error": "Invalid API key"}));
            }
            let Some(q) = body["q"].as_array() else {
                return Reply::json(400, json!({"error": "Invalid request: q must be a list"}));
            };
            if body["target"] != "en" || body["format"] != "text" || body["source"] == "" {
                return Reply::json(400, json!({"error": "Invalid request"}));
            }
            let translated: Vec<String> = q
                .iter()
                .map(|t| t.as_str().unwrap_or_default().to_uppercase())
                .collect();
            Reply::json(200, json!({ "translatedText": translated }))
        }
    }

    /// DeepL's API as documented: key in the header, uppercase languages.
    fn deepl(key: &'static str) -> impl Fn(&Seen, usize) -> Reply {
        move |seen, _| {
            if seen.method != "POST" || seen.path != "/v2/translate" {
                return Reply::json(404, json!({"message": "Not found"}));
            }
            if seen.header("Authorization") != Some(&format!("DeepL-Auth-Key {key}")) {
                return Reply::json(403, json!({"message": "Forbidden"}));
            }
            let body = seen.json();
            let Some(texts) = body["text"].as_array() else {
                return Reply::json(400, json!({"message": "Parameter 'text' not specified."}));
            };
            if body["target_lang"] != "EN-US" {
                return Reply::json(
                    400,
                    json!({"message": "Value for 'target_lang' not supported."}),
                );
            }
            let translations: Vec<Value> = texts
                .iter()
                .map(|t| {
                    json!({
                        "detected_source_language": body["source_lang"],
                        "text": t.as_str().unwrap_or_default().to_uppercase(),
                    })
                })
                .collect();
            Reply::json(200, json!({ "translations": translations }))
        }
    }

    fn quick(max_retries: u32, backoff_ms: u64) -> TranslateConfig {
        TranslateConfig {
            batch_size: 50,
            max_retries,
            backoff: Duration::from_millis(backoff_ms),
            timeout: Duration::from_secs(10),
        }
    }

    fn libre_at(server: &TestServer, api_key: Option<&str>, config: TranslateConfig) -> Translator {
        let backend = Backend::LibreTranslate {
            url: server.url(),
            api_key: api_key.map(str::to_owned),
        };
        Translator::new(backend, config).expect("translator")
    }

    fn deepl_at(server: &TestServer, key: &str, config: TranslateConfig) -> Translator {
        let backend = Backend::DeepL {
            auth_key: key.into(),
            pro: false,
            base: Some(server.url()),
        };
        Translator::new(backend, config).expect("translator")
    }

    fn strings(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|&t| t.to_owned()).collect()
    }

    #[tokio::test]
    async fn libretranslate_batches_and_keeps_the_order() {
        let server = TestServer::start(libretranslate(Some("secret")));
        let translator = libre_at(&server, Some("secret"), quick(0, 1));
        let texts: Vec<String> = (0..120).map(|i| format!("título {i}")).collect();

        let translated = translator
            .translate(&texts, "es")
            .await
            .expect("translated");

        let expected: Vec<String> = (0..120).map(|i| format!("TÍTULO {i}")).collect();
        assert_eq!(translated, expected);
        let seen = server.seen();
        let sizes: Vec<usize> = seen
            .iter()
            .map(|s| s.json()["q"].as_array().map_or(0, Vec::len))
            .collect();
        assert_eq!(sizes, [50, 50, 20]);
        let first = seen[0].json();
        assert_eq!(first["source"], "es");
        assert_eq!(first["api_key"], "secret");
    }

    #[tokio::test]
    async fn libretranslate_sends_no_key_when_none_is_configured() {
        let server = TestServer::start(libretranslate(None));
        let translator = libre_at(&server, None, quick(0, 1));

        let translated = translator
            .translate(&strings(&["hola"]), "pt-BR")
            .await
            .expect("translated");

        assert_eq!(translated, ["HOLA"]);
        let body = server.seen()[0].json();
        assert!(body.get("api_key").is_none());
        assert_eq!(body["source"], "pt");
    }

    #[tokio::test]
    async fn a_wrong_key_is_an_auth_error_and_not_retried() {
        let server = TestServer::start(libretranslate(Some("secret")));
        let translator = libre_at(&server, Some("wrong"), quick(3, 1));

        let error = translator
            .translate(&strings(&["hola"]), "es")
            .await
            .expect_err("refused");

        assert_eq!(error, TranslateError::Auth("Invalid API key".into()));
        assert!(error.to_string().contains("check the API key"));
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn a_bare_string_answers_a_single_text() {
        let server = TestServer::start(|_, _| Reply::json(200, json!({"translatedText": "HELLO"})));
        let translator = libre_at(&server, None, quick(0, 1));

        let translated = translator.translate(&strings(&["hola"]), "es").await;

        assert_eq!(translated, Ok(strings(&["HELLO"])));
    }

    #[tokio::test]
    async fn too_few_translations_are_an_error_not_a_shift() {
        let server = TestServer::start(|_, _| Reply::json(200, json!({"translatedText": ["ONE"]})));
        let translator = libre_at(&server, None, quick(0, 1));

        let error = translator
            .translate(&strings(&["uno", "dos"]), "es")
            .await
            .expect_err("short answer");

        assert_eq!(
            error,
            TranslateError::BadResponse("1 translations for 2 texts".into())
        );
    }

    #[tokio::test]
    async fn a_429_is_retried_after_the_backoff() {
        let libre = libretranslate(None);
        let server = TestServer::start(move |seen, index| {
            if index == 0 {
                Reply::json(429, json!({"error": "Too many request limits violations"}))
            } else {
                libre(seen, index)
            }
        });
        let translator = libre_at(&server, None, quick(2, 150));

        let translated = translator.translate(&strings(&["hola"]), "es").await;

        assert_eq!(translated, Ok(strings(&["HOLA"])));
        let seen = server.seen();
        assert_eq!(seen.len(), 2);
        assert!(seen[1].at - seen[0].at >= Duration::from_millis(150));
    }

    #[tokio::test]
    async fn retry_after_is_honoured_when_longer_than_the_backoff() {
        let libre = libretranslate(None);
        let server = TestServer::start(move |seen, index| {
            if index == 0 {
                let mut reply = Reply::json(429, json!({"error": "slow down"}));
                reply.headers.push(("Retry-After", "1".into()));
                reply
            } else {
                libre(seen, index)
            }
        });
        let translator = libre_at(&server, None, quick(1, 1));

        let translated = translator.translate(&strings(&["hola"]), "es").await;

        assert_eq!(translated, Ok(strings(&["HOLA"])));
        let seen = server.seen();
        assert!(seen[1].at - seen[0].at >= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn persistent_rate_limiting_gives_up_with_the_servers_wait() {
        let server = TestServer::start(|_, _| {
            let mut reply = Reply::json(429, json!({"error": "slow down"}));
            reply.headers.push(("Retry-After", "0".into()));
            reply
        });
        let translator = libre_at(&server, None, quick(2, 1));

        let error = translator.translate(&strings(&["hola"]), "es").await;

        assert_eq!(
            error,
            Err(TranslateError::RateLimited {
                retry_after: Some(Duration::ZERO)
            })
        );
        assert_eq!(server.seen().len(), 3);
    }

    #[tokio::test]
    async fn a_persistent_500_fails_after_every_retry_with_the_servers_words() {
        let server = TestServer::start(|_, _| Reply::json(500, json!({"error": "model crashed"})));
        let translator = libre_at(&server, None, quick(2, 1));

        let error = translator
            .translate(&strings(&["hola"]), "es")
            .await
            .expect_err("server error");

        assert_eq!(server.seen().len(), 3);
        assert_eq!(
            error,
            TranslateError::Http {
                status: 500,
                message: "model crashed".into()
            }
        );
        assert!(error.to_string().contains("HTTP 500: model crashed"));
    }

    #[tokio::test]
    async fn an_unreachable_service_is_a_network_error() {
        // A port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let url = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url");
        let backend = Backend::LibreTranslate { url, api_key: None };
        let translator = Translator::new(backend, quick(1, 1)).expect("translator");

        let error = translator.translate(&strings(&["hola"]), "es").await;

        assert!(
            matches!(error, Err(TranslateError::Network(_))),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_slow_service_times_out() {
        let server = TestServer::start(|_, _| {
            std::thread::sleep(Duration::from_millis(500));
            Reply::json(200, json!({"translatedText": ["LATE"]}))
        });
        let config = TranslateConfig {
            timeout: Duration::from_millis(100),
            ..quick(0, 1)
        };
        let translator = libre_at(&server, None, config);

        let error = translator.translate(&strings(&["hola"]), "es").await;

        assert_eq!(
            error,
            Err(TranslateError::Timeout(Duration::from_millis(100)))
        );
    }

    #[tokio::test]
    async fn english_and_empty_input_make_no_request() {
        let server = TestServer::start(libretranslate(None));
        let translator = libre_at(&server, None, quick(0, 1));
        let texts = strings(&["Already English", ""]);

        assert_eq!(translator.translate(&texts, "en").await, Ok(texts.clone()));
        assert_eq!(translator.translate(&texts, "EN-gb").await, Ok(texts));
        assert_eq!(translator.translate(&[], "es").await, Ok(Vec::new()));
        assert!(server.seen().is_empty());
    }

    #[tokio::test]
    async fn deepl_speaks_its_protocol() {
        let server = TestServer::start(deepl("key:fx"));
        let translator = deepl_at(&server, "key:fx", quick(0, 1));

        let translated = translator
            .translate(&strings(&["la economía", "el gato"]), "es")
            .await;

        assert_eq!(translated, Ok(strings(&["LA ECONOMÍA", "EL GATO"])));
        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].header("Authorization"),
            Some("DeepL-Auth-Key key:fx")
        );
        let body = seen[0].json();
        assert_eq!(body["source_lang"], "ES");
        assert_eq!(body["target_lang"], "EN-US");
        assert_eq!(body["text"], json!(["la economía", "el gato"]));
        assert_eq!(translator.label().as_deref(), Some("DeepL"));
    }

    #[tokio::test]
    async fn deepl_never_gets_more_than_fifty_texts() {
        let server = TestServer::start(deepl("k"));
        let config = TranslateConfig {
            batch_size: 80,
            ..quick(0, 1)
        };
        let translator = deepl_at(&server, "k", config);
        let texts: Vec<String> = (0..80).map(|i| format!("t{i}")).collect();

        let translated = translator
            .translate(&texts, "fr")
            .await
            .expect("translated");

        assert_eq!(translated.len(), 80);
        assert_eq!(translated[79], "T79");
        assert_eq!(server.seen().len(), 2);
    }

    #[tokio::test]
    async fn deepl_quota_and_key_errors_say_what_to_do() {
        let server =
            TestServer::start(|_, _| Reply::json(456, json!({"message": "Quota exceeded"})));
        let translator = deepl_at(&server, "k", quick(2, 1));
        let error = translator
            .translate(&strings(&["hola"]), "es")
            .await
            .expect_err("quota");
        assert_eq!(
            error,
            TranslateError::QuotaExceeded("Quota exceeded".into())
        );
        assert!(error.to_string().contains("quota is used up"));
        assert_eq!(server.seen().len(), 1);

        let server = TestServer::start(deepl("right"));
        let translator = deepl_at(&server, "wrong", quick(2, 1));
        let error = translator.translate(&strings(&["hola"]), "es").await;
        assert_eq!(error, Err(TranslateError::Auth("Forbidden".into())));
    }

    #[test]
    fn deepl_endpoints_follow_the_plan() {
        let endpoint_of = |pro| {
            let backend = Backend::DeepL {
                auth_key: "k".into(),
                pro,
                base: None,
            };
            match Translator::new(backend, TranslateConfig::default()).map(|t| t.engine) {
                Ok(Engine::DeepL { endpoint, .. }) => endpoint.to_string(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            endpoint_of(false),
            "https://api-free.deepl.com/v2/translate"
        );
        assert_eq!(endpoint_of(true), "https://api.deepl.com/v2/translate");
    }

    #[test]
    fn bad_settings_fail_at_construction() {
        let deepl = |key: &str| Backend::DeepL {
            auth_key: key.into(),
            pro: false,
            base: None,
        };
        let zero = TranslateConfig {
            batch_size: 0,
            ..TranslateConfig::default()
        };
        assert!(matches!(
            Translator::new(Backend::None, zero),
            Err(TranslateError::Config(_))
        ));
        assert!(matches!(
            Translator::new(deepl(" "), TranslateConfig::default()),
            Err(TranslateError::Config(_))
        ));
        assert!(matches!(
            Translator::new(deepl("bad\nkey"), TranslateConfig::default()),
            Err(TranslateError::Config(_))
        ));
        let ftp = Backend::LibreTranslate {
            url: Url::parse("ftp://example.com/").expect("url"),
            api_key: None,
        };
        assert!(matches!(
            Translator::new(ftp, TranslateConfig::default()),
            Err(TranslateError::Config(_))
        ));
    }

    #[test]
    fn debug_output_hides_keys() {
        let backend = Backend::DeepL {
            auth_key: "very-secret".into(),
            pro: true,
            base: None,
        };
        assert!(!format!("{backend:?}").contains("very-secret"));
        let translator = Translator::new(backend, TranslateConfig::default()).expect("translator");
        assert!(!format!("{translator:?}").contains("very-secret"));
        let libre = Backend::LibreTranslate {
            url: Url::parse("https://lt.example.org/").expect("url"),
            api_key: Some("very-secret".into()),
        };
        assert!(!format!("{libre:?}").contains("very-secret"));
    }

    #[tokio::test]
    async fn no_backend_passes_english_and_refuses_the_rest() {
        let translator = Translator::new(Backend::None, TranslateConfig::default()).expect("new");

        assert_eq!(translator.label(), None);
        assert!(!translator.supports("es").await);
        assert!(!translator.supports("en").await);
        let texts = strings(&["Hello"]);
        assert_eq!(translator.translate(&texts, "en").await, Ok(texts));
        assert_eq!(
            translator.translate(&strings(&["Hola"]), "es").await,
            Err(TranslateError::Disabled)
        );
    }

    #[tokio::test]
    async fn labels_and_support_of_the_web_services() {
        let backend = Backend::LibreTranslate {
            url: Url::parse("https://lt.example.org/api/").expect("url"),
            api_key: None,
        };
        let translator = Translator::new(backend, TranslateConfig::default()).expect("new");
        assert_eq!(
            translator.label().as_deref(),
            Some("LibreTranslate (lt.example.org)")
        );
        assert!(translator.supports("ja").await);
        assert!(!translator.supports("").await);
        assert!(matches!(
            translator.translate(&strings(&["x"]), "??").await,
            Err(TranslateError::Unsupported { .. })
        ));
    }

    mod endpoint_tests {
        use super::*;

        #[test]
        fn appends_with_or_without_a_final_slash() {
            for base in [
                "https://h.org/lt",
                "https://h.org/lt/",
                "https://h.org/lt/?x=1",
            ] {
                let base = Url::parse(base).expect("url");
                assert_eq!(
                    endpoint(&base, &["translate"]).map(String::from),
                    Ok("https://h.org/lt/translate".to_owned())
                );
            }
        }
    }

    mod normalize_lang_tests {
        use super::*;

        #[test]
        fn keeps_the_primary_subtag() {
            assert_eq!(normalize_lang("es").as_deref(), Some("es"));
            assert_eq!(normalize_lang(" PT-br ").as_deref(), Some("pt"));
            assert_eq!(normalize_lang("zh_Hant").as_deref(), Some("zh"));
            assert_eq!(normalize_lang("ast").as_deref(), Some("ast"));
            assert_eq!(normalize_lang(""), None);
            assert_eq!(normalize_lang("e"), None);
            assert_eq!(normalize_lang("español"), None);
            assert_eq!(normalize_lang("e1"), None);
        }
    }

    mod status_error_tests {
        use super::*;

        #[test]
        fn maps_statuses_to_what_a_user_can_do() {
            assert_eq!(
                status_error(403, r#"{"error":"Invalid API key"}"#, None),
                TranslateError::Auth("Invalid API key".into())
            );
            assert_eq!(
                status_error(456, r#"{"message":"Quota Exceeded"}"#, None),
                TranslateError::QuotaExceeded("Quota Exceeded".into())
            );
            assert_eq!(
                status_error(429, "", Some(Duration::from_secs(3))),
                TranslateError::RateLimited {
                    retry_after: Some(Duration::from_secs(3))
                }
            );
            assert_eq!(
                status_error(
                    400,
                    r#"{"message":"Bad request","detail":"Value for 'source_lang' not supported."}"#,
                    None
                ),
                TranslateError::Http {
                    status: 400,
                    message: "Bad request: Value for 'source_lang' not supported.".into()
                }
            );
            assert_eq!(
                status_error(502, "<html>Bad Gateway</html>\n", None),
                TranslateError::Http {
                    status: 502,
                    message: "<html>Bad Gateway</html>".into()
                }
            );
            assert_eq!(
                status_error(503, "", None),
                TranslateError::Http {
                    status: 503,
                    message: "Service Unavailable".into()
                }
            );
        }

        #[test]
        fn only_transient_errors_are_retried() {
            assert!(status_error(500, "", None).is_transient());
            assert!(status_error(529, "", None).is_transient());
            assert!(status_error(429, "", None).is_transient());
            assert!(TranslateError::Network("refused".into()).is_transient());
            assert!(!status_error(400, "", None).is_transient());
            assert!(!status_error(403, "", None).is_transient());
            assert!(!status_error(456, "", None).is_transient());
        }
    }

    mod retry_wait_tests {
        use super::*;
        use crate::news::http::{MAX_RETRY_AFTER, parse_retry_after};

        /// The wait [`http::with_retries`] takes after `error`.
        fn retry_wait(error: &TranslateError, retry: u32, backoff: Duration) -> Duration {
            http::retry_wait(retry, backoff, error.retry_after())
        }

        #[test]
        fn doubles_and_honours_retry_after_up_to_a_cap() {
            let backoff = Duration::from_millis(100);
            let network = TranslateError::Network("x".into());
            assert_eq!(retry_wait(&network, 0, backoff), backoff);
            assert_eq!(retry_wait(&network, 3, backoff), backoff * 8);
            let asked = |s| TranslateError::RateLimited {
                retry_after: Some(Duration::from_secs(s)),
            };
            assert_eq!(retry_wait(&asked(2), 0, backoff), Duration::from_secs(2));
            assert_eq!(retry_wait(&asked(0), 1, backoff), backoff * 2);
            assert_eq!(retry_wait(&asked(86_400), 0, backoff), MAX_RETRY_AFTER);
            assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
            assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        }
    }

    mod apertium_mode_tests {
        use super::*;

        #[test]
        fn prefers_the_plain_pair_into_english() {
            let pairs = strings(&["eng-spa", "spa-eng_US", "spa-eng", "fr-en", "cat-eng_US"]);
            assert_eq!(apertium_mode("es", &pairs).as_deref(), Some("spa-eng"));
            assert_eq!(apertium_mode("fr", &pairs).as_deref(), Some("fr-en"));
            assert_eq!(apertium_mode("ca", &pairs).as_deref(), Some("cat-eng_US"));
            assert_eq!(apertium_mode("ja", &pairs), None);
            assert_eq!(apertium_mode("en", &pairs), None);
        }
    }

    mod paragraph_tests {
        use super::*;

        #[test]
        fn texts_round_trip_through_blank_lines() {
            let lines = ["Uno dos", "Tres"];
            assert_eq!(join_paragraphs(&lines), "Uno dos\n\nTres\n");
            assert_eq!(split_paragraphs("One two\n\nThree\n"), ["One two", "Three"]);
            assert_eq!(
                split_paragraphs("\n\nOne\ntwo\n\n\n\nThree"),
                ["One two", "Three"]
            );
            assert!(split_paragraphs("\n \n").is_empty());
            assert_eq!(one_line(" a\nb \r\n\n c\td "), "a b c d");
        }
    }

    /// A stand-in `apertium`: a shell script that lists `spa-eng`, logs each run to `log`
    /// and translates by running `body` as a filter from stdin to stdout.
    #[cfg(unix)]
    struct FakeApertium {
        dir: PathBuf,
    }

    #[cfg(unix)]
    impl FakeApertium {
        fn new(name: &str, body: &str) -> Self {
            use std::os::unix::fs::PermissionsExt;
            let dir = std::env::temp_dir()
                .join(format!("newsglobe-translate-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let script = format!(
                "#!/bin/sh\necho \"$@\" >> '{log}'\nif [ \"$1\" = -l ]; then echo spa-eng; exit 0; fi\n{body}\n",
                log = dir.join("log").display()
            );
            let path = dir.join("apertium");
            std::fs::write(&path, script).expect("write script");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            // A script just written can be "busy" for a moment if another test thread forked
            // while it was open; wait until it runs.
            for _ in 0..100 {
                match Command::new(&path).arg("-l").stdin(Stdio::null()).output() {
                    Err(e) if e.raw_os_error() == Some(26) => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    _ => break,
                }
            }
            let _ = std::fs::remove_file(dir.join("log"));
            Self { dir }
        }

        fn translator(&self, config: TranslateConfig) -> Translator {
            let backend = Backend::Apertium {
                command: self.dir.join("apertium"),
            };
            Translator::new(backend, config).expect("translator")
        }

        fn runs(&self) -> Vec<String> {
            std::fs::read_to_string(self.dir.join("log"))
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        }
    }

    #[cfg(unix)]
    impl Drop for FakeApertium {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn apertium_translates_a_batch_in_one_run_and_lists_pairs_once() {
        let fake = FakeApertium::new("batch", "tr a-z A-Z");
        let translator = fake.translator(quick(0, 1));

        assert!(translator.supports("es").await);
        assert!(!translator.supports("fr").await);
        let texts = strings(&["uno\ndos", "  ", "tres"]);
        let translated = translator.translate(&texts, "es").await;

        assert_eq!(translated, Ok(strings(&["UNO DOS", "  ", "TRES"])));
        assert_eq!(fake.runs(), ["-l", "-u spa-eng"]);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn apertium_falls_back_to_one_run_per_text_when_the_output_does_not_split() {
        // Keeps only the first line: a batch comes back one paragraph short.
        let fake = FakeApertium::new("fallback", "head -n 1 | tr a-z A-Z");
        let translator = fake.translator(quick(0, 1));

        let translated = translator
            .translate(&strings(&["uno", "dos", "tres"]), "es")
            .await;

        assert_eq!(translated, Ok(strings(&["UNO", "DOS", "TRES"])));
        assert_eq!(fake.runs().len(), 1 + 1 + 3);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn apertium_failures_and_hangs_are_errors() {
        let fake = FakeApertium::new(
            "fails",
            "echo 'Error: Mode spa-eng does not exist' >&2; exit 1",
        );
        let error = fake
            .translator(quick(0, 1))
            .translate(&strings(&["uno"]), "es")
            .await;
        assert!(
            matches!(&error, Err(TranslateError::Backend(m)) if m.contains("does not exist")),
            "{error:?}"
        );

        let fake = FakeApertium::new("hangs", "exec sleep 5");
        let config = TranslateConfig {
            timeout: Duration::from_millis(200),
            ..quick(0, 1)
        };
        let error = fake
            .translator(config)
            .translate(&strings(&["uno"]), "es")
            .await;
        assert_eq!(
            error,
            Err(TranslateError::Timeout(Duration::from_millis(200)))
        );

        let missing = Backend::Apertium {
            command: PathBuf::from("/nonexistent/apertium"),
        };
        let translator = Translator::new(missing, quick(0, 1)).expect("translator");
        assert!(!translator.supports("es").await);
        let error = translator.translate(&strings(&["uno"]), "es").await;
        assert!(
            matches!(&error, Err(TranslateError::Backend(m)) if m.contains("is apertium installed")),
            "{error:?}"
        );
    }

    /// Whether the real `apertium` with `spa-eng` is here; CI sets
    /// NEWSGLOBE_REQUIRE_APERTIUM so that a missing one fails rather than skips.
    fn real_apertium() -> Option<Translator> {
        let listed = Command::new("apertium")
            .arg("-l")
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).contains("spa-eng"));
        if !matches!(listed, Ok(true)) {
            let why = format!("apertium with spa-eng is not installed ({listed:?})");
            assert!(
                std::env::var_os("NEWSGLOBE_REQUIRE_APERTIUM").is_none(),
                "{why}"
            );
            eprintln!("skipped: {why}");
            return None;
        }
        let backend = Backend::Apertium {
            command: PathBuf::from("apertium"),
        };
        Some(Translator::new(backend, TranslateConfig::default()).expect("translator"))
    }

    #[tokio::test]
    async fn real_apertium_translates_spanish() {
        let Some(translator) = real_apertium() else {
            return;
        };
        assert_eq!(translator.label().as_deref(), Some("Apertium"));
        assert!(translator.supports("es").await);
        assert!(!translator.supports("ja").await);

        let translated = translator
            .translate(&strings(&["La economía de Brasil creció"]), "es")
            .await
            .expect("translated");

        assert!(translated[0].contains("economy"), "{translated:?}");
        assert!(translated[0].contains("Brazil"), "{translated:?}");
        assert!(matches!(
            translator.translate(&strings(&["日本"]), "ja").await,
            Err(TranslateError::Unsupported { .. })
        ));
    }

    #[tokio::test]
    async fn real_apertium_keeps_batched_texts_apart_and_in_order() {
        let Some(translator) = real_apertium() else {
            return;
        };
        // With only a newline between them, apertium would move "rojo" into the first text
        // ("I bought a red / car").
        let texts = strings(&[
            "Compré un coche",
            "rojo grande",
            "El gato negro",
            "La casa blanca\nde María",
        ]);

        let translated = translator
            .translate(&texts, "es")
            .await
            .expect("translated");

        assert_eq!(translated.len(), 4);
        assert!(
            translated[0].contains("car") && !translated[0].contains("red"),
            "{translated:?}"
        );
        assert!(
            translated[1].to_lowercase().contains("red"),
            "{translated:?}"
        );
        assert!(translated[2].contains("black cat"), "{translated:?}");
        assert!(translated[3].contains("white house"), "{translated:?}");
    }
}

//! Machine translation of article titles and summaries into English, behind one interface.
//!
//! Three backends: any LibreTranslate-compatible HTTP API, DeepL's API, and a local
//! `apertium` binary that works fully offline. A call takes texts in one source language and
//! gives back English, one output per input and in the same order. Requests are batched;
//! transient failures (429, 5xx, timeouts, refused connections) are retried with doubling
//! back-off, honouring the server's `Retry-After`.
//!
//! This file holds what every backend shares: the [`Translator`], its settings and errors,
//! batching and retries. Each backend's protocol is in its own file: [`libretranslate`],
//! [`deepl`] and [`apertium`].
//!
//! Not this module's concern: where the backend choice and its keys come from (the config),
//! which articles to translate and when, and how translations are stored and marked (ingest).

mod apertium;
mod deepl;
mod libretranslate;
#[cfg(test)]
mod test_support;

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Deserialize;
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

/// A cap on a service's answer: translations are about as long as the texts sent, so
/// anything near this is not a translation.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

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
            Backend::LibreTranslate { url, api_key } => libretranslate::engine(&url, api_key)?,
            Backend::DeepL {
                auth_key,
                pro,
                base,
            } => deepl::engine(&auth_key, pro, base)?,
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
                apertium::installed_mode(command, pairs, &lang, self.config.timeout)
                    .await
                    .is_ok()
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
        match &self.engine {
            Engine::Off => Err(TranslateError::Disabled),
            Engine::LibreTranslate { endpoint, api_key } => {
                libretranslate::translate(self, endpoint, api_key.as_deref(), texts, &lang).await
            }
            Engine::DeepL { endpoint, auth } => {
                deepl::translate(self, endpoint, auth, texts, &lang).await
            }
            Engine::Apertium { command, pairs } => {
                let mode =
                    apertium::installed_mode(command, pairs, &lang, self.config.timeout).await?;
                apertium::translate(command, &mode, texts, &self.config).await
            }
        }
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::test_support::{Reply, TestServer, libre_at, libretranslate, quick, strings};
    use super::*;

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
}

//! DeepL's API (v2): `POST /v2/translate` with JSON, the key in the `Authorization` header,
//! at most [`MAX_TEXTS`] texts a request, languages in capitals, and its own 456 for a spent
//! quota. Free keys (ending in `:fx`) and paid ones each have their own endpoint.

use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{Engine, TranslateError, Translator, check_count, endpoint};

/// DeepL's limit on texts per request.
const MAX_TEXTS: usize = 50;
const FREE: &str = "https://api-free.deepl.com";
const PRO: &str = "https://api.deepl.com";

/// The engine for `auth_key` at the endpoint its plan (`pro`) or `base` names; the key is
/// checked here so that a bad one fails before the first article.
pub(super) fn engine(
    auth_key: &str,
    pro: bool,
    base: Option<Url>,
) -> Result<Engine, TranslateError> {
    let base = match base {
        Some(base) => base,
        None => Url::parse(if pro { PRO } else { FREE })
            .map_err(|e| TranslateError::Config(e.to_string()))?,
    };
    if auth_key.trim().is_empty() {
        return Err(TranslateError::Config("the DeepL key is empty".into()));
    }
    let mut auth =
        HeaderValue::from_str(&format!("DeepL-Auth-Key {}", auth_key.trim())).map_err(|_| {
            TranslateError::Config("the DeepL key has characters a key cannot have".into())
        })?;
    // Keeps the key out of the client's own debug output.
    auth.set_sensitive(true);
    Ok(Engine::DeepL {
        endpoint: endpoint(&base, &["v2", "translate"])?,
        auth,
    })
}

/// Translates `texts` from `lang` into American English, a batch (of at most [`MAX_TEXTS`])
/// a request.
pub(super) async fn translate(
    translator: &Translator,
    endpoint: &Url,
    auth: &HeaderValue,
    texts: &[String],
    lang: &str,
) -> Result<Vec<String>, TranslateError> {
    let source_lang = lang.to_uppercase();
    let mut translated = Vec::with_capacity(texts.len());
    for batch in texts.chunks(translator.config.batch_size.min(MAX_TEXTS)) {
        let body = serde_json::to_string(&Request {
            text: batch,
            source_lang: &source_lang,
            target_lang: "EN-US",
        })
        .map_err(|e| TranslateError::Config(e.to_string()))?;
        let reply = translator
            .with_retries(|| translator.post_json(endpoint, body.clone(), Some(auth)))
            .await?;
        translated.extend(parse(&reply, batch.len())?);
    }
    Ok(translated)
}

#[derive(Serialize)]
struct Request<'a> {
    text: &'a [String],
    source_lang: &'a str,
    target_lang: &'a str,
}

#[derive(Deserialize)]
struct Response {
    translations: Vec<Translation>,
}

#[derive(Deserialize)]
struct Translation {
    text: String,
}

fn parse(body: &str, expected: usize) -> Result<Vec<String>, TranslateError> {
    let reply: Response =
        serde_json::from_str(body).map_err(|e| TranslateError::BadResponse(e.to_string()))?;
    check_count(
        reply.translations.into_iter().map(|t| t.text).collect(),
        expected,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::test_support::{Reply, Seen, TestServer, quick, strings};
    use super::super::{Backend, TranslateConfig};
    use super::*;

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

    fn deepl_at(server: &TestServer, key: &str, config: TranslateConfig) -> Translator {
        let backend = Backend::DeepL {
            auth_key: key.into(),
            pro: false,
            base: Some(server.url()),
        };
        Translator::new(backend, config).expect("translator")
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
}

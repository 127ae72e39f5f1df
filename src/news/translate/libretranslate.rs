//! The LibreTranslate protocol: `POST /translate` with JSON, the key (if any) in the body,
//! a list of texts in and a list of translations out. Any compatible server will do, the
//! public instances and a local `libretranslate` alike.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{Engine, TranslateError, Translator, check_count, endpoint};

/// The engine for the server at `url` (its root, to which `/translate` is added).
pub(super) fn engine(url: &Url, api_key: Option<String>) -> Result<Engine, TranslateError> {
    Ok(Engine::LibreTranslate {
        endpoint: endpoint(url, &["translate"])?,
        api_key,
    })
}

/// Translates `texts` from `lang` into English, a batch a request.
pub(super) async fn translate(
    translator: &Translator,
    endpoint: &Url,
    api_key: Option<&str>,
    texts: &[String],
    lang: &str,
) -> Result<Vec<String>, TranslateError> {
    let mut translated = Vec::with_capacity(texts.len());
    for batch in texts.chunks(translator.config.batch_size) {
        let body = serde_json::to_string(&Request {
            q: batch,
            source: lang,
            target: "en",
            format: "text",
            api_key,
        })
        .map_err(|e| TranslateError::Config(e.to_string()))?;
        let reply = translator
            .with_retries(|| translator.post_json(endpoint, body.clone(), None))
            .await?;
        translated.extend(parse(&reply, batch.len())?);
    }
    Ok(translated)
}

#[derive(Serialize)]
struct Request<'a> {
    q: &'a [String],
    source: &'a str,
    target: &'a str,
    format: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
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

fn parse(body: &str, expected: usize) -> Result<Vec<String>, TranslateError> {
    let reply: Response =
        serde_json::from_str(body).map_err(|e| TranslateError::BadResponse(e.to_string()))?;
    let texts = match reply.translated_text {
        OneOrMany::One(text) => vec![text],
        OneOrMany::Many(texts) => texts,
    };
    check_count(texts, expected)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::TranslateError;
    use super::super::test_support::{Reply, TestServer, libre_at, libretranslate, quick, strings};

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
}

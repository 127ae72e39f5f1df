//! What the translation tests share: an HTTP server on 127.0.0.1 that records what it was
//! sent, a LibreTranslate stand-in that "translates" by uppercasing, and quick settings.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use url::Url;

use super::{Backend, TranslateConfig, Translator};

/// One request as the test server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: body.to_string(),
            headers: vec![("Content-Type", "application/json".into())],
        }
    }
}

/// An HTTP server on 127.0.0.1 that answers with `handler(request, its index)` and keeps
/// every request it saw.
pub struct TestServer {
    server: Arc<tiny_http::Server>,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + 'static) -> Self {
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
                    let mut response =
                        tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
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

    pub fn url(&self) -> Url {
        let addr = self.server.server_addr().to_ip().expect("an IP address");
        Url::parse(&format!("http://{addr}/")).expect("url")
    }

    pub fn seen(&self) -> Vec<Seen> {
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
pub fn libretranslate(key: Option<&'static str>) -> impl Fn(&Seen, usize) -> Reply {
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

pub fn quick(max_retries: u32, backoff_ms: u64) -> TranslateConfig {
    TranslateConfig {
        batch_size: 50,
        max_retries,
        backoff: Duration::from_millis(backoff_ms),
        timeout: Duration::from_secs(10),
    }
}

pub fn libre_at(server: &TestServer, api_key: Option<&str>, config: TranslateConfig) -> Translator {
    let backend = Backend::LibreTranslate {
        url: server.url(),
        api_key: api_key.map(str::to_owned),
    };
    Translator::new(backend, config).expect("translator")
}

pub fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|&t| t.to_owned()).collect()
}

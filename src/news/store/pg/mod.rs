//! The PostgreSQL backend: a database that one ingest fills and many screens read.
//!
//! The client is `postgres`'s synchronous one, and each pooled connection lives on a thread of
//! its own: the store's callers run inside the news service's tokio runtime, where the client's
//! own runtime could not be entered, and a store call there blocks as briefly as a SQLite read
//! does. Every store opened on the same server and role in a process shares one pool. A
//! connection that breaks (the database restarted) is dropped and made again on the next call,
//! and a call that found its connection broken is tried once more on a new one.
//!
//! Each job's SQL is in its own file, as in the SQLite backend: `schema.rs` (versioned
//! migrations), `feeds.rs`, `articles.rs`, `search.rs`, `translations.rs`, `stories.rs`.
//! `local.rs` starts a private server for tests and benchmarks.

mod articles;
mod feeds;
pub mod local;
mod schema;
mod search;
mod sentences;

#[cfg(test)]
pub(super) use schema::MIGRATIONS;
mod stories;
mod translations;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, sync_channel};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::StoreError;

/// How many connections a process opens to the server at most: the panels' reads, a page's
/// read and a refresh's writes at the same time, with room to spare.
pub const DEFAULT_POOL: usize = 4;

/// A server that does not answer is reported after this long, rather than freezing a screen's
/// reads behind it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How to reach a shared store: its address, the role's credentials, TLS and the pool's size.
/// Displayed, it is the address without the password.
#[derive(Clone)]
pub struct PgSettings {
    /// Shared: a configuration is large, and a store's address travels by value.
    config: Arc<postgres::Config>,
    url: String,
    ca_file: Option<PathBuf>,
    pool: usize,
}

impl std::fmt::Debug for PgSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgSettings({self})")
    }
}

impl std::fmt::Display for PgSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

/// Whether a connection is encrypted: the URL's `sslmode` (`disable`, `prefer`, `require`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    Prefer,
    Require,
}

impl PgSettings {
    /// Reads a `postgres://host[:port]/database[?sslmode=…]` address. The role and its
    /// password come from the config file or the environment (`user`, `password`), never from
    /// the address: a password on a command line is visible to every user of the machine, so
    /// an address that carries one is refused.
    pub fn from_url(
        url: &str,
        user: Option<&str>,
        password: Option<&str>,
    ) -> Result<PgSettings, StoreError> {
        let bad = |reason: &str| StoreError::Address {
            url: redact(url),
            reason: reason.to_owned(),
        };
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(bad("a shared store's address starts with postgres://"));
        }
        if parsed.password().is_some() {
            return Err(bad(
                "it carries a password; put it in the config's [store] password or in \
                 PGPASSWORD instead",
            ));
        }
        let mut config: postgres::Config = url.parse().map_err(|e| bad(&format!("{e}")))?;
        if let Some(user) = user.filter(|u| !u.is_empty()) {
            config.user(user);
        }
        if config.get_user().is_none() {
            return Err(bad(
                "no role to connect as: name it in the address (postgres://role@host/db), \
                 the config's [store] user or PGUSER",
            ));
        }
        if let Some(password) = password {
            config.password(password);
        }
        if config.get_dbname().is_none() {
            return Err(bad("it names no database (postgres://host/database)"));
        }
        config.application_name("newsglobe");
        config.connect_timeout(CONNECT_TIMEOUT);
        config.keepalives_idle(Duration::from_secs(30));
        let mut shown = parsed.clone();
        if shown.username().is_empty() {
            let _ = shown.set_username(config.get_user().unwrap_or_default());
        }
        Ok(PgSettings {
            config: Arc::new(config),
            url: shown.to_string(),
            ca_file: None,
            pool: DEFAULT_POOL,
        })
    }

    /// Trusts the certificates in this PEM file besides the system's (a private CA, or a
    /// server's self-signed certificate).
    pub fn with_ca_file(mut self, ca_file: Option<PathBuf>) -> Self {
        self.ca_file = ca_file;
        self
    }

    /// Opens at most `connections` connections (at least one).
    pub fn with_pool(mut self, connections: usize) -> Self {
        self.pool = connections.max(1);
        self
    }

    pub fn tls(&self) -> TlsMode {
        match self.config.get_ssl_mode() {
            postgres::config::SslMode::Disable => TlsMode::Disable,
            postgres::config::SslMode::Require => TlsMode::Require,
            _ => TlsMode::Prefer,
        }
    }

    /// What tells two settings' pools apart: the address, the role and the pool's size.
    fn pool_key(&self) -> String {
        format!("{} {:?} {}", self.url, self.ca_file, self.pool)
    }

    fn error(&self, reason: impl std::fmt::Display) -> StoreError {
        StoreError::Postgres {
            store: self.url.clone(),
            reason: reason.to_string(),
        }
    }

    /// Connects once, through rustls when the server offers or the address asks for TLS.
    fn connect(&self) -> Result<Client, StoreError> {
        let tls = self.tls_connector()?;
        self.config
            .connect(tls)
            .map_err(|e| self.error(format!("cannot connect: {}", describe(&e))))
    }

    fn tls_connector(&self) -> Result<MakeRustlsConnect, StoreError> {
        let mut roots = rustls::RootCertStore::empty();
        // The system's roots where there are any; a machine without them can still trust a
        // CA file.
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(file) = &self.ca_file {
            use rustls::pki_types::CertificateDer;
            use rustls::pki_types::pem::PemObject;
            let certs = CertificateDer::pem_file_iter(file)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    self.error(format!("cannot read the CA file {}: {e}", file.display()))
                })?;
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| self.error(format!("the CA file {}: {e}", file.display())))?;
            }
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| self.error(e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }
}

/// The address with any password blanked, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(not an address)".to_owned(),
    }
}

/// An error and its causes in one line: the client's own text is often only "db error".
fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// An open shared store: a handle on its pool.
pub(super) struct Postgres {
    pool: Arc<Pool>,
}

impl Postgres {
    /// Opens the pool (shared with other stores on the same server and role) and brings the
    /// schema up to date.
    pub(super) fn open(settings: &PgSettings) -> Result<Postgres, StoreError> {
        let store = Postgres {
            pool: Pool::shared(settings),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Runs `work` on a pooled connection and waits for its result. `work` may run twice: once
    /// more on a new connection when the first was found broken, so it must be harmless to
    /// repeat (every write here is a transaction that either committed or did not).
    pub(super) fn run<T: Send + 'static>(
        &self,
        work: impl Fn(&mut Client) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (done, result) = sync_channel(1);
        let settings = self.pool.settings.clone();
        let job: Job = Box::new(move |connection: &mut Option<Client>| {
            let _ = done.send(run_on(&settings, connection, &work));
        });
        let sent = self
            .pool
            .jobs
            .lock()
            .map_err(|_| self.pool.settings.error("the connection pool failed"))?
            .send(job);
        if sent.is_err() {
            return Err(self.pool.settings.error("the connection pool has stopped"));
        }
        result
            .recv()
            .map_err(|_| self.pool.settings.error("a pooled connection stopped"))?
    }
}

fn run_on<T>(
    settings: &PgSettings,
    connection: &mut Option<Client>,
    work: &impl Fn(&mut Client) -> Result<T, postgres::Error>,
) -> Result<T, StoreError> {
    for attempt in 0..2 {
        if connection.as_ref().is_none_or(Client::is_closed) {
            *connection = Some(settings.connect()?);
        }
        let Some(client) = connection.as_mut() else {
            continue;
        };
        match work(client) {
            Ok(value) => return Ok(value),
            Err(e) if client.is_closed() || e.is_closed() => {
                *connection = None;
                if attempt == 1 {
                    return Err(settings.error(describe(&e)));
                }
            }
            Err(e) => return Err(settings.error(describe(&e))),
        }
    }
    Err(settings.error("the connection broke twice"))
}

type Job = Box<dyn FnOnce(&mut Option<Client>) + Send>;

/// Threads, each with a connection made on first use, taking jobs from one queue.
struct Pool {
    jobs: Mutex<Sender<Job>>,
    settings: PgSettings,
}

impl Pool {
    /// The pool for these settings, started on first use and stopped when the last store
    /// using it is dropped.
    fn shared(settings: &PgSettings) -> Arc<Pool> {
        static POOLS: OnceLock<Mutex<HashMap<String, Weak<Pool>>>> = OnceLock::new();
        let pools = POOLS.get_or_init(Default::default);
        let mut pools = pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pools.retain(|_, pool| pool.strong_count() > 0);
        let key = settings.pool_key();
        if let Some(pool) = pools.get(&key).and_then(Weak::upgrade) {
            return pool;
        }
        let pool = Arc::new(Pool::start(settings.clone()));
        pools.insert(key, Arc::downgrade(&pool));
        pool
    }

    fn start(settings: PgSettings) -> Pool {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..settings.pool {
            let queue = queue.clone();
            // A thread that cannot start leaves the others to take the jobs.
            let _ = std::thread::Builder::new()
                .name(format!("store-pg-{n}"))
                .spawn(move || serve_jobs(&queue));
        }
        Pool {
            jobs: Mutex::new(jobs),
            settings,
        }
    }
}

/// One pooled connection's thread: runs jobs until the pool is dropped.
fn serve_jobs(queue: &Mutex<Receiver<Job>>) {
    let mut connection: Option<Client> = None;
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else {
            return;
        };
        // A panic in a job costs that call (its caller hears the pool stopped) and the
        // connection, not the thread: the pool keeps its size.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut connection)));
        if ran.is_err() {
            connection = None;
        }
    }
}

/// Stores take counts as i64.
fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod settings_tests {
    use super::*;

    #[test]
    fn an_address_with_a_password_is_refused_without_showing_it() {
        let error = PgSettings::from_url("postgres://ng:secret@db.example/news", None, None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("PGPASSWORD"), "{error}");
        assert!(!error.contains("secret"), "{error}");
    }

    #[test]
    fn the_role_comes_from_the_address_or_the_config_and_shows_without_the_password() {
        let settings = PgSettings::from_url(
            "postgres://db.example:5433/news",
            Some("screen"),
            Some("pw"),
        )
        .unwrap();
        assert_eq!(
            settings.to_string(),
            "postgres://screen@db.example:5433/news"
        );
        assert_eq!(settings.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(settings.tls(), TlsMode::Prefer);
        let settings = PgSettings::from_url(
            "postgresql://ingest@db.example/news?sslmode=require",
            None,
            None,
        )
        .unwrap();
        assert_eq!(settings.config.get_user(), Some("ingest"));
        assert_eq!(settings.tls(), TlsMode::Require);
    }

    #[test]
    fn an_address_without_a_role_a_database_or_the_scheme_is_refused() {
        for (url, says) in [
            ("postgres://db.example/news", "no role"),
            ("postgres://ng@db.example", "no database"),
            ("mysql://ng@db.example/news", "postgres://"),
            ("not an address", "not an address"),
        ] {
            let error = PgSettings::from_url(url, None, None)
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{url}: {error}");
        }
    }
}

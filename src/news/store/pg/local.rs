//! A private, throwaway PostgreSQL server for tests and benchmarks: `initdb` into a new folder
//! under the temp dir, `postgres` on 127.0.0.1 at a free port (optionally TLS only, with a CA
//! made for it), databases created on demand, stopped and started again at will, and the
//! whole server and its folder gone when the process ends, however it ends.
//!
//! The no-orphan guarantee: the server runs under a small `sh` wrapper (`WRAPPER` below)
//! whose stdin is a pipe from this process and which blocks on `read`. The pipe's write end
//! lives only in this process (std opens it close-on-exec), so when the process exits,
//! crashes or is killed with SIGKILL, the kernel closes it, `read` sees end-of-file and the
//! wrapper shuts the server down (fast shutdown) and removes the folder. Destructors are not
//! needed for that, which matters because the per-process [`LocalServer::shared`] server
//! lives in a static that is never dropped. The wrapper runs in a process group of its own
//! so a Ctrl-C meant for the test binary does not kill it before it has cleaned up. The same
//! pipe carries `stop` and `start` lines for [`LocalServer::stop`] and
//! [`LocalServer::start_again`], answered on the wrapper's stdout. (The wrapper itself runs
//! `initdb`, so only the few milliseconds between making the folder and spawning it are
//! uncovered: a process killed right then leaves an empty-ish folder in the temp dir.)
//!
//! `initdb` and `postgres` refuse to run as root; when this process's effective uid is 0 (CI,
//! containers) the wrapper runs as the `postgres` system user through `runuser` and the
//! folder is chowned to it. Finding PostgreSQL: `NEWSGLOBE_PG_BIN`, else the highest
//! `/usr/lib/postgresql/*/bin` (Debian keeps them off PATH), else PATH. What the app does
//! with the server is not this module's concern; nor is any schema.
#![cfg(unix)] // sh, runuser, chown and Unix sockets: the tests' platforms (Linux CI) have them.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postgres::NoTls;
use postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The superuser `initdb` creates; the tests connect as it.
const USER: &str = "newsglobe";
/// Set (to anything but empty or `0`) in CI, so that a missing PostgreSQL fails the tests
/// instead of skipping them.
pub const REQUIRE_ENV: &str = "NEWSGLOBE_REQUIRE_POSTGRES";
/// A folder holding `initdb` and `postgres`, to use instead of the one found.
pub const BIN_ENV: &str = "NEWSGLOBE_PG_BIN";
/// How long a start may take before we give up: `initdb` takes about a second, the first
/// connection a few milliseconds more, but a loaded CI machine can be much slower.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Fresh ports are picked by binding port 0 and letting it go, so another process may take
/// one before `postgres` binds it; a first start tries this many ports.
const PORT_TRIES: usize = 3;
/// The socket's path (`<folder>/.s.PGSQL.<port>`) must fit in `sun_path` (108 bytes on Linux);
/// with a longer temp dir the server goes without a Unix socket.
const MAX_SOCKET_FOLDER: usize = 90;
/// Enough for tests running in parallel against the shared server, each with a pool.
const MAX_CONNECTIONS: u32 = 200;

/// The wrapper that owns the server. Arguments: bin dir, folder, port, user, then extra
/// `postgres` arguments. It answers `started <pid>` (or `initdb failed`) at once, then reads
/// lines: `stop` (answered `stopped`), `start [port]` (answered `started <pid>`); at
/// end-of-file, HUP or TERM it stops the server and removes the folder. SIGPIPE is ignored so
/// that an answer to a process that has died cannot kill the wrapper before it cleans up
/// (`postgres` ignores SIGPIPE itself anyway).
const WRAPPER: &str = r#"set -u
bin=$1 root=$2 port=$3 user=$4
shift 4
export LC_ALL=C
umask 077
pid=
up() {
    "$bin/postgres" -D "$root/data" -p "$port" "$@" </dev/null >>"$root/server.log" 2>&1 &
    pid=$!
    echo "started $pid"
}
down() {
    if [ -n "$pid" ]; then
        kill -INT "$pid" 2>/dev/null
        wait "$pid"
        pid=
    fi
}
finish() {
    down
    rm -rf "$root"
    exit 0
}
trap finish HUP TERM
trap '' PIPE
if "$bin/initdb" -D "$root/data" -U "$user" --pwfile="$root/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-sync \
    >"$root/initdb.log" 2>&1; then
    rm -f "$root/pwfile"
    up "$@"
else
    rm -f "$root/pwfile"
    echo "initdb failed"
fi
while read -r cmd arg; do
    case $cmd in
        stop) down; echo stopped ;;
        start) port=${arg:-$port}; down; up "$@" ;;
    esac
done
finish
"#;

/// A PostgreSQL server of our own, listening on 127.0.0.1; see the module's docs.
pub struct LocalServer {
    folder: PathBuf,
    port: u16,
    password: String,
    ca_file: Option<PathBuf>,
    /// The TLS connector trusting [`Self::ca_file`], for a TLS server.
    tls: Option<MakeRustlsConnect>,
    wrapper: Child,
    /// The wrapper's stdin; dropping it is what stops the server and removes the folder.
    commands: Option<ChildStdin>,
    replies: BufReader<ChildStdout>,
    /// The postmaster's pid while it runs.
    postmaster: Option<u32>,
}

impl LocalServer {
    /// Makes a new cluster in a new folder under the temp dir (superuser `newsglobe` with a
    /// random password; scram-sha-256 over TCP; UTF8, locale C; `--no-sync`) and starts it on
    /// 127.0.0.1 at a free port, with `fsync=off` for speed (`synchronous_commit` keeps its
    /// default, so commits still wait for the WAL write). Returns once it accepts
    /// connections. Errors name what failed with the tail of `initdb`'s or the server's log;
    /// the kind is `NotFound` when PostgreSQL is not installed.
    pub fn start() -> io::Result<LocalServer> {
        Self::start_with(false)
    }

    /// As [`Self::start`], with TLS: a CA of its own ([`Self::ca_file`]) signs a certificate
    /// for `localhost` and `127.0.0.1`, and TCP connections without TLS are refused, so a
    /// client that silently falls back to plain text fails its test.
    pub fn start_tls() -> io::Result<LocalServer> {
        Self::start_with(true)
    }

    /// The CA certificate (PEM) that signed a TLS server's certificate; `None` without TLS.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The TCP port on 127.0.0.1; it stays the same across [`Self::restart`].
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser's name, `newsglobe`.
    pub fn user(&self) -> &str {
        USER
    }

    /// The superuser's password, random for each server.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// `postgres://newsglobe@127.0.0.1:PORT/DATABASE`, without the password.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{USER}@127.0.0.1:{}/{}",
            self.port,
            percent_encode(database)
        )
    }

    /// A client configuration for `database` with host, port, user and password set, a
    /// connect timeout so a test cannot hang on a dead server, and for a TLS server
    /// `sslmode=require` (its certificate checks are the connector's: see [`Self::ca_file`]).
    pub fn config(&self, database: &str) -> postgres::Config {
        let mut config = postgres::Config::new();
        config
            .host("127.0.0.1")
            .port(self.port)
            .user(USER)
            .password(&self.password)
            .dbname(database)
            .connect_timeout(Duration::from_secs(10));
        if self.tls.is_some() {
            config.ssl_mode(SslMode::Require);
        }
        config
    }

    /// Connects to `database` with [`Self::config`], through TLS verified against
    /// [`Self::ca_file`] when the server has TLS.
    pub fn connect(&self, database: &str) -> Result<postgres::Client, postgres::Error> {
        let config = self.config(database);
        match &self.tls {
            Some(tls) => config.connect(tls.clone()),
            None => config.connect(NoTls),
        }
    }

    /// Creates a database with a new name, `prefix` made safe (lowercase ASCII letters,
    /// digits and `_`, at most 40 of them) followed by `_` and a number not used before in
    /// this process, and returns the name.
    pub fn create_database(&self, prefix: &str) -> Result<String, postgres::Error> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let name = format!(
            "{}_{}",
            sanitise_prefix(prefix),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        // The name is [a-z0-9_] only, so quoting it needs no escaping.
        self.connect("postgres")?
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
        Ok(name)
    }

    /// Stops the server (fast shutdown: open sessions are ended) and starts it again on the
    /// same port and data, returning once it accepts connections again.
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop()?;
        self.start_again()
    }

    /// Stops the server with a fast shutdown and waits until it has exited, so the port is
    /// closed; the data stays for [`Self::start_again`]. Does nothing if it is stopped.
    pub fn stop(&mut self) -> io::Result<()> {
        if self.postmaster.is_none() {
            return Ok(());
        }
        let reply = self.command("stop")?;
        self.postmaster = None;
        if reply == "stopped" {
            Ok(())
        } else {
            Err(self.failure(&format!("stopping: unexpected reply {reply:?}")))
        }
    }

    /// Starts a stopped server again on the same port and data, returning once it accepts
    /// connections. Does nothing if it is running.
    pub fn start_again(&mut self) -> io::Result<()> {
        if self.postmaster.is_some() {
            return Ok(());
        }
        let reply = self.command("start")?;
        self.started(&reply)?;
        self.wait_ready()
    }

    /// One server for the whole process, started by the first call and shared by every test
    /// (each makes its own databases with [`Self::create_database`]). `Ok(None)` when
    /// PostgreSQL is not installed and [`REQUIRE_ENV`] is not set, so tests can skip; an
    /// `Err` when it is required but missing, or installed but failed to start (every later
    /// call returns the same error). The server is never dropped; it goes with the process.
    pub fn shared() -> Result<Option<&'static LocalServer>, String> {
        static SHARED: OnceLock<Result<Option<LocalServer>, String>> = OnceLock::new();
        let server = SHARED.get_or_init(|| {
            if !available()? {
                return Ok(None);
            }
            LocalServer::start()
                .map(Some)
                .map_err(|e| format!("could not start a local PostgreSQL: {e}"))
        });
        match server {
            Ok(server) => Ok(server.as_ref()),
            Err(e) => Err(e.clone()),
        }
    }

    fn start_with(tls: bool) -> io::Result<LocalServer> {
        let bin = bin_dir()?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "PostgreSQL is not installed: no initdb and postgres in ${BIN_ENV}, \
                     /usr/lib/postgresql/*/bin or PATH"
                ),
            )
        })?;
        let folder = FolderGuard {
            path: new_folder()?,
            armed: true,
        };
        let root = folder.path.as_path();
        // The folder was made by this process, so its owner is our effective uid.
        let owner = if fs::metadata(root)?.uid() == 0 {
            Some(postgres_account()?)
        } else {
            None
        };
        let password = random_hex(16)?;
        write_private(&root.join("pwfile"), &format!("{password}\n"))?;
        // Our own pg_hba.conf rather than initdb's: a TLS server must refuse plain TCP.
        let host = if tls { "hostssl" } else { "host" };
        write_private(
            &root.join("pg_hba.conf"),
            &format!(
                "local all all trust\n{host} all all 127.0.0.1/32 scram-sha-256\n\
                 {host} all all ::1/128 scram-sha-256\n"
            ),
        )?;
        let ca_file = if tls {
            make_certificates(root)?;
            Some(root.join("ca.crt"))
        } else {
            None
        };
        let log = File::create(root.join("wrapper.log"))?;
        if let Some(account) = &owner {
            for entry in fs::read_dir(root)? {
                std::os::unix::fs::chown(entry?.path(), Some(account.uid), Some(account.gid))?;
            }
            std::os::unix::fs::chown(root, Some(account.uid), Some(account.gid))?;
        }
        let tls = ca_file.as_deref().map(rustls_connector).transpose()?;

        let mut port = free_port()?;
        let mut wrapper = match &owner {
            Some(account) => {
                let mut command = Command::new("runuser");
                command.args(["-u", &account.name, "--", "sh"]);
                command
            }
            None => Command::new("sh"),
        };
        wrapper
            .arg("-c")
            .arg(WRAPPER)
            .arg("newsglobe-local-postgres")
            .arg(&bin)
            .arg(root)
            .arg(port.to_string())
            .arg(USER)
            .args(server_arguments(root, tls.is_some()))
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            // Its own process group: a Ctrl-C for the tests must not end it before it cleans up.
            .process_group(0);
        let mut child = wrapper.spawn().map_err(|e| {
            let what = if owner.is_some() { "runuser" } else { "sh" };
            io::Error::new(e.kind(), format!("could not run {what}: {e}"))
        })?;
        let (Some(commands), Some(replies)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(io::Error::other("the wrapper's pipes were not made"));
        };
        // From here the wrapper (or, failing that, Drop) removes the folder.
        let mut server = LocalServer {
            folder: folder.release(),
            port,
            password,
            ca_file,
            tls,
            wrapper: child,
            commands: Some(commands),
            replies: BufReader::new(replies),
            postmaster: None,
        };
        let first = server.read_reply()?;
        if first == "initdb failed" {
            let mut message = format!(
                "initdb failed:\n{}",
                log_tail(&server.folder.join("initdb.log"))
            );
            if owner.is_some() {
                message.push_str(&format!(
                    "\n(as root, initdb runs as user postgres, which must be able to reach {})",
                    server.folder.display()
                ));
            }
            return Err(io::Error::other(message));
        }
        server.started(&first)?;
        let mut tries = 1;
        loop {
            match server.wait_ready() {
                Err(e) if e.kind() == io::ErrorKind::AddrInUse && tries < PORT_TRIES => {
                    tries += 1;
                    port = free_port()?;
                    server.port = port;
                    let reply = server.command(&format!("start {port}"))?;
                    server.started(&reply)?;
                }
                done => return done.map(|()| server),
            }
        }
    }

    /// Sends one line to the wrapper and returns its answer.
    fn command(&mut self, line: &str) -> io::Result<String> {
        let sent = match &mut self.commands {
            Some(commands) => writeln!(commands, "{line}").and_then(|()| commands.flush()),
            None => Err(io::Error::other("the server is shutting down")),
        };
        if let Err(e) = sent {
            return Err(self.failure(&format!("could not tell the wrapper to {line}: {e}")));
        }
        self.read_reply()
    }

    fn read_reply(&mut self) -> io::Result<String> {
        let mut reply = String::new();
        match self.replies.read_line(&mut reply) {
            Ok(0) => Err(self.failure("the wrapper exited")),
            Ok(_) => Ok(reply.trim_end().to_owned()),
            Err(e) => Err(self.failure(&format!("reading the wrapper's reply: {e}"))),
        }
    }

    /// Takes the postmaster's pid from a `started <pid>` reply.
    fn started(&mut self, reply: &str) -> io::Result<()> {
        let pid = reply
            .strip_prefix("started ")
            .and_then(|pid| pid.parse().ok());
        match pid {
            Some(pid) => {
                self.postmaster = Some(pid);
                Ok(())
            }
            None => Err(self.failure(&format!("starting: unexpected reply {reply:?}"))),
        }
    }

    /// Polls with real connections until one succeeds, failing early if the postmaster has
    /// exited (with the kind `AddrInUse` when another process took its port).
    fn wait_ready(&mut self) -> io::Result<()> {
        let begun = Instant::now();
        loop {
            let last = match self.connect("postgres") {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            if let Some(pid) = self.postmaster
                && !process_alive(pid)
            {
                self.postmaster = None;
                let log = log_tail(&self.folder.join("server.log"));
                let kind = if log.contains("Address already in use") {
                    io::ErrorKind::AddrInUse
                } else {
                    io::ErrorKind::Other
                };
                return Err(io::Error::new(
                    kind,
                    format!("postgres exited at start:\n{log}"),
                ));
            }
            if begun.elapsed() > READY_TIMEOUT {
                return Err(self.failure(&format!(
                    "postgres did not accept connections within {READY_TIMEOUT:?} \
                     (last error: {last})"
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// An error saying `what` went wrong, with the tails of the wrapper's and server's logs.
    fn failure(&self, what: &str) -> io::Error {
        io::Error::other(format!(
            "local PostgreSQL in {}: {what}\nwrapper: {}\nserver log:\n{}",
            self.folder.display(),
            log_tail(&self.folder.join("wrapper.log")),
            log_tail(&self.folder.join("server.log")),
        ))
    }
}

impl Drop for LocalServer {
    /// Closing the wrapper's stdin makes it stop the server (fast shutdown) and remove the
    /// folder; we wait for that, then remove whatever is left if the wrapper could not.
    fn drop(&mut self) {
        drop(self.commands.take());
        let _ = self.wrapper.wait();
        if let Err(e) = fs::remove_dir_all(&self.folder)
            && e.kind() != io::ErrorKind::NotFound
        {
            eprintln!(
                "could not remove the local PostgreSQL's folder {}: {e}",
                self.folder.display()
            );
        }
    }
}

/// Whether a missing PostgreSQL should fail the tests rather than skip them: [`REQUIRE_ENV`]
/// is set to something other than empty or `0`.
pub fn required() -> bool {
    std::env::var_os(REQUIRE_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// `Ok(true)` when PostgreSQL is installed, `Ok(false)` when it is not and not
/// [`required`] (tests skip), `Err` when it is required but missing or [`BIN_ENV`] names a
/// folder without it.
pub fn available() -> Result<bool, String> {
    match bin_dir() {
        Ok(Some(_)) => Ok(true),
        Ok(None) if !required() => Ok(false),
        Ok(None) => Err(format!(
            "${REQUIRE_ENV} is set but PostgreSQL is not installed (no initdb and postgres in \
             ${BIN_ENV}, /usr/lib/postgresql/*/bin or PATH)"
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// The folder holding `initdb` and `postgres`: [`BIN_ENV`] if set (an error if it lacks
/// them), else the highest version's `/usr/lib/postgresql/<version>/bin` (Debian and Ubuntu
/// keep them off PATH), else the first PATH folder with both. `Ok(None)` when none has them.
pub fn bin_dir() -> io::Result<Option<PathBuf>> {
    if let Some(dir) = std::env::var_os(BIN_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has_server(&dir) {
            Ok(Some(dir))
        } else {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("${BIN_ENV}={} holds no initdb and postgres", dir.display()),
            ))
        };
    }
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    if let Ok(entries) = fs::read_dir("/usr/lib/postgresql") {
        for entry in entries.flatten() {
            let Some(version) = entry.file_name().to_str().and_then(parse_version) else {
                continue;
            };
            let dir = entry.path().join("bin");
            if has_server(&dir) && best.as_ref().is_none_or(|(seen, _)| version > *seen) {
                best = Some((version, dir));
            }
        }
    }
    if let Some((_, dir)) = best {
        return Ok(Some(dir));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    Ok(std::env::split_paths(&path).find(|dir| has_server(dir)))
}

fn has_server(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

/// `15` or `9.6` as numbers, so that 10 sorts above 9.6.
fn parse_version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

/// The `postgres` arguments besides data dir and port.
fn server_arguments(root: &Path, tls: bool) -> Vec<String> {
    let root = root.display();
    let socket_folder = if root.to_string().len() <= MAX_SOCKET_FOLDER {
        root.to_string()
    } else {
        String::new()
    };
    let mut arguments = vec![
        "listen_addresses=127.0.0.1".to_owned(),
        format!("unix_socket_directories={socket_folder}"),
        format!("hba_file={root}/pg_hba.conf"),
        // Speed over surviving an OS crash, which no test does; a killed server still
        // recovers from its WAL, as synchronous_commit stays on.
        "fsync=off".to_owned(),
        format!("max_connections={MAX_CONNECTIONS}"),
    ];
    if tls {
        arguments.extend([
            "ssl=on".to_owned(),
            format!("ssl_cert_file={root}/server.crt"),
            format!("ssl_key_file={root}/server.key"),
        ]);
    }
    arguments
        .into_iter()
        .flat_map(|setting| ["-c".to_owned(), setting])
        .collect()
}

/// Deletes a folder on drop unless released: covers the steps before the wrapper owns it.
struct FolderGuard {
    path: PathBuf,
    armed: bool,
}

impl FolderGuard {
    fn release(mut self) -> PathBuf {
        self.armed = false;
        std::mem::take(&mut self.path)
    }
}

impl Drop for FolderGuard {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// A new folder `newsglobe-pg-<pid>-<n>-<time>` under the temp dir, mode 0700.
fn new_folder() -> io::Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let mut last = None;
    for _ in 0..100 {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let folder = base.join(format!(
            "newsglobe-pg-{}-{}-{nanos:x}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        match DirBuilder::new().mode(0o700).create(&folder) {
            Ok(()) => return Ok(folder),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("could not create a folder in {}: {e}", base.display()),
                ));
            }
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free folder name")))
}

/// The account the server runs as when we are root.
struct Account {
    name: String,
    uid: u32,
    gid: u32,
}

/// The `postgres` system user, from /etc/passwd or else `getent` (NSS, LDAP).
fn postgres_account() -> io::Result<Account> {
    let name = "postgres";
    let find = |passwd: &str| {
        passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            match fields.as_slice() {
                [user, _, uid, gid, ..] if *user == name => {
                    Some((uid.parse().ok()?, gid.parse().ok()?))
                }
                _ => None,
            }
        })
    };
    let mut found = fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| find(&passwd));
    if found.is_none()
        && let Ok(out) = Command::new("getent").args(["passwd", name]).output()
    {
        found = find(&String::from_utf8_lossy(&out.stdout));
    }
    let (uid, gid) = found.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "running as root, but there is no `postgres` user to run the server as \
             (initdb and postgres refuse root)",
        )
    })?;
    Ok(Account {
        name: name.to_owned(),
        uid,
        gid,
    })
}

/// A port that was free a moment ago: the kernel's pick for port 0.
fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn random_hex(bytes: usize) -> io::Result<String> {
    let mut buffer = vec![0; bytes];
    File::open("/dev/urandom")?.read_exact(&mut buffer)?;
    Ok(buffer.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes a file readable by its owner only (the password, the key).
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(text.as_bytes())
}

/// The OpenSSL configuration for our CA and the server's certificate. Our own, so neither
/// the system's defaults nor `-addext` clashing with them decide the extensions: webpki
/// (rustls) refuses a server certificate that says it is a CA, which `openssl req -x509`
/// makes by default, hence a CA and a separate leaf.
const OPENSSL_CONFIG: &str = "[req]
distinguished_name = dn
prompt = no
[dn]
CN = newsglobe test
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Makes `ca.crt` and the server's `server.crt` and `server.key` (P-256, ten years) in
/// `root` with the `openssl` command; the CA's key is deleted once it has signed.
fn make_certificates(root: &Path) -> io::Result<()> {
    write_private(&root.join("openssl.cnf"), OPENSSL_CONFIG)?;
    let key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let days = ["-days", "3650"];
    let serial = format!("0x{}", random_hex(16)?);
    let steps: [Vec<&str>; 3] = [
        [
            &["req", "-config", "openssl.cnf", "-x509", "-new"][..],
            &key,
            &days,
            &["-extensions", "ca", "-subj", "/CN=newsglobe test CA"],
            &["-keyout", "ca.key", "-out", "ca.crt"],
        ]
        .concat(),
        [
            &["req", "-config", "openssl.cnf", "-new"][..],
            &key,
            &["-subj", "/CN=localhost", "-keyout", "server.key"],
            &["-out", "server.csr"],
        ]
        .concat(),
        [
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
            ][..],
            &["-set_serial", &serial],
            &days,
            &[
                "-extfile",
                "openssl.cnf",
                "-extensions",
                "server",
                "-out",
                "server.crt",
            ],
        ]
        .concat(),
    ];
    for step in steps {
        let out = Command::new("openssl")
            .args(&step)
            .current_dir(root)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| io::Error::new(e.kind(), format!("could not run openssl: {e}")))?;
        if !out.status.success() {
            return Err(io::Error::other(format!(
                "openssl {} failed ({}):\n{}",
                step.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            )));
        }
    }
    for leftover in ["ca.key", "server.csr", "openssl.cnf"] {
        fs::remove_file(root.join(leftover))?;
    }
    // postgres refuses a key that others can read.
    fs::set_permissions(
        root.join("server.key"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
}

/// A connector trusting only the CA in `ca_file`.
fn rustls_connector(ca_file: &Path) -> io::Result<MakeRustlsConnect> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file).map_err(io::Error::other)? {
        roots
            .add(cert.map_err(io::Error::other)?)
            .map_err(io::Error::other)?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(io::Error::other)?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Whether the process is running (not gone, not a zombie: the wrapper reaps it only when
/// told to stop), from /proc; without /proc, or if it will not say, we cannot tell and say
/// yes, leaving the start's timeout to catch a dead server.
fn process_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may hold spaces.
        Ok(stat) => !matches!(
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next()),
            Some('Z' | 'X')
        ),
        Err(e) => e.kind() != io::ErrorKind::NotFound || !Path::new("/proc/self").exists(),
    }
}

/// The last lines of a log, for error messages.
fn log_tail(path: &Path) -> String {
    const LINES: usize = 20;
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(LINES)..].join("\n")
        }
        Err(e) => format!("({} unreadable: {e})", path.display()),
    }
}

/// A database-name prefix as `[a-z0-9_]`, starting with a letter or `_`, at most 40 long
/// (names may have 63 bytes; the rest is for the number).
fn sanitise_prefix(prefix: &str) -> String {
    let mut name: String = prefix
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        name.insert_str(0, "db_");
        name.truncate(40);
    }
    name
}

/// Percent-encodes all but unreserved URL characters, for a database name in a URL's path.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;

    /// A server of the test's own (for stopping or dropping it), or `None` to skip when
    /// PostgreSQL is not installed and not required.
    fn own_server(tls: bool) -> Option<LocalServer> {
        if skip() {
            return None;
        }
        let begun = Instant::now();
        let server = if tls {
            LocalServer::start_tls()
        } else {
            LocalServer::start()
        };
        let server = server.unwrap_or_else(|e| panic!("{e}"));
        eprintln!("started in {:?}", begun.elapsed());
        Some(server)
    }

    /// True (with a note) when PostgreSQL is absent and not required; panics when required.
    fn skip() -> bool {
        match available() {
            Ok(present) => {
                if !present {
                    eprintln!("skipped: PostgreSQL is not installed (set {REQUIRE_ENV}=1 to fail)");
                }
                !present
            }
            Err(e) => panic!("{e}"),
        }
    }

    fn select_one(client: &mut postgres::Client) -> i32 {
        client.query_one("SELECT 1", &[]).unwrap().get(0)
    }

    /// The error of a connection that must fail (`Client` has no Debug for `unwrap_err`).
    fn refused(result: Result<postgres::Client, postgres::Error>) -> postgres::Error {
        match result {
            Ok(_) => panic!("connected, but should have been refused"),
            Err(e) => e,
        }
    }

    fn refuses(port: u16) -> bool {
        TcpStream::connect(("127.0.0.1", port)).is_err()
    }

    #[test]
    fn serves_databases_and_survives_restart() {
        let Some(mut server) = own_server(false) else {
            return;
        };
        assert_eq!(server.user(), "newsglobe");
        assert_eq!(server.password().len(), 32);
        assert!(server.ca_file().is_none());
        let first = server.create_database("Store Tests!").unwrap();
        let second = server.create_database("Store Tests!").unwrap();
        assert_ne!(first, second);
        assert!(first.starts_with("store_tests__"), "{first}");
        assert_eq!(
            server.url(&first),
            format!("postgres://newsglobe@127.0.0.1:{}/{first}", server.port())
        );
        for database in [&first, &second] {
            let mut client = server.config(database).connect(NoTls).unwrap();
            assert_eq!(select_one(&mut client), 1);
            let name: String = client
                .query_one("SELECT current_database()", &[])
                .unwrap()
                .get(0);
            assert_eq!(&name, database);
        }
        let mut client = server.config(&first).connect(NoTls).unwrap();
        client
            .batch_execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
            .unwrap();
        // The store's search needs contrib's unaccent, which CI's package must bring.
        client.batch_execute("CREATE EXTENSION unaccent").unwrap();
        let plain: String = client
            .query_one("SELECT unaccent('Ñandú')", &[])
            .unwrap()
            .get(0);
        assert_eq!(plain, "Nandu");
        let port = server.port();

        let begun = Instant::now();
        server.restart().unwrap();
        eprintln!("restarted in {:?}", begun.elapsed());
        assert_eq!(server.port(), port);
        assert!(client.is_closed() || client.simple_query("SELECT 1").is_err());
        let mut client = server.config(&first).connect(NoTls).unwrap();
        let kept: i32 = client.query_one("SELECT n FROM kept", &[]).unwrap().get(0);
        assert_eq!(kept, 7);

        server.stop().unwrap();
        assert!(refuses(port));
        assert!(server.config(&first).connect(NoTls).is_err());
        server.start_again().unwrap();
        assert_eq!(select_one(&mut server.connect(&second).unwrap()), 1);
    }

    #[test]
    fn wrong_password_is_refused() {
        let Some(server) = LocalServer::shared().unwrap() else {
            eprintln!("skipped: PostgreSQL is not installed");
            return;
        };
        let mut config = server.config("postgres");
        config.password("not it");
        let error = refused(config.connect(NoTls));
        assert!(format!("{error:?}").contains("password"), "{error:?}");
    }

    /// A client trusting `roots` only, as the app builds its own.
    fn rustls_client(roots: rustls::RootCertStore) -> MakeRustlsConnect {
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        MakeRustlsConnect::new(config)
    }

    #[test]
    fn tls_server_takes_verified_tls_only() {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;

        let Some(server) = own_server(true) else {
            return;
        };
        let ca_file = server.ca_file().unwrap();
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ca_file).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let database = server.create_database("tls").unwrap();

        let mut config = server.config(&database);
        config.ssl_mode(SslMode::Require);
        let mut client = config.connect(rustls_client(roots)).unwrap();
        assert_eq!(select_one(&mut client), 1);
        let ssl: bool = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get(0);
        assert!(ssl);
        // The same through `localhost`, the certificate's other name.
        config.host("localhost");
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(ca_file).unwrap())
            .unwrap();
        assert_eq!(
            select_one(&mut config.connect(rustls_client(roots)).unwrap()),
            1
        );

        // A client that does not trust the CA fails the handshake.
        let error = refused(
            server
                .config(&database)
                .connect(rustls_client(rustls::RootCertStore::empty())),
        );
        assert!(format!("{error:?}").contains("UnknownIssuer"), "{error:?}");
        // Plain text is refused by the server, not merely avoided by the client.
        let mut plain = server.config(&database);
        plain.ssl_mode(SslMode::Disable);
        let error = refused(plain.connect(NoTls));
        assert!(format!("{error:?}").contains("no encryption"), "{error:?}");
    }

    #[test]
    fn dropping_removes_the_folder_and_closes_the_port() {
        let Some(server) = own_server(false) else {
            return;
        };
        let (folder, port) = (server.folder.clone(), server.port());
        assert!(folder.join("data").is_dir());
        assert!(!refuses(port));
        let begun = Instant::now();
        drop(server);
        eprintln!("dropped in {:?}", begun.elapsed());
        assert!(!folder.exists());
        assert!(refuses(port));
    }

    const CHILD_ENV: &str = "NEWSGLOBE_LOCAL_PG_CHILD";
    const CHILD_MARKER: &str = "local postgres for the parent: ";

    /// Run in a child process that starts a server, says where, and is killed with SIGKILL:
    /// no destructor runs, yet the server and folder must go.
    #[test]
    fn server_dies_with_its_process() {
        if std::env::var_os(CHILD_ENV).is_some() {
            let server = LocalServer::start().unwrap();
            // libtest has printed "test <name> ... " without a newline before this.
            println!(
                "\n{CHILD_MARKER}{} {}",
                server.port(),
                server.folder.display()
            );
            std::io::stdout().flush().unwrap();
            // Long enough for the parent to kill us; short if the parent has died.
            std::thread::sleep(Duration::from_secs(60));
            return;
        }
        if skip() {
            return;
        }
        let module = module_path!().split_once("::").unwrap().1;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                &format!("{module}::server_dies_with_its_process"),
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, "1")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let line = stdout
            .lines()
            .map(Result::unwrap)
            .find_map(|line| Some(line.split_once(CHILD_MARKER)?.1.to_owned()))
            .expect("the child's server");
        let (port, folder) = line.split_once(' ').unwrap();
        let (port, folder): (u16, PathBuf) = (port.parse().unwrap(), folder.into());
        assert!(folder.is_dir());
        assert!(!refuses(port));
        child.kill().unwrap();
        child.wait().unwrap();
        let begun = Instant::now();
        while (folder.exists() || !refuses(port)) && begun.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("gone {:?} after the kill", begun.elapsed());
        assert!(!folder.exists(), "{} is left", folder.display());
        assert!(refuses(port), "port {port} still open");
    }

    #[test]
    fn shared_server_is_one_per_process() {
        let Some(server) = LocalServer::shared().unwrap() else {
            eprintln!("skipped: PostgreSQL is not installed");
            return;
        };
        let again = LocalServer::shared().unwrap().unwrap();
        assert!(std::ptr::eq(server, again));
        let database = server.create_database("shared").unwrap();
        assert_eq!(select_one(&mut server.connect(&database).unwrap()), 1);
    }

    #[test]
    fn prefixes_become_safe_names() {
        assert_eq!(sanitise_prefix("Store"), "store");
        assert_eq!(sanitise_prefix("a-b c\"d"), "a_b_c_d");
        assert_eq!(sanitise_prefix("9lives"), "db_9lives");
        assert_eq!(sanitise_prefix(""), "db_");
        assert_eq!(sanitise_prefix("ünï"), "_n_");
        assert_eq!(sanitise_prefix(&"x".repeat(100)).len(), 40);
        assert_eq!(sanitise_prefix(&"7".repeat(100)).len(), 40);
    }

    #[test]
    fn versions_sort_as_numbers() {
        assert!(parse_version("10") > parse_version("9.6"));
        assert_eq!(parse_version("main"), None);
    }

    #[test]
    fn urls_encode_odd_names() {
        assert_eq!(percent_encode("news_1"), "news_1");
        assert_eq!(percent_encode("a b/ü"), "a%20b%2F%C3%BC");
    }
}

//! `spawn_app()`: starts the real binary on port 0 with its own data dir and talks HTTP to it.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SECRET: &str = "blackbox-test-secret-0123456789abcdef-0123456789";
pub const BIN: &str = env!("CARGO_BIN_EXE_servicedesk");

pub struct TestApp {
    pub base: String,
    pub dir: PathBuf,
    _tempdir: Option<tempfile::TempDir>,
    child: Option<Child>,
    agent: ureq::Agent,
    pub token: String,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts an RFC 9457 problem with this status and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:servicedesk:problem:"));
        assert!(!problem["detail"].as_str().unwrap().is_empty());
        problem
    }
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(&[])
}

/// With extra environment, e.g. `SERVICEDESK_CLOCK=manual:<instant>` to move time in tests.
pub fn spawn_app_with(env: &[(&str, &str)]) -> TestApp {
    let tempdir = tempfile::tempdir().unwrap();
    let dir = tempdir.path().to_owned();
    if let Some(url) = suite_event_store() {
        use_event_store(&dir, &url);
    }
    let mut app = start_with(&dir, env);
    app._tempdir = Some(tempdir);
    app
}

/// Another instance (its own data dir) on the event store at `url`.
pub fn spawn_instance(url: &str, env: &[(&str, &str)]) -> TestApp {
    let tempdir = tempfile::tempdir().unwrap();
    let dir = tempdir.path().to_owned();
    use_event_store(&dir, url);
    let mut app = start_with(&dir, env);
    app._tempdir = Some(tempdir);
    app
}

/// `SERVICEDESK_TEST_BACKEND=postgres` runs the whole suite on PostgreSQL (a fresh database
/// per app on the server of `SERVICEDESK_TEST_POSTGRES_URL`); unset or `sqlite`, on the
/// embedded default.
fn suite_event_store() -> Option<String> {
    match std::env::var("SERVICEDESK_TEST_BACKEND").as_deref() {
        Ok("postgres") => Some(
            fresh_postgres_database()
                .unwrap_or_else(|reason| panic!("SERVICEDESK_TEST_BACKEND=postgres, but {reason}")),
        ),
        Ok("sqlite") | Ok("") | Err(_) => None,
        Ok(other) => panic!("SERVICEDESK_TEST_BACKEND={other:?}: use sqlite or postgres"),
    }
}

/// A new empty database on the test PostgreSQL server, or why there is none.
pub fn fresh_postgres_database() -> Result<String, String> {
    let server = std::env::var("SERVICEDESK_TEST_POSTGRES_URL").map_err(|_| {
        "SERVICEDESK_TEST_POSTGRES_URL is not set (eval \"$(.ci/postgres start)\")".to_owned()
    })?;
    let name = format!("sd_blackbox_{}", uuid_like());
    let out = Command::new("psql")
        .args([server.as_str(), "-qXc", &format!("CREATE DATABASE {name}")])
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "CREATE DATABASE failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let (base, _) = server.rsplit_once('/').unwrap();
    Ok(format!("{base}/{name}"))
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}{:x}", std::process::id())
}

/// The data dir remembers its event store, so restarts and CLI runs on it use the same one.
fn use_event_store(dir: &Path, url: &str) {
    std::fs::write(dir.join(EVENT_STORE_FILE), url).unwrap();
}

const EVENT_STORE_FILE: &str = "test-event-store.url";

fn event_store_of(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(EVENT_STORE_FILE)).ok()
}

/// Starts the binary on an existing data dir (for restart tests).
pub fn start(dir: &Path) -> TestApp {
    start_with(dir, &[])
}

pub fn start_with(dir: &Path, env: &[(&str, &str)]) -> TestApp {
    let mut command = Command::new(BIN);
    if let Some(url) = event_store_of(dir) {
        command.env("SERVICEDESK_EVENT_STORE", url);
    }
    command.envs(env.iter().copied());
    let mut child = command
        .arg("serve")
        .env("SERVICEDESK_DATA_DIR", dir)
        .env("SERVICEDESK_LISTEN", "127.0.0.1:0")
        .env("SERVICEDESK_JWT_SECRET", SECRET)
        .env("SERVICEDESK_WORKERS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start servicedesk");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("servicedesk listening on ") {
                    break url.trim().to_owned();
                }
            }
            _ => panic!("servicedesk exited before listening: {:?}", child.wait()),
        }
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut app = TestApp {
        base,
        dir: dir.to_owned(),
        _tempdir: None,
        child: Some(child),
        agent,
        token: String::new(),
    };
    app.token = app.issue_token(&["agent"], "alice", "1h");
    app.wait_ready();
    app
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn issue_token(&self, roles: &[&str], sub: &str, ttl: &str) -> String {
        let mut cmd = Command::new(BIN);
        cmd.args(["token", "issue", "--sub", sub, "--ttl", ttl])
            .env("SERVICEDESK_DATA_DIR", &self.dir)
            .env("SERVICEDESK_JWT_SECRET", SECRET);
        for role in roles {
            cmd.args(["--role", role]);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.get_as("/readyz", None).status == 200 {
                return;
            }
            assert!(Instant::now() < deadline, "not ready in time");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        self.try_request(method, path, token, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Like `request`, but a transport failure (server gone) is an `Err`, not a panic.
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Reply, String> {
        let url = self.url(path);
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(token) = token {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let result = match body {
            Some((content_type, bytes)) => {
                let request = builder
                    .header("Content-Type", content_type)
                    .body(bytes)
                    .unwrap();
                self.agent.run(request)
            }
            None => self.agent.run(builder.body(()).unwrap()),
        };
        let mut response = result.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    pub fn get(&self, path: &str) -> Reply {
        self.get_as(path, Some(&self.token))
    }

    pub fn get_as(&self, path: &str, token: Option<&str>) -> Reply {
        self.request("GET", path, token, &[], None)
    }

    pub fn send(&self, method: &str, path: &str, body: &Value) -> Reply {
        self.send_with(method, path, body, &[])
    }

    pub fn send_with(
        &self,
        method: &str,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let bytes = serde_json::to_vec(body).unwrap();
        self.request(
            method,
            path,
            Some(&self.token),
            headers,
            Some(("application/json", bytes)),
        )
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, body)
    }

    /// Opens an incident and returns its JSON.
    pub fn open_incident(&self, body: Value) -> Value {
        let reply = self.post("/api/v1/incidents", &body);
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.json()
    }

    /// Registers a monitoring integration as an admin and returns its key (shown only once).
    pub fn register_integration(&self, body: &Value) -> String {
        let admin = self.issue_token(&["admin"], "ada", "1h");
        let reply = self.request(
            "POST",
            "/api/v1/integrations",
            Some(&admin),
            &[],
            Some(("application/json", serde_json::to_vec(body).unwrap())),
        );
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.json()["key"].as_str().unwrap().to_owned()
    }

    pub fn open_simple(&self, title: &str) -> String {
        self.open_incident(json!({"title": title}))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap()
    }

    /// kill -9: no chance to flush anything.
    pub fn kill_hard(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// SIGTERM and wait for a clean exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
            let exit = child.wait().unwrap();
            assert!(
                exit.success(),
                "servicedesk exited with {exit:?} after SIGTERM"
            );
        }
    }

    pub fn log_head(&self) -> u64 {
        self.get_as("/healthz", None).json()["log_head"]
            .as_u64()
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs the binary with arguments on a data dir and returns (success, stdout, stderr).
pub fn run_cli(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(BIN);
    if let Some(url) = event_store_of(dir) {
        command.env("SERVICEDESK_EVENT_STORE", url);
    }
    let out = command
        .args(args)
        .env("SERVICEDESK_DATA_DIR", dir)
        .env("SERVICEDESK_JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

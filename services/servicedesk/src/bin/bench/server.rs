//! The real server binary, started beside the benchmark on a data dir and a free port.

use servicedesk_api::{JwtKeys, Role};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const SECRET: &str = "benchmark-secret-benchmark-secret-benchmark-secret";

pub struct Server {
    pub base: String,
    child: Child,
}

impl Server {
    pub fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[])
    }

    /// With extra environment, e.g. `SERVICEDESK_EVENT_STORE`.
    pub fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        // SERVICEDESK_BENCH_SERVER runs another build of the server (before/after a change)
        // under the same benchmark.
        let binary = match std::env::var_os("SERVICEDESK_BENCH_SERVER") {
            Some(path) => std::path::PathBuf::from(path),
            None => std::env::current_exe()
                .expect("current exe")
                .with_file_name("servicedesk"),
        };
        assert!(
            binary.exists(),
            "{} is missing: build it first (cargo build --release --bins)",
            binary.display()
        );
        let mut child = Command::new(&binary)
            .arg("serve")
            .env("SERVICEDESK_DATA_DIR", data_dir)
            .env("SERVICEDESK_LISTEN", "127.0.0.1:0")
            .env("SERVICEDESK_JWT_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start server");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            let line = lines.next().expect("server exited").expect("read stdout");
            if let Some(url) = line.strip_prefix("servicedesk listening on ") {
                break url.trim().to_owned();
            }
        };
        let server = Self { base, child };
        let probe = agent();
        while probe
            .get(format!("{}/readyz", server.base))
            .call()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
            != 200
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn token(&self, role: Role) -> String {
        JwtKeys::new(SECRET.as_bytes(), "servicedesk", "servicedesk-api")
            .issue("bench", &[role], chrono::Utc::now().timestamp(), 3600)
            .expect("token")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

pub fn agent() -> ureq::Agent {
    agent_waiting(Duration::from_secs(30))
}

/// An agent that waits up to `timeout` for an answer (slow calls that are being measured).
pub fn agent_waiting(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// GETs `url` as `token`'s bearer, reads the whole answer, and says whether it was a 200.
pub fn get_ok(agent: &ureq::Agent, url: &str, token: &str) -> bool {
    agent
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .map(|mut r| {
            let _ = r.body_mut().read_to_vec();
            r.status().as_u16() == 200
        })
        .unwrap_or(false)
}

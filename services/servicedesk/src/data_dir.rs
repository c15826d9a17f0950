use crate::failure::{fail, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The data directory: event log, read models, generated secret, and the process lock.
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn prepare(root: &Path) -> Result<Self> {
        std::fs::create_dir_all(root).map_err(|e| {
            crate::failure::Failure(format!("cannot create data dir {}: {e}", root.display()))
        })?;
        Ok(Self {
            root: root.to_owned(),
        })
    }

    pub fn events_db(&self) -> PathBuf {
        self.root.join("events.db")
    }

    pub fn read_model_db(&self) -> PathBuf {
        self.root.join("readmodel.db")
    }

    /// Checkpoints of the followers that are not projections (beside the read models).
    pub fn followers_db(&self) -> PathBuf {
        self.root.join("followers.db")
    }

    /// The log the read models were built from, as the id of its first event ("" for a log
    /// that was empty); None before it was first recorded.
    pub fn log_origin(&self) -> Result<Option<String>> {
        match std::fs::read_to_string(self.root.join("log-origin")) {
            Ok(text) => Ok(Some(text.trim().to_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => fail(format!("cannot read the data dir's log-origin: {e}")),
        }
    }

    pub fn record_log_origin(&self, origin: &str) -> Result<()> {
        std::fs::write(self.root.join("log-origin"), format!("{origin}\n"))
            .or_else(|e| fail(format!("cannot write the data dir's log-origin: {e}")))
    }

    /// Holds an exclusive lock on `servicedesk.lock` for as long as the returned file lives,
    /// so two processes never write the same files.
    pub fn lock(&self) -> Result<File> {
        let path = self.root.join("servicedesk.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(_) => fail(format!(
                "another servicedesk process is using {} (stop it first)",
                self.root.display()
            )),
        }
    }

    /// The JWT secret kept in the data dir, created on first use so a fresh start just works.
    pub fn jwt_secret(&self) -> Result<Vec<u8>> {
        let path = self.root.join("jwt-secret");
        match std::fs::read(&path) {
            Ok(secret) => return Ok(trimmed(secret)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return fail(format!("cannot read {}: {e}", path.display())),
        }
        let secret: String = (0..64)
            .map(|_| char::from(b"0123456789abcdef"[rand::random_range(0..16)]))
            .collect();
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(secret.as_bytes())?;
                file.sync_all()?;
                tracing::info!(path = %path.display(), "generated a JWT signing secret");
                Ok(secret.into_bytes())
            }
            // Another process created it between our read and create: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Ok(trimmed(std::fs::read(&path)?))
            }
            Err(e) => fail(format!("cannot create {}: {e}", path.display())),
        }
    }
}

fn trimmed(mut secret: Vec<u8>) -> Vec<u8> {
    while secret.last().is_some_and(u8::is_ascii_whitespace) {
        secret.pop();
    }
    secret
}

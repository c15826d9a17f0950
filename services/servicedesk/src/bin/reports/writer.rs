//! Asking the server for a customer's report and writing its files.

use super::month::Month;
use std::path::Path;

pub struct Client {
    pub agent: ureq::Agent,
    pub base: String,
    pub token: String,
}

/// Every breach is listed in the files (the API's maximum).
const BREACHES: usize = 10_000;

impl Client {
    fn get(&self, path: &str, accept: &str) -> Result<String, String> {
        let url = format!("{}{path}", self.base);
        let mut reply = self
            .agent
            .get(&url)
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Accept", accept)
            .call()
            .map_err(|e| format!("GET {url}: {e}"))?;
        let status = reply.status().as_u16();
        let body = reply
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("GET {url}: {e}"))?;
        if status != 200 {
            return Err(format!("GET {url}: {status} {body}"));
        }
        Ok(body)
    }

    /// The slugs of every registered customer.
    pub fn customers(&self) -> Result<Vec<String>, String> {
        let body = self.get("/api/v1/customers", "application/json")?;
        let all: Vec<serde_json::Value> =
            serde_json::from_str(&body).map_err(|e| format!("the customer list: {e}"))?;
        Ok(all
            .iter()
            .filter_map(|c| c["slug"].as_str().map(str::to_owned))
            .collect())
    }

    pub fn write_report(&self, dir: &Path, month: &Month, customer: &str) -> Result<(), String> {
        let (from, to) = month.range();
        let query = format!(
            "/api/v1/reports/sla?from={from}&to={to}&customer={}&breach_limit={BREACHES}",
            encode(customer)
        );
        let json = self.get(&query, "application/json")?;
        let figures = self.get(&query, "text/csv")?;
        let breaches = self.get(&format!("{query}&part=breaches"), "text/csv")?;
        write_whole(&dir.join(format!("{customer}.json")), &json)?;
        write_whole(&dir.join(format!("{customer}.csv")), &figures)?;
        write_whole(&dir.join(format!("{customer}-breaches.csv")), &breaches)
    }
}

/// Slugs are URL-safe already; anything else is percent-encoded.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn write_whole(path: &Path, text: &str) -> Result<(), String> {
    let temporary = path.with_extension("partial");
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

//! Tokens from an OIDC provider: a provider served by this test over HTTP (discovery document
//! and JWKS) with keys made by openssl, rotated and taken down while the real binary checks
//! tokens against it.

use crate::support::spawn_app_with;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const AUDIENCE: &str = "servicedesk-api";

struct SigningKey {
    kid: String,
    algorithm: Algorithm,
    encoding: EncodingKey,
    jwk: Jwk,
    /// The public key as PEM, to try the HS256-with-public-key confusion.
    public_pem: Vec<u8>,
}

impl SigningKey {
    fn generate(kid: &str, algorithm: Algorithm) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("key.pem");
        let args: &[&str] = match algorithm {
            Algorithm::RS256 => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            _ => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        };
        let made = Command::new("openssl")
            .arg("genpkey")
            .args(args)
            .arg("-out")
            .arg(&private)
            .output()
            .expect("openssl");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let pem = std::fs::read(&private).unwrap();
        let public_pem = Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&private)
            .output()
            .unwrap()
            .stdout;
        let encoding = match algorithm {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem).unwrap(),
            _ => EncodingKey::from_ec_pem(&pem).unwrap(),
        };
        let mut jwk = Jwk::from_encoding_key(&encoding, algorithm).unwrap();
        jwk.common.key_id = Some(kid.to_owned());
        Self {
            kid: kid.to_owned(),
            algorithm,
            encoding,
            jwk,
            public_pem,
        }
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_as(self.algorithm, claims)
    }

    fn sign_as(&self, algorithm: Algorithm, claims: &Value) -> String {
        let mut header = Header::new(algorithm);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// An identity provider on a free port: its discovery document and a JWKS that can be
/// replaced (rotation) or made unreachable.
struct Provider {
    issuer: String,
    jwks: Arc<Mutex<String>>,
    down: Arc<AtomicBool>,
    jwks_fetches: Arc<AtomicUsize>,
}

impl Provider {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://{}/realms/ops", listener.local_addr().unwrap());
        let provider = Self {
            issuer: issuer.clone(),
            jwks: Arc::new(Mutex::new(r#"{"keys":[]}"#.to_owned())),
            down: Arc::new(AtomicBool::new(false)),
            jwks_fetches: Arc::new(AtomicUsize::new(0)),
        };
        let (jwks, down, fetches) = (
            provider.jwks.clone(),
            provider.down.clone(),
            provider.jwks_fetches.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                if down.load(Ordering::SeqCst) {
                    // as good as unreachable: the connection closes without an answer
                    continue;
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("");
                let (status, body) = if path.ends_with("/.well-known/openid-configuration") {
                    let document = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/protocol/openid-connect/certs")});
                    ("200 OK", document.to_string())
                } else if path.ends_with("/certs") {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    ("200 OK", jwks.lock().unwrap().clone())
                } else {
                    ("404 Not Found", "{}".to_owned())
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        provider
    }

    fn publish(&self, keys: &[&SigningKey]) {
        let set = JwkSet {
            keys: keys.iter().map(|k| k.jwk.clone()).collect(),
        };
        *self.jwks.lock().unwrap() = serde_json::to_string(&set).unwrap();
    }

    fn claims(&self, sub: &str, roles: &[&str]) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.issuer, "aud": [AUDIENCE, "account"], "sub": sub,
            "iat": now, "exp": now + 300,
            "realm_access": {"roles": roles}, "preferred_username": sub
        })
    }
}

#[test]
fn provider_tokens_are_checked_against_its_rotating_keys() {
    let provider = Provider::start();
    let first = SigningKey::generate("2026-11", Algorithm::RS256);
    let ec = SigningKey::generate("ec-1", Algorithm::ES256);
    provider.publish(&[&first, &ec]);
    // No JWKS URL: the discovery document names it.
    let app = spawn_app_with(&[
        ("SERVICEDESK_OIDC_ISSUER", &provider.issuer),
        ("SERVICEDESK_OIDC_AUDIENCE", AUDIENCE),
        ("SERVICEDESK_OIDC_ROLES_CLAIM", "realm_access.roles"),
        ("SERVICEDESK_OIDC_MIN_REFETCH_SECONDS", "1"),
    ]);
    let status = |token: &str| app.get_as("/api/v1/incidents", Some(token)).status;
    let alice = provider.claims("alice", &["agent", "offline_access"]);

    assert_eq!(status(&first.sign(&alice)), 200, "RS256 from the provider");
    assert_eq!(status(&ec.sign(&alice)), 200, "ES256 from the provider");
    // writes carry the provider's subject as the actor
    let opened = app.request(
        "POST",
        "/api/v1/incidents",
        Some(&first.sign(&alice)),
        &[],
        Some(("application/json", br#"{"title":"from SSO"}"#.to_vec())),
    );
    assert_eq!(opened.status, 201, "{}", opened.body);
    let id = opened.json()["id"].as_str().unwrap().to_owned();
    let history = app.get(&format!("/api/v1/incidents/{id}/history")).json();
    assert!(history.to_string().contains("alice"), "{history}");
    // servicedesk's own tokens still work beside the provider's
    assert_eq!(app.get("/api/v1/incidents").status, 200);

    // what must be refused
    let mut wrong_audience = alice.clone();
    wrong_audience["aud"] = json!("another-api");
    let mut wrong_issuer = alice.clone();
    wrong_issuer["iss"] = json!("http://evil.example/realms/ops");
    let mut expired = alice.clone();
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    for (what, token) in [
        ("wrong audience", first.sign(&wrong_audience)),
        ("wrong issuer", first.sign(&wrong_issuer)),
        ("expired", first.sign(&expired)),
        // the RSA key's algorithm is RS256; a token claiming RS384 with it is refused
        (
            "algorithm not the key's",
            first.sign_as(Algorithm::RS384, &alice),
        ),
        // the classic confusion: HS256 "signed" with the provider's public key as secret
        (
            "HS256 with the public key",
            jsonwebtoken::encode(
                &Header {
                    kid: Some(first.kid.clone()),
                    ..Header::new(Algorithm::HS256)
                },
                &alice,
                &EncodingKey::from_secret(&first.public_pem),
            )
            .unwrap(),
        ),
    ] {
        let reply = app.get_as("/api/v1/incidents", Some(&token));
        reply.problem(401);
        let _ = what;
    }
    let no_roles = provider.claims("mallory", &["offline_access"]);
    app.get_as("/api/v1/incidents", Some(&first.sign(&no_roles)))
        .problem(403);

    // The provider rotates: the new key is fetched when a token first uses it.
    let second = SigningKey::generate("2026-12", Algorithm::RS256);
    std::thread::sleep(Duration::from_millis(1100));
    provider.publish(&[&second]);
    assert_eq!(status(&second.sign(&alice)), 200, "rotated key fetched");
    // made-up key ids do not make every request a fetch
    let fetches = provider.jwks_fetches.load(Ordering::SeqCst);
    for n in 0..5 {
        let forged = SigningKey {
            kid: format!("made-up-{n}"),
            ..SigningKey::generate("x", Algorithm::ES256)
        };
        app.get_as("/api/v1/incidents", Some(&forged.sign(&alice)))
            .problem(401);
    }
    assert!(
        provider.jwks_fetches.load(Ordering::SeqCst) <= fetches + 1,
        "unknown kids were fetched at most once within the refetch interval"
    );

    // The provider goes down: cached keys keep working, an unknown key is refused.
    provider.down.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(status(&second.sign(&alice)), 200, "cached key while down");
    let third = SigningKey::generate("2027-01", Algorithm::RS256);
    let refused = app.get_as("/api/v1/incidents", Some(&third.sign(&alice)));
    let problem = refused.problem(401);
    assert!(
        problem["detail"].as_str().unwrap().contains("2027-01"),
        "{problem}"
    );
}

#[test]
fn an_oidc_issuer_without_an_audience_is_a_start_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(crate::support::BIN)
        .arg("serve")
        .env("SERVICEDESK_DATA_DIR", dir.path())
        .env("SERVICEDESK_LISTEN", "127.0.0.1:0")
        .env("SERVICEDESK_JWT_SECRET", crate::support::SECRET)
        .env("SERVICEDESK_OIDC_ISSUER", "https://sso.example/realms/ops")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SERVICEDESK_OIDC_AUDIENCE"), "{stderr}");
}

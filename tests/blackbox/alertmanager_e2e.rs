//! The real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) with a webhook receiver
//! pointed at the real server: alerts posted to Alertmanager's API open incidents, repeats do
//! not, resolving them resolves the incidents.

use crate::support::{spawn_app, TestApp};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

struct Alertmanager {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_alertmanager(webhook: &str, key: &str) -> Alertmanager {
    assert!(
        std::path::Path::new(ALERTMANAGER).exists(),
        "{ALERTMANAGER} is missing: apt-get install prometheus-alertmanager (.ci/run does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"route:
  receiver: servicedesk
  group_by: [alertname, instance]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: servicedesk
    webhook_configs:
      - url: "{webhook}"
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: "{key}"
"#
    );
    let config_path = dir.path().join("alertmanager.yml");
    std::fs::write(&config_path, config).unwrap();
    let port = free_port();
    let child = Command::new(ALERTMANAGER)
        .arg(format!("--config.file={}", config_path.display()))
        .arg(format!(
            "--storage.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .arg("--log.level=warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let am = Alertmanager {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(&format!("{}/-/ready", am.base))
        .call()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
        != 200
    {
        assert!(Instant::now() < deadline, "Alertmanager did not get ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    am
}

fn post_alerts(am: &Alertmanager, alerts: Value) {
    let reply = ureq::post(&format!("{}/api/v2/alerts", am.base))
        .send_json(&alerts)
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
}

fn alert(instance: &str, ends_in_seconds: i64) -> Value {
    let now = chrono::Utc::now();
    json!({
        "labels": {"alertname": "NodeDown", "severity": "critical", "instance": instance, "job": "node"},
        "annotations": {"summary": format!("{instance} does not answer")},
        "startsAt": (now - chrono::Duration::seconds(30)).to_rfc3339(),
        "endsAt": (now + chrono::Duration::seconds(ends_in_seconds)).to_rfc3339(),
    })
}

fn incidents(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/incidents?customer=hosting-ag").json()["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn eventually(app: &TestApp, what: &str, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = incidents(app);
        if check(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: {now:#?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn alertmanager_opens_and_resolves_incidents_through_its_webhook() {
    let app = spawn_app();
    let key = app.register_integration(&json!({
        "name": "alertmanager", "kind": "alertmanager", "defaults": {"customer": "hosting-ag"}
    }));
    let am = start_alertmanager(&app.url("/api/v1/alarms/alertmanager"), &key);

    post_alerts(
        &am,
        json!([alert("web1:9100", 600), alert("web2:9100", 600)]),
    );
    let opened = eventually(&app, "two incidents, one per alert", |i| i.len() == 2);
    assert!(opened
        .iter()
        .all(|i| i["priority"] == "P1" && i["monitoring"]["opened_by_monitoring"] == true));
    let hosts: Vec<_> = opened
        .iter()
        .map(|i| i["configuration_item"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        hosts.contains(&"web1".to_owned()) && hosts.contains(&"web2".to_owned()),
        "{hosts:?}"
    );

    // the same alerts again: Alertmanager dedups or repeats, servicedesk opens nothing new
    post_alerts(
        &am,
        json!([alert("web1:9100", 600), alert("web2:9100", 600)]),
    );
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(incidents(&app).len(), 2);

    // resolving web1 in Alertmanager resolves its incident, web2's stays open
    post_alerts(&am, json!([alert("web1:9100", -1)]));
    let after = eventually(&app, "web1's incident resolved as recovered", |i| {
        i.iter()
            .any(|x| x["configuration_item"] == "web1" && x["status"] == "resolved")
    });
    let web1 = after
        .iter()
        .find(|x| x["configuration_item"] == "web1")
        .unwrap();
    assert_eq!(web1["resolution"]["code"], "recovered");
    let web2 = after
        .iter()
        .find(|x| x["configuration_item"] == "web2")
        .unwrap();
    assert_eq!(web2["status"], "new");
}

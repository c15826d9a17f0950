use crate::support::spawn_app;
use serde_json::{json, Value};
use std::collections::HashSet;

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn filters_sort_and_cursor_pagination() {
    let app = spawn_app();
    let mut opened = Vec::new();
    for i in 0..9 {
        let impact = ["high", "medium", "low"][i % 3];
        let body = json!({
            "title": format!("Alarm {i} on host{i}"),
            "description": if i % 3 == 0 { "kernel panic after update" } else { "disk latency" },
            "service": if i % 2 == 0 { "web" } else { "mail" },
            "customer": "acme",
            "impact": impact,
            "urgency": "high",
            "assignment_group": if i < 4 { Some("ops") } else { None },
        });
        opened.push(app.open_incident(body)["id"].as_str().unwrap().to_owned());
    }

    // default sort: newest first
    let all = app.get("/api/v1/incidents?limit=100").json();
    let newest_first: Vec<String> = opened.iter().rev().cloned().collect();
    assert_eq!(ids(&all), newest_first);
    assert!(all["next_cursor"].is_null());

    // filters
    let web = app.get("/api/v1/incidents?service=web").json();
    assert_eq!(ids(&web).len(), 5);
    let assigned = app.get("/api/v1/incidents?status=assigned").json();
    assert_eq!(ids(&assigned).len(), 4);
    let p1_or_p3 = app.get("/api/v1/incidents?priority=P1,P3").json();
    assert_eq!(ids(&p1_or_p3).len(), 6);
    let combined = app
        .get("/api/v1/incidents?service=web&priority=P1&status=assigned,new")
        .json();
    for item in combined["items"].as_array().unwrap() {
        assert_eq!(item["service"], "web");
        assert_eq!(item["priority"], "P1");
    }
    assert_eq!(ids(&combined).len(), 2);
    let text = app.get("/api/v1/incidents?q=kernel+pan").json();
    assert_eq!(ids(&text).len(), 3);
    let none = app.get("/api/v1/incidents?customer=globex").json();
    assert!(ids(&none).is_empty());

    // priority sort: P1 first, oldest first within a priority
    let by_priority = app.get("/api/v1/incidents?sort=priority&limit=100").json();
    let priorities: Vec<_> = by_priority["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["priority"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = priorities.clone();
    sorted.sort();
    assert_eq!(priorities, sorted);
    assert_eq!(ids(&by_priority)[0], opened[0]);

    // walk pages of 2: every incident exactly once, in order
    let mut seen = Vec::new();
    let mut path = "/api/v1/incidents?limit=2".to_owned();
    loop {
        let page = app.get(&path).json();
        let page_ids = ids(&page);
        assert!(page_ids.len() <= 2);
        seen.extend(page_ids);
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/incidents?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, newest_first);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 9);

    // several statuses and priorities: pages still come in one order, each incident once
    let expected: Vec<String> = ids(&app
        .get("/api/v1/incidents?priority=P1,P3&status=new,assigned&limit=100")
        .json());
    assert_eq!(expected.len(), 6);
    let mut walked = Vec::new();
    let mut path = "/api/v1/incidents?priority=P3,P1&status=assigned,new&limit=4".to_owned();
    loop {
        let page = app.get(&path).json();
        walked.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/api/v1/incidents?priority=P3,P1&status=assigned,new&limit=4&cursor={cursor}"
                )
            }
            None => break,
        }
    }
    assert_eq!(walked, expected);
    let newest_first_p1_p3: Vec<String> = newest_first
        .iter()
        .filter(|id| {
            opened
                .iter()
                .position(|o| o == *id)
                .is_some_and(|i| i % 3 != 1)
        })
        .cloned()
        .collect();
    assert_eq!(walked, newest_first_p1_p3);

    // a cursor of one sort cannot be used with another
    let first = app.get("/api/v1/incidents?limit=2").json();
    let cursor = first["next_cursor"].as_str().unwrap();
    app.get(&format!("/api/v1/incidents?sort=priority&cursor={cursor}"))
        .problem(400);
}

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

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every page of `query`, followed through `next_cursor`.
fn walk(app: &crate::support::TestApp, query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/incidents?{query}");
    loop {
        let page = app.get(&path).json();
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/incidents?{query}&cursor={cursor}"),
            None => return seen,
        }
    }
}

#[test]
fn free_text_search_pages_newest_first_and_combines_with_filters() {
    let app = spawn_app();
    let mut opened = Vec::new(); // (id, i)
    for i in 0..40usize {
        let impact = ["high", "medium", "low"][i % 3];
        let body = json!({
            "title": format!("Disk full on web-{i}"),
            "description": if i.is_multiple_of(5) { "volume quarantined by the checker" } else { "Filesystem nearly full" },
            "service": if i.is_multiple_of(3) { "web" } else { "mail" },
            "impact": impact,
            "urgency": "high",
            "assignment_group": if i.is_multiple_of(4) { Some("ops") } else { None },
        });
        opened.push((
            app.open_incident(body)["id"].as_str().unwrap().to_owned(),
            i,
        ));
        if i.is_multiple_of(8) {
            app.open_simple(&format!("Printer jam {i}"));
        }
    }
    let newest = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        opened
            .iter()
            .rev()
            .filter(|(_, i)| keep(*i))
            .map(|(id, _)| id.clone())
            .collect()
    };

    // many matches, pages of 7 through cursors: every match once, newest first
    assert_eq!(walk(&app, "q=disk&limit=7"), newest(&|_| true));
    assert_eq!(
        walk(&app, &format!("q={}&limit=6", encode("DISK full"))),
        newest(&|_| true)
    );
    // oldest first too
    let mut oldest = newest(&|_| true);
    oldest.reverse();
    assert_eq!(walk(&app, "q=disk&sort=opened_at&limit=9"), oldest);
    // prefixes, and a word only in the description
    assert_eq!(
        walk(&app, "q=fil&limit=5"),
        newest(&|i| !i.is_multiple_of(5))
    );
    assert_eq!(
        walk(&app, "q=quarantined&limit=3"),
        newest(&|i| i.is_multiple_of(5))
    );
    assert_eq!(
        walk(&app, &format!("q={}", encode("quar chec"))),
        newest(&|i| i.is_multiple_of(5))
    );
    assert!(walk(&app, &format!("q={}", encode("disk nothere"))).is_empty());

    // with a filter
    assert_eq!(
        walk(&app, "q=disk&status=assigned&limit=4"),
        newest(&|i| i.is_multiple_of(4))
    );
    assert_eq!(
        walk(&app, "q=full&service=web&limit=4"),
        newest(&|i| i.is_multiple_of(3))
    );
    assert_eq!(
        walk(&app, "q=fil&service=mail&status=new&limit=4"),
        newest(&|i| !i.is_multiple_of(5) && !i.is_multiple_of(3) && !i.is_multiple_of(4))
    );

    // with another sort: every match once, P1 first, oldest first within a priority
    let by_priority = walk(&app, "q=disk&sort=priority&limit=4");
    let mut expected: Vec<(usize, usize, String)> = opened
        .iter()
        .map(|(id, i)| (i % 3, *i, id.clone())) // impact high/medium/low at urgency high: P1/P2/P3
        .collect();
    expected.sort();
    assert_eq!(
        by_priority,
        expected
            .into_iter()
            .map(|(_, _, id)| id)
            .collect::<Vec<_>>()
    );
    let web_by_update = walk(&app, "q=disk&service=web&sort=-updated_at&limit=2");
    assert_eq!(web_by_update, newest(&|i| i.is_multiple_of(3)));
}

#[test]
fn free_text_is_never_fts_syntax() {
    let app = spawn_app();
    app.open_incident(json!({
        "title": "Disk full on web-1",
        "description": "nearly (quite) full",
        "impact": "low",
        "urgency": "low",
    }));
    for q in [
        "\"",
        "\"disk",
        "(",
        ")",
        "(disk",
        "disk)",
        "*",
        "disk*",
        "*disk",
        "NEAR",
        "NEAR(disk full)",
        "NEAR/2",
        "-",
        "-disk",
        "disk -full",
        "disk OR",
        "OR",
        "AND",
        "NOT",
        "disk AND",
        "title:disk",
        "^disk",
        "{title description}:disk",
        "+",
        ":",
        "'",
        "\\",
        "web-1",
        "é",
        "\u{1F4BE}",
    ] {
        let reply = app.get(&format!("/api/v1/incidents?q={}", encode(q)));
        assert_eq!(reply.status, 200, "q={q:?}: {:?}", reply.json());
    }
    // operators are ordinary words: NEAR is a prefix of "nearly", "disk*" is the word disk
    assert_eq!(ids(&app.get("/api/v1/incidents?q=NEAR").json()).len(), 1);
    assert_eq!(ids(&app.get("/api/v1/incidents?q=OR").json()).len(), 0);
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/incidents?q={}", encode("disk*")))
            .json())
        .len(),
        1
    );
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/incidents?q={}", encode("(quite)")))
            .json())
        .len(),
        1
    );
}

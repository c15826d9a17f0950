//! Holidays from an iCalendar file (RFC 5545), as public-holiday calendars publish them:
//! all-day events (`DTSTART;VALUE=DATE:20261225`, `DTEND` exclusive), once or yearly
//! (`RRULE:FREQ=YEARLY`, with `COUNT` or `UNTIL` expanded into dates, without them kept as a
//! yearly holiday). Dates stay dates: an all-day event is never moved by a time zone, the
//! off-by-one other tools have shipped. Timed events are not holidays and are counted as
//! skipped.

use chrono::{Datelike, Duration, NaiveDate};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IcalHolidays {
    pub dates: Vec<NaiveDate>,
    /// (month, day) of holidays that recur every year without end.
    pub yearly: Vec<(u32, u32)>,
    /// Events with a time of day, which are not holidays.
    pub skipped_timed: usize,
}

/// Lines with RFC 5545 folding undone (a line starting with a space or tab continues the one
/// before).
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match (line.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(line.to_owned()),
        }
    }
    lines
}

/// `NAME;PARAM=V:VALUE` as (NAME upper-cased, params, value).
fn property(line: &str) -> Option<(String, Vec<String>, &str)> {
    let (head, value) = line.split_once(':')?;
    let mut parts = head.split(';');
    let name = parts.next()?.trim().to_ascii_uppercase();
    Some((
        name,
        parts.map(|p| p.to_ascii_uppercase()).collect(),
        value.trim(),
    ))
}

fn ical_date(value: &str) -> Option<NaiveDate> {
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y%m%d").ok()
}

#[derive(Default)]
struct Event {
    start: Option<(Vec<String>, String)>,
    end: Option<String>,
    rrule: Option<String>,
}

pub fn parse_holidays(text: &str) -> Result<IcalHolidays, String> {
    let lines = unfold(text);
    let mut holidays = IcalHolidays::default();
    let mut in_calendar = false;
    let mut saw_calendar = false;
    let mut event: Option<Event> = None;
    for (number, line) in lines.iter().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let at = number + 1;
        let Some((name, params, value)) = property(line) else {
            return Err(format!("line {at}: not an iCalendar property: {line:?}"));
        };
        match (name.as_str(), value.to_ascii_uppercase().as_str()) {
            ("BEGIN", "VCALENDAR") => {
                in_calendar = true;
                saw_calendar = true;
            }
            ("END", "VCALENDAR") => in_calendar = false,
            ("BEGIN", "VEVENT") if in_calendar => event = Some(Event::default()),
            ("END", "VEVENT") => {
                let Some(done) = event.take() else {
                    return Err(format!("line {at}: END:VEVENT without BEGIN:VEVENT"));
                };
                add(&mut holidays, done).map_err(|e| format!("line {at}: {e}"))?;
            }
            _ => {
                if let Some(event) = event.as_mut() {
                    match name.as_str() {
                        "DTSTART" => event.start = Some((params, value.to_owned())),
                        "DTEND" => event.end = Some(value.to_owned()),
                        "RRULE" => event.rrule = Some(value.to_ascii_uppercase()),
                        _ => {}
                    }
                }
            }
        }
    }
    if !saw_calendar {
        return Err("not an iCalendar file: no BEGIN:VCALENDAR".to_owned());
    }
    if in_calendar || event.is_some() {
        return Err("the iCalendar file ends inside a VCALENDAR or VEVENT".to_owned());
    }
    holidays.dates.sort_unstable();
    holidays.dates.dedup();
    holidays.yearly.sort_unstable();
    holidays.yearly.dedup();
    Ok(holidays)
}

fn add(holidays: &mut IcalHolidays, event: Event) -> Result<(), String> {
    let Some((params, start)) = event.start else {
        return Err("a VEVENT without DTSTART".to_owned());
    };
    let all_day = params.iter().any(|p| p == "VALUE=DATE") || start.len() == 8;
    if !all_day {
        holidays.skipped_timed += 1;
        return Ok(());
    }
    let first = ical_date(&start).ok_or_else(|| format!("DTSTART {start:?} is not a date"))?;
    let end = match event.end {
        Some(end) => ical_date(&end).ok_or_else(|| format!("DTEND {end:?} is not a date"))?,
        None => first + Duration::days(1),
    };
    if end <= first {
        return Err(format!("DTEND {end} is not after DTSTART {first}"));
    }
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d < end).collect();
    let Some(rule) = event.rrule else {
        holidays.dates.extend(days);
        return Ok(());
    };
    let parts: Vec<(&str, &str)> = rule.split(';').filter_map(|p| p.split_once('=')).collect();
    let get = |key: &str| parts.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    if get("FREQ") != Some("YEARLY") {
        return Err(format!(
            "only yearly recurring holidays are supported, not RRULE:{rule}"
        ));
    }
    if get("INTERVAL").is_some_and(|i| i != "1") {
        return Err(format!(
            "only every-year holidays are supported, not RRULE:{rule}"
        ));
    }
    let count = get("COUNT")
        .map(|c| {
            c.parse::<i32>()
                .map_err(|_| format!("RRULE COUNT {c:?} is not a number"))
        })
        .transpose()?;
    let until = get("UNTIL")
        .map(|u| {
            ical_date(u.get(..8).unwrap_or(u))
                .ok_or_else(|| format!("RRULE UNTIL {u:?} is not a date"))
        })
        .transpose()?;
    if count.is_none() && until.is_none() {
        holidays
            .yearly
            .extend(days.iter().map(|d| (d.month(), d.day())));
        return Ok(());
    }
    for years in 0..count.unwrap_or(i32::MAX).min(500) {
        let mut any = false;
        for day in &days {
            let Some(date) = day.with_year(day.year() + years) else {
                continue; // 29 February in a common year
            };
            if until.is_some_and(|u| date > u) {
                continue;
            }
            any = true;
            holidays.dates.push(date);
        }
        if !any
            && until.is_some_and(|u| first.with_year(first.year() + years).is_none_or(|d| d > u))
        {
            break;
        }
    }
    Ok(())
}

//! Shifts as an iCalendar feed, for people's calendars (RFC 5545: CRLF lines, UTC times).

use super::Shift;

/// `name_of` gives the name shown for a person id.
pub fn shifts_ics(
    schedule: uuid::Uuid,
    name: &str,
    shifts: &[Shift],
    name_of: impl Fn(&str) -> String,
) -> String {
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//servicedesk//on-call//EN\r\nCALSCALE:GREGORIAN\r\n",
    );
    out.push_str(&format!("X-WR-CALNAME:{}\r\n", escape(name)));
    for shift in shifts {
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&format!(
            "UID:{schedule}-{}@servicedesk\r\n",
            shift.start.timestamp()
        ));
        out.push_str(&format!("DTSTAMP:{}\r\n", stamp(shift.start)));
        out.push_str(&format!("DTSTART:{}\r\n", stamp(shift.start)));
        out.push_str(&format!("DTEND:{}\r\n", stamp(shift.end)));
        out.push_str(&format!(
            "SUMMARY:{}\r\n",
            escape(&format!("On call: {}", name_of(&shift.on_call.person)))
        ));
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// TEXT values escape backslash, semicolon, comma and line breaks.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

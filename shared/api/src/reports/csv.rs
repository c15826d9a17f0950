//! Reports as CSV, for spreadsheets: one row per group (the totals first), or one per breach.

use servicedesk_domain::sla::report::{Breach, ReportFigures, SlaReport};

const FIGURE_COLUMNS: &str = "group,compliance_percent,respond_settled,respond_met,\
respond_breached,respond_compliance_percent,resolve_settled,resolve_met,resolve_breached,\
resolve_compliance_percent,mtta_count,mtta_business_seconds,mtta_wall_seconds,mttr_count,\
mttr_business_seconds,mttr_wall_seconds,backlog_open,backlog_under_1_day,\
backlog_1_to_3_days,backlog_3_to_7_days,backlog_7_to_30_days,backlog_over_30_days";

const BREACH_COLUMNS: &str =
    "incident,link,timer,priority,customer,service,target_seconds,due_at,met_at,overdue_seconds";

/// A field as CSV writes it: quoted when it holds a comma, quote or line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn number(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.2}")).unwrap_or_default()
}

fn figures_row(name: &str, f: &ReportFigures) -> String {
    let b = &f.backlog;
    [
        field(name),
        number(f.compliance_percent),
        f.respond.settled.to_string(),
        f.respond.met.to_string(),
        f.respond.breached.to_string(),
        number(f.respond.compliance_percent),
        f.resolve.settled.to_string(),
        f.resolve.met.to_string(),
        f.resolve.breached.to_string(),
        number(f.resolve.compliance_percent),
        f.mtta.count.to_string(),
        number(f.mtta.business_seconds),
        number(f.mtta.wall_seconds),
        f.mttr.count.to_string(),
        number(f.mttr.business_seconds),
        number(f.mttr.wall_seconds),
        b.open.to_string(),
        b.under_1_day.to_string(),
        b.from_1_to_3_days.to_string(),
        b.from_3_to_7_days.to_string(),
        b.from_7_to_30_days.to_string(),
        b.over_30_days.to_string(),
    ]
    .join(",")
}

pub(crate) fn figures(report: &SlaReport) -> String {
    let mut out = String::from(FIGURE_COLUMNS);
    out.push_str("\r\n");
    out.push_str(&figures_row("total", &report.totals));
    out.push_str("\r\n");
    for group in &report.groups {
        out.push_str(&figures_row(
            group.key.as_deref().unwrap_or("(none)"),
            group,
        ));
        out.push_str("\r\n");
    }
    out
}

fn breach_row(b: &Breach) -> String {
    [
        b.incident.to_string(),
        field(&b.link),
        b.timer.as_str().to_owned(),
        b.priority.to_string(),
        field(b.customer.as_deref().unwrap_or("")),
        field(b.service.as_deref().unwrap_or("")),
        b.target_seconds.to_string(),
        b.due_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        b.met_at
            .map(|m| m.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
        b.overdue_seconds.map(|s| s.to_string()).unwrap_or_default(),
    ]
    .join(",")
}

pub(crate) fn breaches(report: &SlaReport) -> String {
    let mut out = String::from(BREACH_COLUMNS);
    out.push_str("\r\n");
    for breach in &report.breaches {
        out.push_str(&breach_row(breach));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_with_separators_are_quoted() {
        assert_eq!(field("acme"), "acme");
        assert_eq!(field("ACME, Inc."), "\"ACME, Inc.\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}

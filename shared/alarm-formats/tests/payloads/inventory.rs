//! The folder holds exactly the payloads these tests cover: a new file fails here until a
//! test (and a mapping decision) exists for it.

use crate::support::payload_dir;
use std::collections::BTreeSet;

const COVERED: [&str; 32] = [
    "SOURCES.md",
    "alertmanager/01_firing_two_alerts_zulip.json",
    "alertmanager/02_firing_single_endsAt_in_future.json",
    "alertmanager/03_resolved_single_same_group.json",
    "alertmanager/04_resolved_full_v4_truncatedAlerts_fingerprint.json",
    "alertmanager/05_firing_grouped_oncall_example.json",
    "grafana/01_firing_two_alerts_grafana_docs.json",
    "grafana/02_firing_single_v9_zulip.json",
    "grafana/03_resolved_single_v9_zulip.json",
    "grafana/04_mixed_group_firing_with_resolved_alerts_zulip.json",
    "grafana/05_grafana12_test_alert_keep.json",
    "nagios_icinga/01_pd-nagios_service_PROBLEM_to_trigger.json",
    "nagios_icinga/02_pd-nagios_service_RECOVERY_to_resolve.json",
    "nagios_icinga/03_pd-nagios_host_PROBLEM_to_trigger.json",
    "nagios_icinga/04_pd-nagios_host_RECOVERY_to_resolve.json",
    "nagios_icinga/05_form_service_PROBLEM.txt",
    "nagios_icinga/06_form_host_RECOVERY.txt",
    "nagios_icinga/07_icinga2_api_process_check_result_request.json",
    "pagerduty/01_trigger_full_docs.json",
    "pagerduty/02_trigger_api_schema_example.json",
    "pagerduty/03_acknowledge_docs.json",
    "pagerduty/04_resolve_docs.json",
    "pagerduty/05_response_202_success.json",
    "pagerduty/06_response_error.json",
    "pagerduty/07_checkmk_nagios_service_problem_to_trigger.json",
    "pagerduty/08_checkmk_nagios_host_recovery_to_resolve.json",
    "zabbix/01_problem_high_zulip_template.json",
    "zabbix/02_ok_recovery_zulip_template.json",
    "zabbix/03_pd-zabbix_trigger_event.json",
    "zabbix/04_pd-zabbix_resolve_event.json",
    "zabbix/05_media_type_params_template_pagerduty.json",
    "zabbix/06_media_type_params_template_opsgenie.json",
];

fn files_under(dir: &std::path::Path, prefix: &str, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            files_under(&entry.path(), &format!("{name}/"), out);
        } else {
            out.insert(name);
        }
    }
}

#[test]
fn payload_folder_resolves_relative_to_the_manifest() {
    let dir = payload_dir();
    assert!(
        dir.join("SOURCES.md").is_file(),
        "payloads not found at {} (expected <repo>/../shared/payloads)",
        dir.display()
    );
}

#[test]
fn every_payload_is_covered() {
    let mut present = BTreeSet::new();
    files_under(&payload_dir(), "", &mut present);
    let covered: BTreeSet<String> = COVERED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(present, covered);
}

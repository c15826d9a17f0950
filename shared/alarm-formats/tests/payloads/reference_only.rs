//! Files SOURCES.md marks as reference only: not request bodies any parser should accept.

use crate::support::{read, received_at};
use servicedesk_alarm_formats::{alertmanager, generic, nagios, pagerduty, zabbix};

#[test]
fn pagerduty_responses_are_not_events() {
    for file in [
        "pagerduty/05_response_202_success.json",
        "pagerduty/06_response_error.json",
    ] {
        let err = pagerduty::parse(&read(file), received_at()).unwrap_err();
        assert_eq!(err.field, "routing_key", "{file}");
    }
}

#[test]
fn icinga2_check_result_request_is_not_a_notification() {
    let body = read("nagios_icinga/07_icinga2_api_process_check_result_request.json");
    assert_eq!(
        nagios::parse_json(&body, received_at()).unwrap_err().field,
        "NOTIFICATIONTYPE"
    );
    // Nor is it any other format.
    assert_eq!(
        alertmanager::parse(&body, received_at()).unwrap_err().field,
        "alerts"
    );
    assert_eq!(
        generic::parse(&body, received_at()).unwrap_err().field,
        "check_source"
    );
}

#[test]
fn zabbix_parameter_templates_hold_unexpanded_macros() {
    let err = zabbix::parse(
        &read("zabbix/05_media_type_params_template_pagerduty.json"),
        received_at(),
    )
    .unwrap_err();
    assert_eq!(err.field, "eventid");
    assert!(err.message.contains("{EVENT.ID}"), "{err}");

    let err = zabbix::parse(
        &read("zabbix/06_media_type_params_template_opsgenie.json"),
        received_at(),
    )
    .unwrap_err();
    assert_eq!(err.field, "event_id");
    assert!(err.message.contains("unexpanded"), "{err}");
}

#[test]
fn pd_zabbix_events_are_pagerduty_not_zabbix_media_type_bodies() {
    let body = read("zabbix/03_pd-zabbix_trigger_event.json");
    assert_eq!(
        zabbix::parse(&body, received_at()).unwrap_err().field,
        "event_id"
    );
}

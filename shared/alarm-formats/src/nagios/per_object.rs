//! Nagios macro names that differ between host and service notifications
//! (`$SERVICESTATE$` / `$HOSTSTATE$`, ...), so the rest of the mapping is written once.

use super::types::CheckObject;

/// The macro names that differ between host and service notifications.
pub(super) struct PerObject {
    pub(super) state: &'static str,
    pub(super) state_type: &'static str,
    pub(super) output: &'static str,
    pub(super) long_output: &'static str,
    pub(super) perfdata: &'static str,
    pub(super) ack_author: &'static str,
    pub(super) ack_comment: &'static str,
    pub(super) last_state_change: &'static str,
    pub(super) notes_url: &'static str,
    pub(super) action_url: &'static str,
}

impl PerObject {
    pub(super) fn new(object: CheckObject) -> Self {
        match object {
            CheckObject::Service => PerObject {
                state: "SERVICESTATE",
                state_type: "SERVICESTATETYPE",
                output: "SERVICEOUTPUT",
                long_output: "LONGSERVICEOUTPUT",
                perfdata: "SERVICEPERFDATA",
                ack_author: "SERVICEACKAUTHOR",
                ack_comment: "SERVICEACKCOMMENT",
                last_state_change: "LASTSERVICESTATECHANGE",
                notes_url: "SERVICENOTESURL",
                action_url: "SERVICEACTIONURL",
            },
            CheckObject::Host => PerObject {
                state: "HOSTSTATE",
                state_type: "HOSTSTATETYPE",
                output: "HOSTOUTPUT",
                long_output: "LONGHOSTOUTPUT",
                perfdata: "HOSTPERFDATA",
                ack_author: "HOSTACKAUTHOR",
                ack_comment: "HOSTACKCOMMENT",
                last_state_change: "LASTHOSTSTATECHANGE",
                notes_url: "HOSTNOTESURL",
                action_url: "HOSTACTIONURL",
            },
        }
    }
}

//! Contact methods, checked by format (whether they reach anyone is the delivery's business).

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Email,
    /// A mobile number in international form (E.164): `+4915112345678`.
    Sms,
    /// An HTTP(S) URL that takes a JSON notification (a chat channel's incoming webhook).
    Webhook,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub kind: ContactKind,
    pub address: String,
}

impl Contact {
    /// Why the address is not one of its kind, if it is not.
    pub fn problem(&self) -> Option<String> {
        let a = self.address.as_str();
        match self.kind {
            ContactKind::Email => (!is_email(a)).then(|| format!("{a:?} is not an e-mail address")),
            ContactKind::Sms => (!is_e164(a)).then(|| {
                format!("{a:?} is not a phone number in international form, like +4915112345678")
            }),
            ContactKind::Webhook => webhook_problem(a),
        }
    }
}

pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

/// `+`, then 8 to 15 digits, the first not 0.
pub fn is_e164(text: &str) -> bool {
    let Some(digits) = text.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

fn webhook_problem(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Some(format!("{url:?} is not an http:// or https:// URL"));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() || host.starts_with(':') || url.chars().any(char::is_whitespace) {
        return Some(format!("{url:?} names no host"));
    }
    None
}

pub(crate) fn check_all(contacts: &[Contact], errors: &mut Vec<FieldError>) {
    for (i, contact) in contacts.iter().enumerate() {
        if let Some(problem) = contact.problem() {
            errors.push(FieldError::new(format!("contacts[{i}].address"), problem));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_by_their_kind() {
        let c = |kind, address: &str| Contact {
            kind,
            address: address.to_owned(),
        };
        assert_eq!(c(ContactKind::Email, "bob@example.com").problem(), None);
        assert!(c(ContactKind::Email, "bob@localhost").problem().is_some());
        assert!(c(ContactKind::Email, "bob example.com").problem().is_some());
        assert_eq!(c(ContactKind::Sms, "+4915112345678").problem(), None);
        assert!(c(ContactKind::Sms, "015112345678").problem().is_some());
        assert!(c(ContactKind::Sms, "+49 151 1234").problem().is_some());
        assert_eq!(
            c(ContactKind::Webhook, "https://chat.example.com/hooks/abc").problem(),
            None
        );
        assert!(c(ContactKind::Webhook, "ftp://example.com")
            .problem()
            .is_some());
        assert!(c(ContactKind::Webhook, "https:///x").problem().is_some());
    }
}

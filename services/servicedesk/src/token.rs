use crate::failure::{fail, Result};
use servicedesk_api::{JwtKeys, Role};

pub fn issue(keys: &JwtKeys, roles: &[String], sub: &str, ttl: &str) -> Result<String> {
    let roles = roles
        .iter()
        .map(|r| match Role::parse(r) {
            Some(role) => Ok(role),
            None => fail(format!(
                "unknown role {r:?}: one of agent, manager, reporter, admin, integration"
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    if sub.trim().is_empty() {
        return fail("--sub must not be empty");
    }
    let ttl = parse_ttl(ttl)?;
    Ok(keys.issue(sub, &roles, chrono::Utc::now().timestamp(), ttl)?)
}

/// `90s`, `30m`, `8h`, `7d`.
pub fn parse_ttl(text: &str) -> Result<i64> {
    let text = text.trim();
    let (digits, unit) = text.split_at(text.len().saturating_sub(1));
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => {
            return fail(format!(
                "--ttl {text:?}: use a number with s, m, h or d, e.g. 8h"
            ))
        }
    };
    match digits.parse::<i64>() {
        Ok(n) if n > 0 && n <= 366 * 86_400 / seconds => Ok(n * seconds),
        _ => fail(format!(
            "--ttl {text:?}: use a positive number with s, m, h or d, at most a year"
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("90s").unwrap(), 90);
        assert_eq!(parse_ttl("8h").unwrap(), 28_800);
        assert_eq!(parse_ttl("7d").unwrap(), 604_800);
        assert!(parse_ttl("8").is_err());
        assert!(parse_ttl("0h").is_err());
        assert!(parse_ttl("-1h").is_err());
        assert!(parse_ttl("999d").is_err());
    }
}

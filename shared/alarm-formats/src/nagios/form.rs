//! `application/x-www-form-urlencoded` decoding (the WHATWG rules: `&`-separated pairs, `+`
//! is a space, `%XX` a byte; a malformed `%` escape stays literal, as browsers keep it).
//! Small enough not to warrant a dependency.

use crate::canonical::ParseError;

pub(super) fn decode(body: &[u8]) -> Result<Vec<(String, String)>, ParseError> {
    body.trim_ascii()
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            let key = utf8(percent_decode(key), "body")?;
            let value = utf8(percent_decode(value), &key)?;
            Ok((key, value))
        })
        .collect()
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let escaped = input
                    .get(i + 1..i + 3)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok());
                if let Some(byte) = escaped {
                    out.push(byte);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}

fn utf8(bytes: Vec<u8>, field: &str) -> Result<String, ParseError> {
    String::from_utf8(bytes).map_err(|_| ParseError::new(field, "is not valid UTF-8"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs() {
        let pairs = decode(b"A=x+y%2Cz&B=&C&D=100%25&E=%zz\n").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("A".to_owned(), "x y,z".to_owned()),
                ("B".to_owned(), String::new()),
                ("C".to_owned(), String::new()),
                ("D".to_owned(), "100%".to_owned()),
                ("E".to_owned(), "%zz".to_owned()),
            ]
        );
    }

    #[test]
    fn invalid_utf8_names_the_field() {
        assert_eq!(decode(b"HOSTNAME=%ff").unwrap_err().field, "HOSTNAME");
    }
}

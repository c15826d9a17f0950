//! Request extractors that turn every kind of bad input into a precise problem document:
//! body size (413), media type (415), syntax (400), shape and values (422), preconditions.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use servicedesk_domain::FieldError;
use std::future::{ready, Future, Ready};
use std::pin::Pin;

/// A JSON body, size-limited and parsed with the path of the offending field in errors.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1 << 20, |s| s.settings.max_body_bytes);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let payload = web::Payload::from_request(req, payload).into_inner();
        Box::pin(async move {
            check_media_type(content_type.as_deref())?;
            if declared_length.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let payload =
                payload.map_err(|e| ApiError::malformed(format!("cannot read the body: {e}")))?;
            let bytes = payload
                .to_bytes_limited(limit)
                .await
                .map_err(|_| ApiError::PayloadTooLarge { limit })?
                .map_err(|e| ApiError::malformed(format!("cannot read the body: {e}")))?;
            parse_json(&bytes).map(ValidJson)
        })
    }
}

fn check_media_type(content_type: Option<&str>) -> Result<(), ApiError> {
    let essence = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        Some(other) if other.starts_with("application/") && other.ends_with("+json") => Ok(()),
        Some(other) => Err(ApiError::UnsupportedMediaType(format!(
            "the body must be application/json, not {other}"
        ))),
        None => Err(ApiError::UnsupportedMediaType(
            "missing Content-Type: the body must be application/json".to_owned(),
        )),
    }
}

/// Syntax errors are 400 (the client sent something that is not JSON); well-formed JSON of
/// the wrong shape or with bad values is 422 and names the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed(
            "the request body is empty; a JSON object was expected",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, serde_path_to_error::Error<serde_json::Error>> =
        serde_path_to_error::deserialize(&mut de);
    let value = match parsed {
        Ok(value) => value,
        Err(e) => return Err(path_error(e)),
    };
    de.end()
        .map_err(|e| ApiError::malformed(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    {
        let path = e.path().to_string();
        let inner = e.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::malformed(format!("the body is not valid JSON: {inner}"))
            }
            Category::Data => {
                let field = if path == "." { "body".to_owned() } else { path };
                let message = strip_position(&inner.to_string());
                ApiError::Invalid {
                    detail: format!("{field}: {message}"),
                    errors: vec![FieldError::new(field, message)],
                }
            }
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The `If-Match` precondition: a stream version (`"3"`, `W/"3"` or `3`) or `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<u64>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_if_match(req.headers().get(header::IF_MATCH)))
    }
}

fn parse_if_match(value: Option<&header::HeaderValue>) -> Result<IfMatch, ApiError> {
    let Some(value) = value else {
        return Ok(IfMatch(None));
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(IfMatch(None));
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<u64>().map(|v| IfMatch(Some(v))).map_err(|_| {
        ApiError::malformed(format!(
            "If-Match must be an ETag this server issued (e.g. \"3\"), not {text:?}"
        ))
    })
}

/// Parses a path segment as a UUID with a clear message.
pub fn uuid_param(name: &str, text: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(text).map_err(|_| ApiError::Malformed {
        detail: format!("{name} must be a UUID, not {text:?}"),
        errors: vec![FieldError::new(name, "must be a UUID")],
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        count: u32,
    }

    fn status(result: Result<Body, ApiError>) -> u16 {
        use actix_web::ResponseError;
        result.unwrap_err().status_code().as_u16()
    }

    #[test]
    fn syntax_errors_are_400_and_shape_errors_422() {
        assert_eq!(status(parse_json(b"{\"title\": ")), 400);
        assert_eq!(status(parse_json(b"")), 400);
        assert_eq!(status(parse_json(b"{\"title\":\"a\",\"count\":-1}")), 422);
        assert_eq!(
            status(parse_json(b"{\"title\":\"a\",\"count\":1,\"x\":1}")),
            422
        );
        assert_eq!(
            status(parse_json(b"{\"title\":\"a\",\"count\":1} trailing")),
            400
        );
        assert!(parse_json::<Body>(b"{\"title\":\"a\",\"count\":1}").is_ok());
    }

    #[test]
    fn field_errors_name_the_field() {
        let err = parse_json::<Body>(b"{\"title\":7,\"count\":1}").unwrap_err();
        let ApiError::Invalid { errors, .. } = err else {
            panic!()
        };
        assert_eq!(errors[0].field, "title");
    }

    #[test]
    fn media_types() {
        assert!(check_media_type(Some("application/json; charset=utf-8")).is_ok());
        assert!(check_media_type(Some("application/merge-patch+json")).is_ok());
        assert!(check_media_type(Some("text/plain")).is_err());
        assert!(check_media_type(None).is_err());
    }

    #[test]
    fn if_match_forms() {
        let v = |s: &'static str| parse_if_match(Some(&header::HeaderValue::from_static(s)));
        assert_eq!(v("\"3\"").unwrap(), IfMatch(Some(3)));
        assert_eq!(v("W/\"4\"").unwrap(), IfMatch(Some(4)));
        assert_eq!(v("*").unwrap(), IfMatch(None));
        assert!(v("\"abc\"").is_err());
    }
}

/// The correlation id of a request: the client's `X-Correlation-Id` when it is a UUID, else a
/// new one. Every event a request causes carries it, so one history can be followed across
/// streams (and, later, across the reactions it sets off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorrelationId(pub uuid::Uuid);

impl FromRequest for CorrelationId {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let given = req
            .headers()
            .get("x-correlation-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| uuid::Uuid::parse_str(v.trim()).ok());
        ready(Ok(Self(given.unwrap_or_else(uuid::Uuid::now_v7))))
    }
}

/// A request body as bytes, size-limited, with its media type (alarm formats parse their own).
pub struct RawBody {
    pub bytes: actix_web::web::Bytes,
    /// The media type without parameters, lowercased; empty when none was sent.
    pub media_type: String,
}

impl FromRequest for RawBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1 << 20, |s| s.settings.max_body_bytes);
        let media_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let payload = web::Payload::from_request(req, payload).into_inner();
        Box::pin(async move {
            if declared_length.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let payload =
                payload.map_err(|e| ApiError::malformed(format!("cannot read the body: {e}")))?;
            let bytes = payload
                .to_bytes_limited(limit)
                .await
                .map_err(|_| ApiError::PayloadTooLarge { limit })?
                .map_err(|e| ApiError::malformed(format!("cannot read the body: {e}")))?;
            Ok(RawBody { bytes, media_type })
        })
    }
}

//! Typed custom values (contact attributes, ticket custom fields): text, number, date, boolean, or
//! a list of choices. One definition of what each type accepts, used by every place that stores
//! admin-defined fields.

use serde_json::Value;

use crate::FieldErrors;

/// The value types a custom field may have.
pub const KINDS: [&str; 5] = ["text", "number", "date", "boolean", "list"];

/// A field key: 1–40 of `a-z 0-9 _ -`.
pub fn is_key(k: &str) -> bool {
    (1..=40).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Checks a definition's choices under `path` (`options`, `fields[2].options`).
pub fn check_options(errors: &mut FieldErrors, path: &str, kind: &str, options: &[String]) {
    if kind == "list" && options.is_empty() {
        errors.add(path, "a list field needs at least one option");
    }
    if kind != "list" && !options.is_empty() {
        errors.add(path, "only list fields have options");
    }
    if options.len() > 100 {
        errors.add(path, "must have at most 100 options");
    }
    for (i, o) in options.iter().enumerate() {
        if o.trim().is_empty() || o.chars().count() > 100 {
            errors.add(format!("{path}[{i}]"), "must be 1–100 characters");
        } else if options[..i].contains(o) {
            errors.add(format!("{path}[{i}]"), "appears twice");
        }
    }
}

/// Why `v` is not a valid value of a field of `kind` with these choices (`null` clears a value
/// and is always valid); `None` when it is.
pub fn value_error(kind: &str, options: &[&str], v: &Value) -> Option<String> {
    let ok = match (kind, v) {
        (_, Value::Null) => true,
        ("text", Value::String(s)) => s.chars().count() <= 1000,
        ("number", Value::Number(_)) => true,
        ("boolean", Value::Bool(_)) => true,
        ("date", Value::String(s)) => crate::calendar::is_date(s),
        ("list", Value::String(s)) => options.contains(&s.as_str()),
        ("list", Value::Array(items)) => items
            .iter()
            .all(|i| i.as_str().is_some_and(|s| options.contains(&s))),
        _ => false,
    };
    (!ok).then(|| match kind {
        "text" => "must be text of at most 1000 characters".to_owned(),
        "number" => "must be a number".to_owned(),
        "boolean" => "must be true or false".to_owned(),
        "date" => "must be a date as YYYY-MM-DD".to_owned(),
        _ => format!("must be one of: {}", options.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_kind_accepts_its_own_values_only() {
        assert!(value_error("text", &[], &json!("hi")).is_none());
        assert!(value_error("text", &[], &json!(3)).is_some());
        assert!(value_error("number", &[], &json!(3.5)).is_none());
        assert!(value_error("number", &[], &json!("3")).is_some());
        assert!(value_error("boolean", &[], &json!(true)).is_none());
        assert!(value_error("date", &[], &json!("2026-02-30")).is_some());
        assert!(value_error("date", &[], &json!("2026-02-28")).is_none());
        assert!(value_error("list", &["a", "b"], &json!("b")).is_none());
        assert!(value_error("list", &["a", "b"], &json!(["a", "c"])).is_some());
        assert!(value_error("list", &["a"], &Value::Null).is_none());
    }
}

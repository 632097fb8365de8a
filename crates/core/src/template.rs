//! Canned-response templates: text with `{{ variable }}` placeholders from a fixed catalogue.
//! Unknown variables are refused when a template is saved, so rendering never meets one.

use std::collections::HashMap;

/// Variables a canned response may use.
pub const VARIABLES: [&str; 7] = [
    "contact.name",
    "contact.email",
    "contact.phone",
    "agent.name",
    "conversation.number",
    "account.name",
    "channel.name",
];

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn parse<'a>(template: &'a str, known: &[&str]) -> Result<Vec<Part<'a>>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        parts.push(Part::Text(&rest[..open]));
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or("a {{ is never closed with }}")?;
        let name = after[..close].trim();
        if !known.contains(&name) {
            return Err(format!(
                "unknown variable {{{{{name}}}}}; known: {}",
                known.join(", ")
            ));
        }
        parts.push(Part::Var(name));
        rest = &after[close + 2..];
    }
    parts.push(Part::Text(rest));
    Ok(parts)
}

/// Checks that a template only uses known variables and closes every placeholder.
pub fn validate(template: &str) -> Result<(), String> {
    validate_with(template, &VARIABLES)
}

/// [`validate`] against another catalogue of variables (to-do titles have their own).
pub fn validate_with(template: &str, known: &[&str]) -> Result<(), String> {
    parse(template, known).map(|_| ())
}

/// Fills the placeholders; a variable with no value (an anonymous contact's name) renders empty.
pub fn render(template: &str, values: &HashMap<&str, String>) -> Result<String, String> {
    render_with(template, &VARIABLES, values)
}

/// [`render`] against another catalogue of variables.
pub fn render_with(
    template: &str,
    known: &[&str],
    values: &HashMap<&str, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    for part in parse(template, known)? {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Var(v) => out.push_str(values.get(v).map(String::as_str).unwrap_or("")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fills_known_variables_with_or_without_spaces() {
        let values = HashMap::from([
            ("contact.name", "王女士".to_owned()),
            ("agent.name", "小李".to_owned()),
        ]);
        assert_eq!(
            render(
                "{{contact.name}}您好，我是{{ agent.name }}，工单 {{conversation.number}}",
                &values
            )
            .as_deref(),
            Ok("王女士您好，我是小李，工单 ")
        );
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_refused() {
        assert!(validate("{{contact.password}}").is_err());
        assert!(validate("你好 {{contact.name").is_err());
        assert!(validate("纯文本，没有变量").is_ok());
    }

    proptest! {
        #[test]
        fn text_without_braces_renders_unchanged(s in "[^{}]*") {
            prop_assert_eq!(render(&s, &HashMap::new()), Ok(s.clone()));
        }
    }
}

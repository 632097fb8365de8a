//! Notification templates (N5): minijinja with a fixed catalogue of variables. A template that does
//! not compile, or that names a variable outside the catalogue, is refused when saved with its line
//! and column; rendering runs on a fuel budget so a loop cannot stall a sender.

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use serde::Serialize;

/// Variables a notification template may use. `ticket.custom.<key>` reaches the category's custom
/// fields (a logistics ticket's tracking number, say).
pub const VARIABLES: &[(&str, &str)] = &[
    ("ticket.number", "ticket number, T-2026001"),
    ("ticket.title", "ticket title"),
    ("ticket.status", "current state's name (处理中)"),
    (
        "ticket.status_kind",
        "state kind: new, open, pending, resolved, closed",
    ),
    ("ticket.priority", "priority key, p1 … p4"),
    ("ticket.fault_level", "fault level label, P1级 … P4级"),
    ("ticket.category", "category name"),
    ("ticket.eta", "expected resolution time, local, or empty"),
    (
        "ticket.tracking_number",
        "custom field tracking_number, if the category has it",
    ),
    ("ticket.order_number", "order number"),
    ("ticket.link", "the customer's ticket page"),
    ("ticket.custom.*", "custom field of the category"),
    ("contact.name", "customer name"),
    ("contact.kind", "individual or enterprise"),
    ("agent.name", "assigned agent's name"),
    ("team.name", "department"),
    ("account.name", "your organisation"),
    ("marker", "the progress marker that triggered the notice"),
    ("status_from", "previous state's name"),
    ("reason", "reason given for the change"),
    ("optout_link", "one-click 不再提醒 link"),
];

/// Fuel for one rendering: enough for any sensible notice, a hard stop for runaway loops.
pub const FUEL: u64 = 50_000;
/// Longest template source, in bytes.
pub const MAX_SOURCE: usize = 20_000;

/// A template error with its position (1-based; column in characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_debug(true);
    env.set_fuel(Some(FUEL));
    // Absent optional values (no ETA, a custom field not filled) render empty.
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    // Notices are text; the e-mail adapter escapes when it builds HTML.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env
}

fn known(var: &str) -> bool {
    VARIABLES.iter().any(|(name, _)| {
        if let Some(prefix) = name.strip_suffix('*') {
            var.starts_with(prefix) && var.len() > prefix.len()
                || prefix.strip_suffix('.') == Some(var)
        } else {
            *name == var || name.starts_with(&format!("{var}."))
        }
    })
}

/// Line and column (1-based, in characters) of byte offset `at` in `src`.
fn position(src: &str, at: usize) -> (usize, usize) {
    let before = &src[..at.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Where `var` first appears inside a `{{ }}` or `{% %}` tag, as a byte offset.
fn first_use(src: &str, var: &str) -> usize {
    in_tag(src, var)
        .or_else(|| in_tag(src, var.split('.').next().unwrap_or(var)))
        .unwrap_or(0)
}

fn in_tag(src: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(open) = src[from..].find(['{']).map(|i| i + from) {
        let close = src[open..].find('}').map_or(src.len(), |i| i + open);
        if let Some(i) = src[open..close].find(needle) {
            return Some(open + i);
        }
        from = close.max(open + 1);
        if from >= src.len() {
            break;
        }
    }
    None
}

fn error_at(src: &str, e: &minijinja::Error) -> TemplateError {
    let (line, column) = match e.range() {
        Some(r) => position(src, r.start),
        None => (e.line().unwrap_or(1), 1),
    };
    let message = match e.kind() {
        ErrorKind::OutOfFuel => "the template runs too long (a loop without end?)".to_owned(),
        _ => e
            .detail()
            .map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind())),
    };
    TemplateError {
        message,
        line,
        column,
    }
}

/// Checks that `src` compiles and uses only catalogue variables.
pub fn check(src: &str) -> Result<(), TemplateError> {
    if src.len() > MAX_SOURCE {
        return Err(TemplateError {
            message: format!("must be at most {MAX_SOURCE} bytes"),
            line: 1,
            column: 1,
        });
    }
    let env = env();
    let tmpl = env.template_from_str(src).map_err(|e| error_at(src, &e))?;
    let mut unknown: Vec<String> = tmpl
        .undeclared_variables(true)
        .into_iter()
        .filter(|v| !known(v))
        .collect();
    unknown.sort_by_key(|v| first_use(src, v));
    if let Some(v) = unknown.first() {
        let (line, column) = position(src, first_use(src, v));
        return Err(TemplateError {
            message: format!("unknown variable {v}"),
            line,
            column,
        });
    }
    Ok(())
}

/// Renders `src` with `ctx` (an object with the catalogue's variables).
pub fn render(src: &str, ctx: &serde_json::Value) -> Result<String, TemplateError> {
    let env = env();
    let tmpl = env.template_from_str(src).map_err(|e| error_at(src, &e))?;
    tmpl.render(Value::from(minijinja::value::Serde(ctx)))
        .map_err(|e| error_at(src, &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> serde_json::Value {
        json!({
            "ticket": {"number": "T-2026001", "status": "处理中", "eta": null,
                       "custom": {"tracking_number": "SF123"}},
            "contact": {"name": "王女士", "kind": "individual"},
        })
    }

    #[test]
    fn renders_variables_and_conditionals() {
        let out = render(
            "{{ contact.name }}您好，工单{{ ticket.number }}{% if ticket.eta %}预计{{ ticket.eta }}{% endif %}{{ ticket.status }}。运单{{ ticket.custom.tracking_number }}{{ ticket.custom.missing }}",
            &ctx(),
        );
        assert_eq!(
            out.as_deref(),
            Ok("王女士您好，工单T-2026001处理中。运单SF123")
        );
    }

    #[test]
    fn unknown_variables_are_refused_with_their_position() {
        let e = check("您好\n工单 {{ ticket.number }} 由 {{ ticket.owner }} 处理")
            .expect_err("unknown");
        assert_eq!(e.message, "unknown variable ticket.owner");
        assert_eq!((e.line, e.column), (2, 29));
        assert!(check("{{ ticket.custom.tracking_number }} {{ ticket }}").is_ok());
        let e = check("{{ secrets }}").expect_err("unknown");
        assert_eq!(e.message, "unknown variable secrets");
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let e = check("第一行\n{% if ticket.eta %}没有结束").expect_err("unclosed");
        assert_eq!(e.line, 2, "{e:?}");
        let e = check("ok\n\n  {{ ticket.number ").expect_err("unclosed");
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.column >= 3, "{e:?}");
    }

    #[test]
    fn runaway_templates_run_out_of_fuel() {
        let e = render(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            &ctx(),
        )
        .expect_err("out of fuel");
        assert!(e.message.contains("too long"), "{e:?}");
    }
}

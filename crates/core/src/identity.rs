//! Newtypes for the people side of an account: e-mail, names, passwords, locales.
//! Each validates on construction, so a value of the type is always valid.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a value was refused. The message is shown to the user next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

fn invalid(msg: impl Into<String>) -> InvalidValue {
    InvalidValue(msg.into())
}

/// A normalised (trimmed, lower-cased) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if s.chars().count() > 254 {
            return Err(invalid("must be at most 254 characters"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(invalid("must be a valid e-mail address"));
        };
        let domain_ok = !domain.is_empty()
            && !domain.contains('@')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if !(domain_ok && local_ok) {
            return Err(invalid("must be a valid e-mail address"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn bounded_text(raw: &str, what: usize) -> Result<String, InvalidValue> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid("must not be empty"));
    }
    if s.chars().count() > what {
        return Err(invalid(format!("must be at most {what} characters")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(invalid("must not contain control characters"));
    }
    Ok(s.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Trims, then requires 1 to the maximum characters and no control characters.
            pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
                bounded_text(raw, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

text_type!(
    /// A person's display name.
    PersonName,
    100
);
text_type!(
    /// A team's name.
    TeamName,
    100
);
text_type!(
    /// A label for a personal access token ("CRM sync").
    TokenName,
    100
);

/// Free text describing something; may be empty, at most 1,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if s.chars().count() > 1000 {
            return Err(invalid("must be at most 1000 characters"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password as typed; only its length is policed (NIST 800-63B: length over composition).
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(invalid(format!(
                "must be at least {} characters",
                Self::MIN_CHARS
            )));
        }
        if n > Self::MAX_CHARS {
            return Err(invalid(format!(
                "must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// A user-interface language. zh-CN is the first language, English the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw {
            "zh-CN" => Ok(Self::ZhCn),
            "en" => Ok(Self::En),
            _ => Err(invalid("must be one of: zh-CN, en")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Li.Lei@Example.COM ").map(|e| e.0),
            Ok("li.lei@example.com".into())
        );
    }

    #[test]
    fn email_rejects_malformed_addresses() {
        for bad in [
            "",
            "no-at",
            "@example.com",
            "a@",
            "a@@b.com",
            "a@b..com",
            "a b@c.com",
            ".a@b.com",
            "a@-b.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn email_accepts_unicode_domains_and_plus_tags() {
        assert!(Email::parse("客服+vip@例子.中国").is_ok());
        assert!(Email::parse("owner@localhost").is_ok());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  王小明 ").map(|n| n.0),
            Ok("王小明".into())
        );
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"长".repeat(101)).is_err());
        assert!(PersonName::parse(&"长".repeat(100)).is_ok());
        assert!(TeamName::parse("售后\u{0007}").is_err());
    }

    #[test]
    fn password_length_is_counted_in_characters_and_hidden_in_debug() {
        assert!(Password::parse("密码密码密码密码").is_ok());
        assert!(Password::parse("short").is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret-123").expect("valid")),
            "Password([redacted])"
        );
    }

    #[test]
    fn locale_round_trips() {
        for l in [Locale::ZhCn, Locale::En] {
            assert_eq!(Locale::parse(l.as_str()), Ok(l));
        }
        assert!(Locale::parse("fr").is_err());
    }
}

use thiserror::Error;

/// A storage failure, classified so the layers above can answer 404 or 409 without reading SQL text.
#[derive(Debug, Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `field` is the column it guards (`users.email`).
    #[error("conflict on {field}")]
    Conflict { field: String },
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Sqlx(sqlx::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Unique constraints named the same on both backends, mapped to the field they guard.
const UNIQUE_FIELDS: &[(&str, &str)] = &[
    ("users_email_key", "users.email"),
    ("teams_account_id_name_key", "teams.name"),
    ("entry_points_channel_id_key_key", "entry_points.key"),
    (
        "messages_conversation_id_client_id_key",
        "messages.client_id",
    ),
    ("contacts_external_id_key", "contacts.external_id"),
    ("timers_account_id_dedupe_key_key", "timers.dedupe_key"),
    (
        "business_calendars_account_id_name_key",
        "business_calendars.name",
    ),
    (
        "ticket_categories_account_id_key_key",
        "ticket_categories.key",
    ),
    ("ticket_markers_account_id_name_key", "ticket_markers.name"),
    ("tickets_account_id_number_key", "tickets.number"),
    (
        "canned_responses_account_id_short_code_key",
        "canned_responses.short_code",
    ),
    (
        "contact_attribute_definitions_account_id_key_key",
        "contact_attribute_definitions.key",
    ),
];

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // PostgreSQL names the constraint; SQLite only says
                // "UNIQUE constraint failed: teams.account_id, teams.name".
                let field = db
                    .constraint()
                    .and_then(|c| UNIQUE_FIELDS.iter().find(|(n, _)| *n == c))
                    .map(|(_, f)| (*f).to_owned())
                    .or_else(|| {
                        db.message()
                            .rsplit([' ', ','])
                            .next()
                            .map(|s| s.trim().to_owned())
                    })
                    .unwrap_or_else(|| "unknown".into());
                Error::Conflict { field }
            }
            _ => Error::Sqlx(e),
        }
    }
}

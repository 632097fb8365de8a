//! Yingke's domain core: identifiers, newtypes that validate on construction, roles and the
//! access policy, and the typed `DomainEvent` written to the outbox.
//!
//! Everything here is pure: no I/O, no async runtime, no database or HTTP types. Decisions that
//! can be made without the outside world live here so they can be unit- and property-tested.

pub mod access;
pub mod automation;
pub mod calendar;
pub mod condition;
pub mod event;
pub mod identity;
pub mod ids;
pub mod notice_template;
pub mod notify;
pub mod routing;
pub mod sla;
pub mod sla_clock;
pub mod template;
pub mod ticket;
pub mod typed;
pub mod validation;

pub use access::{AccessDenied, Role};
pub use calendar::{BusinessCalendar, CalendarSpec, WorkSpan};
pub use event::{DomainEvent, SettingAction, SettingArea};
pub use identity::{Description, Email, Locale, Password, PersonName, TeamName, TokenName};
pub use ids::{AccountId, TeamId, TokenId, UserId};
pub use validation::{FieldError, FieldErrors};

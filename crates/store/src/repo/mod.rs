//! Repositories, one module per aggregate.

pub mod accounts;
pub mod attachments;
pub mod attributes;
pub mod canned;
pub mod channels;
pub mod contacts;
pub mod conversations;
pub mod credentials;
pub mod events;
pub mod routing;
pub mod teams;
pub mod users;

pub use accounts::Account;
pub use credentials::{AccessTokenRow, Credential, NewSession};
pub use events::StoredEvent;
pub use teams::{Team, TeamMember};
pub use users::{NewUser, User, UserPatch};

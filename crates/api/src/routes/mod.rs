//! One module per resource; each owns its routes. `lib.rs` only merges them.

pub mod attributes;
pub mod audit;
pub mod auth;
pub mod canned;
pub mod channels;
pub mod contacts;
pub mod conversations;
pub mod files;
pub mod me;
pub mod notify;
pub mod ops;
pub mod routing;
pub mod sla;
pub mod teams;
pub mod tickets;
pub mod timers;
pub mod todos;
pub mod users;
pub mod widget;

//! Yingke's real time: the wire shapes of messages and conversations (shared with the REST API),
//! the per-account fan-out [`Hub`] that implements the app's publisher port, and the WebSocket
//! [`gateway`] for visitors and agents (docs/protocol/realtime.md).
//!
//! Live delivery is best effort; clients resync by sequence. Nothing here writes state except
//! through the app's use cases.

pub mod gateway;
mod hub;
mod nats;
pub mod wire;

pub use hub::{Fanned, Hub};
pub use nats::NatsFanout;

//! Typed identifiers, so a user id can never be passed where a team id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A tenant: one business using Yingke. Every tenant-owned row carries one.
    AccountId
);
id_type!(
    /// A person who signs in: an owner, admin, supervisor or agent.
    UserId
);
id_type!(
    /// A team (skill group) of agents.
    TeamId
);
id_type!(
    /// A personal access token (the row, never the secret).
    TokenId
);

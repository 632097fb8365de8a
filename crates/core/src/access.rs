//! Roles and the rules for who may manage whom. The use cases call these; the UI only mirrors them.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A user's role in an account, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Supervisor,
    Agent,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessDenied {
    #[error("your role may not do this")]
    RoleTooLow,
    #[error("you may not grant a role above your own")]
    RoleAboveOwn,
    #[error("you may not change a user whose role is above your own")]
    TargetAboveOwn,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Supervisor, Role::Agent];

    /// Higher is more powerful.
    pub fn rank(self) -> u8 {
        match self {
            Role::Owner => 3,
            Role::Admin => 2,
            Role::Supervisor => 1,
            Role::Agent => 0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, crate::identity::InvalidValue> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                crate::identity::InvalidValue(
                    "must be one of: owner, admin, supervisor, agent".into(),
                )
            })
    }

    /// At least `other`'s power.
    pub fn at_least(self, other: Role) -> bool {
        self.rank() >= other.rank()
    }

    /// At least `min`, or `RoleTooLow`.
    pub fn require(self, min: Role) -> Result<(), AccessDenied> {
        if self.at_least(min) {
            Ok(())
        } else {
            Err(AccessDenied::RoleTooLow)
        }
    }

    /// Administration of people and teams: admins and owners.
    pub fn require_admin(self) -> Result<(), AccessDenied> {
        self.require(Role::Admin)
    }

    /// May `self` change a user who has `target` now, giving them `new_role` (if any)?
    pub fn may_manage(self, target: Role, new_role: Option<Role>) -> Result<(), AccessDenied> {
        self.require_admin()?;
        if !self.at_least(target) {
            return Err(AccessDenied::TargetAboveOwn);
        }
        if let Some(r) = new_role
            && !self.at_least(r)
        {
            return Err(AccessDenied::RoleAboveOwn);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn nobody_can_grant_a_role_above_their_own(actor in role(), target in role(), new in role()) {
            if actor.may_manage(target, Some(new)).is_ok() {
                prop_assert!(actor.rank() >= new.rank());
                prop_assert!(actor.rank() >= target.rank());
                prop_assert!(actor.at_least(Role::Admin));
            }
        }

        #[test]
        fn below_admin_can_manage_nobody(actor in role(), target in role()) {
            if !actor.at_least(Role::Admin) {
                prop_assert_eq!(actor.may_manage(target, None), Err(AccessDenied::RoleTooLow));
            }
        }
    }

    #[test]
    fn admin_manages_agents_but_not_owners() {
        assert!(
            Role::Admin
                .may_manage(Role::Agent, Some(Role::Supervisor))
                .is_ok()
        );
        assert_eq!(
            Role::Admin.may_manage(Role::Owner, None),
            Err(AccessDenied::TargetAboveOwn)
        );
        assert_eq!(
            Role::Admin.may_manage(Role::Agent, Some(Role::Owner)),
            Err(AccessDenied::RoleAboveOwn)
        );
    }

    #[test]
    fn roles_parse_from_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("root").is_err());
    }
}

//! Teams (skill groups) and their members.

use yingke_core::{Description, DomainEvent, TeamId, TeamName, UserId};
use yingke_store::{Page, Team, TeamMember, events, teams, users};

use crate::{App, AppError, AppResult, Principal};

/// A validated change to a team; `None` leaves a field alone.
#[derive(Default)]
pub struct UpdateTeam {
    pub name: Option<TeamName>,
    pub description: Option<Description>,
}

impl App {
    pub async fn list_teams(
        &self,
        principal: &Principal,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<Team>> {
        Ok(teams::list(&self.db, principal.scope(), after, limit).await?)
    }

    pub async fn get_team(&self, principal: &Principal, id: TeamId) -> AppResult<Team> {
        Ok(teams::get(&self.db, principal.scope(), id).await?)
    }

    /// An admin creates a team.
    pub async fn create_team(
        &self,
        principal: &Principal,
        name: TeamName,
        description: Description,
    ) -> AppResult<Team> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let team = teams::insert(&mut tx, scope, name.as_str(), description.as_str(), now).await?;
        let event = DomainEvent::TeamCreated { team_id: team.id };
        events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
        tx.commit().await?;
        Ok(team)
    }

    /// An admin renames or re-describes a team.
    pub async fn update_team(
        &self,
        principal: &Principal,
        id: TeamId,
        input: UpdateTeam,
    ) -> AppResult<Team> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        teams::update(
            &mut tx,
            scope,
            id,
            input.name.as_ref().map(TeamName::as_str),
            input.description.as_ref().map(Description::as_str),
            now,
        )
        .await?;
        let mut fields = Vec::new();
        if input.name.is_some() {
            fields.push("name".to_owned());
        }
        if input.description.is_some() {
            fields.push("description".to_owned());
        }
        let event = DomainEvent::TeamUpdated {
            team_id: id,
            fields,
        };
        events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
        tx.commit().await?;
        Ok(teams::get(&self.db, scope, id).await?)
    }

    /// An admin deletes a team; its memberships go with it, the people stay.
    pub async fn delete_team(&self, principal: &Principal, id: TeamId) -> AppResult<()> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if !teams::exists_in(&mut tx, scope, id).await? {
            return Err(AppError::NotFound);
        }
        self.check_team_unreferenced(&mut tx, scope, id.0).await?;
        teams::delete(&mut tx, scope, id).await?;
        let event = DomainEvent::TeamDeleted { team_id: id };
        events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_team_members(
        &self,
        principal: &Principal,
        team: TeamId,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<TeamMember>> {
        // 404 for a team of another account rather than an empty list.
        teams::get(&self.db, principal.scope(), team).await?;
        Ok(teams::members(&self.db, principal.scope(), team, after, limit).await?)
    }

    /// An admin puts a person in a team (idempotent).
    pub async fn add_team_member(
        &self,
        principal: &Principal,
        team: TeamId,
        user: UserId,
    ) -> AppResult<TeamMember> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if !teams::exists_in(&mut tx, scope, team).await? {
            return Err(AppError::NotFound);
        }
        // Both must be in the caller's account: another account's user is "not found".
        users::get_in(&mut tx, scope, user).await?;
        if teams::add_member(&mut tx, scope, team, user, now).await? {
            let event = DomainEvent::TeamMemberAdded {
                team_id: team,
                user_id: user,
            };
            events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
        }
        let member = teams::member_in(&mut tx, scope, team, user).await?;
        tx.commit().await?;
        Ok(member)
    }

    /// An admin takes a person out of a team.
    pub async fn remove_team_member(
        &self,
        principal: &Principal,
        team: TeamId,
        user: UserId,
    ) -> AppResult<()> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if !teams::exists_in(&mut tx, scope, team).await? {
            return Err(AppError::NotFound);
        }
        if !teams::remove_member(&mut tx, scope, team, user).await? {
            return Err(AppError::NotFound);
        }
        let event = DomainEvent::TeamMemberRemoved {
            team_id: team,
            user_id: user,
        };
        events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// The ids of the teams a principal belongs to (for the agent socket's visibility filter).
    pub async fn team_ids_of(&self, principal: &Principal) -> AppResult<Vec<i64>> {
        Ok(teams::team_ids_of(&self.db, principal.scope(), principal.user_id()).await?)
    }
}

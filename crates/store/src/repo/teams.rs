//! Teams (skill groups) and their members.

use yingke_core::{AccountId, TeamId, UserId};

use crate::{
    Db, Page, Result, Scope, Tx,
    db::{on_pool, on_tx},
    repo::users::{User, UserRow},
};

#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub id: TeamId,
    pub account_id: AccountId,
    pub name: String,
    pub description: String,
    pub member_count: i64,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    account_id: i64,
    name: String,
    description: String,
    member_count: i64,
    created_at: i64,
}

impl From<TeamRow> for Team {
    fn from(r: TeamRow) -> Self {
        Team {
            id: TeamId(r.id),
            account_id: AccountId(r.account_id),
            name: r.name,
            description: r.description,
            member_count: r.member_count,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamMember {
    pub team_id: TeamId,
    pub user: User,
    pub added_at: i64,
}

pub async fn insert(
    tx: &mut Tx,
    scope: Scope,
    name: &str,
    description: &str,
    now: i64,
) -> Result<Team> {
    let row: TeamRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO teams (account_id, name, description, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4)
             RETURNING id, account_id, name, description, CAST(0 AS BIGINT) AS member_count, created_at",
        )
        .bind(scope.id())
        .bind(name)
        .bind(description)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

pub async fn get(db: &Db, scope: Scope, id: TeamId) -> Result<Team> {
    let row: TeamRow = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT t.id, t.account_id, t.name, t.description, t.created_at,
                    (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count
             FROM teams t WHERE t.account_id = $1 AND t.id = $2",
        )
        .bind(scope.id())
        .bind(id.0)
        .fetch_one(p)
        .await
    })?;
    Ok(row.into())
}

pub async fn list(db: &Db, scope: Scope, after: i64, limit: u32) -> Result<Page<Team>> {
    let rows: Vec<TeamRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT t.id, t.account_id, t.name, t.description, t.created_at,
                    (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count
             FROM teams t WHERE t.account_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3",
        )
        .bind(scope.id())
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(
        rows.into_iter().map(Team::from).collect(),
        limit,
        |t| t.id.0,
    ))
}

pub async fn update(
    tx: &mut Tx,
    scope: Scope,
    id: TeamId,
    name: Option<&str>,
    description: Option<&str>,
    now: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE teams SET name = COALESCE($3, name), description = COALESCE($4, description),
                    updated_at = $5
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id.0)
        .bind(name)
        .bind(description)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}

pub async fn delete(tx: &mut Tx, scope: Scope, id: TeamId) -> Result<()> {
    // Members first: SQLite only cascades when foreign keys are on, and being explicit keeps
    // both backends doing the same thing.
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM team_members WHERE account_id = $1 AND team_id = $2")
            .bind(scope.id())
            .bind(id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let done = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM teams WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}

/// Whether the team exists in this account (inside the transaction that is about to change it).
pub async fn exists_in(tx: &mut Tx, scope: Scope, id: TeamId) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM teams WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(id.0)
            .fetch_one(c)
            .await
    })?;
    Ok(n > 0)
}

/// Adds a member; returns false when they were one already (the call is idempotent).
pub async fn add_member(
    tx: &mut Tx,
    scope: Scope,
    team: TeamId,
    user: UserId,
    now: i64,
) -> Result<bool> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO team_members (account_id, team_id, user_id, added_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (team_id, user_id) DO NOTHING",
        )
        .bind(scope.id())
        .bind(team.0)
        .bind(user.0)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

/// Removes a member; returns false when they were not one.
pub async fn remove_member(tx: &mut Tx, scope: Scope, team: TeamId, user: UserId) -> Result<bool> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
            "DELETE FROM team_members WHERE account_id = $1 AND team_id = $2 AND user_id = $3",
        )
        .bind(scope.id())
        .bind(team.0)
        .bind(user.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    #[sqlx(flatten)]
    user: UserRow,
    team_id: i64,
    added_at: i64,
}

fn to_member(r: MemberRow) -> Result<TeamMember> {
    Ok(TeamMember {
        team_id: TeamId(r.team_id),
        user: r.user.try_into()?,
        added_at: r.added_at,
    })
}

/// Members of a team ordered by user id, `after` a user id.
pub async fn members(
    db: &Db,
    scope: Scope,
    team: TeamId,
    after: i64,
    limit: u32,
) -> Result<Page<TeamMember>> {
    let rows: Vec<MemberRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT u.id, u.account_id, u.email, u.name, u.role, u.locale, u.active, u.created_at,
                    m.team_id, m.added_at
             FROM team_members m JOIN users u ON u.id = m.user_id AND u.account_id = m.account_id
             WHERE m.account_id = $1 AND m.team_id = $2 AND u.id > $3
             ORDER BY u.id LIMIT $4",
        )
        .bind(scope.id())
        .bind(team.0)
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    let items = rows
        .into_iter()
        .map(to_member)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |m| m.user.id.0))
}

/// One membership, inside the transaction that created it.
pub async fn member_in(
    tx: &mut Tx,
    scope: Scope,
    team: TeamId,
    user: UserId,
) -> Result<TeamMember> {
    let row: MemberRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT u.id, u.account_id, u.email, u.name, u.role, u.locale, u.active, u.created_at,
                    m.team_id, m.added_at
             FROM team_members m JOIN users u ON u.id = m.user_id AND u.account_id = m.account_id
             WHERE m.account_id = $1 AND m.team_id = $2 AND m.user_id = $3",
        )
        .bind(scope.id())
        .bind(team.0)
        .bind(user.0)
        .fetch_one(c)
        .await
    })?;
    to_member(row)
}

/// Whether a user belongs to a team of the account.
pub async fn is_member(db: &Db, scope: Scope, team: TeamId, user: UserId) -> Result<bool> {
    let n: i64 = on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM team_members WHERE account_id = $1 AND team_id = $2 AND user_id = $3",
        )
        .bind(scope.id())
        .bind(team.0)
        .bind(user.0)
        .fetch_one(p)
        .await
    })?;
    Ok(n > 0)
}

/// The teams a user is a member of.
pub async fn team_ids_of(db: &Db, scope: Scope, user: UserId) -> Result<Vec<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT team_id FROM team_members WHERE account_id = $1 AND user_id = $2 ORDER BY team_id")
            .bind(scope.id())
            .bind(user.0)
            .fetch_all(p)
            .await
    })?)
}

//! Demo data for a first look: filled into an empty database when the server is started with
//! demo data enabled. Everything goes through the same store functions as real sign-ups.

use crate::account::api::create_account;
use crate::account::store::NewUser;
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::error::AppError;
use crate::organizations::store as organizations;
use crate::policy::Role;
use crate::request::Origin;
use crate::state::AppState;

/// Every demo person signs in with this password.
pub const DEMO_PASSWORD: &str = "steward-demo-2026";

pub struct DemoPerson {
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
}

pub const PEOPLE: [DemoPerson; 8] = [
    DemoPerson {
        first_name: "Alice",
        last_name: "Martin",
        email: "alice@demo.steward.test",
    },
    DemoPerson {
        first_name: "Bruno",
        last_name: "Keller",
        email: "bruno@demo.steward.test",
    },
    DemoPerson {
        first_name: "Chloé",
        last_name: "Dubois",
        email: "chloe@demo.steward.test",
    },
    DemoPerson {
        first_name: "David",
        last_name: "Meier",
        email: "david@demo.steward.test",
    },
    DemoPerson {
        first_name: "Emma",
        last_name: "Rossi",
        email: "emma@demo.steward.test",
    },
    DemoPerson {
        first_name: "Felix",
        last_name: "Weber",
        email: "felix@demo.steward.test",
    },
    DemoPerson {
        first_name: "Giulia",
        last_name: "Bernasconi",
        email: "giulia@demo.steward.test",
    },
    DemoPerson {
        first_name: "Hugo",
        last_name: "Favre",
        email: "hugo@demo.steward.test",
    },
];

/// Shared organizations and who is in them with which role (indexes into [`PEOPLE`]).
const ORGANIZATIONS: [(&str, &[(usize, Role)]); 3] = [
    (
        "Helvetia Web Agency",
        &[
            (1, Role::LegalRepresentative),
            (0, Role::Administrator),
            (2, Role::Administrator),
            (3, Role::Collaborator),
            (4, Role::External),
        ],
    ),
    (
        "Lakeside Bakery",
        &[
            (5, Role::LegalRepresentative),
            (6, Role::Administrator),
            (2, Role::Collaborator),
            (7, Role::External),
        ],
    ),
    (
        "Alpine Trail Club",
        &[
            (0, Role::LegalRepresentative),
            (7, Role::Collaborator),
            (3, Role::External),
        ],
    ),
];

/// Fills an empty database; returns false (and changes nothing) when it already has accounts.
pub async fn seed_if_empty(state: &AppState) -> Result<bool, AppError> {
    let mut tx = state.db.write().await?;
    if crate::on_db!(&mut tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(&mut **c)
    .await)?
        > 0
    {
        return Ok(false);
    }
    let origin = Origin {
        ip: "127.0.0.1".into(),
        user_agent: "Steward demo data".into(),
        https: false,
    };
    let now = state.now();
    // One hash for all demo people: they share a published password anyway.
    let password_hash = crate::account::password::hash_now(DEMO_PASSWORD)?;
    let mut ids = Vec::with_capacity(PEOPLE.len());
    for person in &PEOPLE {
        let new = NewUser {
            email: person.email,
            first_name: person.first_name,
            last_name: person.last_name,
            password_hash: &password_hash,
            at: now,
        };
        let (user_id, _) = create_account(&mut tx, &new, &origin).await?;
        ids.push(user_id);
    }
    for (name, members) in ORGANIZATIONS {
        let organization_id = organizations::insert_organization(&mut tx, name, now).await?;
        for (person, role) in members {
            organizations::insert_membership(&mut tx, organization_id, ids[*person], *role, now)
                .await?;
        }
        let founder = members
            .iter()
            .find(|(_, role)| *role == Role::LegalRepresentative)
            .map(|(p, _)| ids[*p]);
        record(
            &mut tx,
            NewEntry {
                action: ActivityAction::OrganizationCreated,
                actor_user_id: founder,
                organization_id: Some(organization_id),
                detail: name,
                origin: &origin,
                at: now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

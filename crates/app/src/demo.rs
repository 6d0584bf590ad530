//! `serve --demo`: a fictional city committee (no real persons or society names) with about
//! 200 societies, and a demo user for each role.

use anyhow::Result;
use domain::{OrgKind, Role};
use store::{Actor, CampaignStore, NewUser, OrgFilter, PageReq, SqlStore, Store, TrainingStore};

/// Loads the demo data; returns the demo logins to show on the login page.
pub async fn load(store: &SqlStore) -> Result<Vec<(String, String)>> {
    let (mut orgs, societies) = crate::seed::generate(200, 90, 2024);
    // The assessed orgs take their grade from last year's assessment (M6, loaded last), so
    // that their grade history starts with it.
    for o in &mut orgs {
        if domain::assessment::DEFAULT_ORG_KINDS.contains(&o.org.kind) {
            o.org.grade = None;
        }
    }
    let actor = Actor::system("demo");
    store.bulk_load(&actor, orgs, societies).await?;
    // The branch demo user keeps a general branch with a subtree under it.
    let general = store
        .list_orgs(
            &store::Scope::All,
            &OrgFilter {
                kind: Some(OrgKind::GeneralBranch),
                ..Default::default()
            },
            PageReq {
                page: 1,
                per_page: 1,
            },
        )
        .await?
        .items
        .into_iter()
        .next()
        .map(|o| o.id);
    let admin_password = std::env::var("DANGJIAN_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "admin-demo-2024".into());
    let users = [
        ("admin", admin_password.as_str(), Role::Admin, None),
        ("weiyuan", "weiyuan-demo", Role::Committee, None),
        ("duzhi", "duzhi-demo-1", Role::Inspector, None),
        ("zhibu", "zhibu-demo-1", Role::Branch, general),
        ("lingdao", "lingdao-demo", Role::Viewer, None),
    ];
    let mut logins = Vec::new();
    for (username, password, role, org) in users {
        let hash = web::platform::auth::hash_password(password.to_string())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store
            .create_user(
                &actor,
                NewUser {
                    username: username.into(),
                    password_hash: hash,
                    role,
                    party_org_id: org,
                },
            )
            .await?;
        logins.push((username.to_string(), password.to_string()));
    }
    crate::demo_life::load(store).await?;
    crate::demo_work::load(store).await?;
    crate::demo_reports::load(store).await?;
    let orgs = crate::seed_training::all_orgs(store).await?;
    let today = crate::demo_reports::today();
    // M7: the open 社区报到 partway to its 100, an essay competition, last year's lectures
    let campaigns = crate::seed_campaigns::generate(
        &crate::seed_campaigns::committees(&orgs),
        3,
        today,
        1,
        2024,
    );
    store.seed_campaigns(&actor, campaigns).await?;
    // M8: about four office-holders an org, two years of courses
    let large = crate::seed_training::large(&orgs);
    let training = crate::seed_training::generate(&large, orgs.len() * 4, today, 2024);
    store.bulk_training(&actor, training).await?;
    // M9 and M10: more committee members, their contact points and visits, research
    // reports, typical cases, the channels of a third of the societies
    logins.extend(crate::demo_liaison::load(store).await?);
    // M6 last: its auto scores read every module's records
    crate::demo_assessment::load_all(store).await?;
    Ok(logins)
}

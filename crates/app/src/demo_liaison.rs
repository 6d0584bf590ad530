//! The demo's M9 and M10 records: the committee members' contact points (联系点; some
//! members below three), a year of their visits, two research reports, a handful of
//! typical cases (some published) and the publication channels of a third of the
//! societies, some without an emergency plan and some with their review overdue.

use anyhow::Result;
use chrono::Datelike;
use domain::liaison::{CaseCategory, NewCase, NewResearchReport};
use domain::Role;
use store::{Actor, LiaisonStore, NewUser, Scope, SqlStore, Store};

use crate::seed_liaison;

/// The demo's committee members besides `weiyuan` (fictional): username and password.
pub const MEMBERS: [(&str, &str); 4] = [
    ("liqiang", "liqiang-demo"),
    ("chenmin", "chenmin-demo"),
    ("zhaojing", "zhaojing-demo"),
    ("sunhao", "sunhao-demo"),
];

/// Loads them; the logins of the members it adds.
pub async fn load(store: &SqlStore) -> Result<Vec<(String, String)>> {
    let actor = Actor::system("demo");
    let mut logins = Vec::new();
    for (username, password) in MEMBERS {
        let hash = web::platform::auth::hash_password(password.to_string())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store
            .create_user(
                &actor,
                NewUser {
                    username: username.into(),
                    password_hash: hash,
                    role: Role::Committee,
                    party_org_id: None,
                },
            )
            .await?;
        logins.push((username.to_string(), password.to_string()));
    }
    let users = store.list_users().await?;
    let member = |name: &str| users.iter().find(|u| u.username == name).map(|u| u.id);
    // weiyuan first: three contact points; chenmin and sunhao (the third and fifth) fewer
    let members: Vec<i64> = std::iter::once("weiyuan")
        .chain(MEMBERS.iter().map(|(u, _)| *u))
        .filter_map(member)
        .collect();
    let orgs = seed_liaison::liaison_orgs(store).await?;
    let today = crate::demo_reports::today();
    let year = today.year();
    let mut b = seed_liaison::generate(&members, &orgs, 3, 90, today, 2024);
    let contact = |i: usize| -> Vec<i64> {
        b.liaisons
            .iter()
            .filter(|l| Some(l.user_id) == members.get(i).copied() && l.until.is_none())
            .map(|l| l.party_org_id)
            .collect()
    };
    let (first, second) = (contact(0), contact(1));
    let author = |i: usize| members.get(i).copied().unwrap_or_default();
    let reports = vec![
        NewResearchReport {
            title: "《进一步发挥科技社团作用》研究报告".into(),
            year,
            summary: Some(
                "围绕科技社团在服务科技工作者、服务创新驱动发展中的作用，走访联系点党组织，\
                 梳理党建引领学会治理的做法和不足，提出完善党建工作机制、推动党建与业务融合的建议。"
                    .into(),
            ),
            author_user_id: author(0),
            party_org_ids: first.clone(),
        },
        NewResearchReport {
            title: "科技社团党的组织覆盖和工作覆盖情况调研报告".into(),
            year: year - 1,
            summary: Some(
                "对全市科技社团党组织设置、联合党支部覆盖和党建指导员选派情况开展调研，\
                 分析应建未建的原因，提出分类推进组织覆盖的措施。"
                    .into(),
            ),
            author_user_id: author(1),
            party_org_ids: second.clone(),
        },
    ];
    let case_orgs: Vec<i64> = first.iter().chain(&second).copied().collect();
    let org_of = |i: usize| case_orgs.get(i % case_orgs.len().max(1)).copied();
    let cases = [
        (
            "以党建引领学术交流高质量发展",
            CaseCategory::PartyLeadership,
            true,
            "支部将党建工作融入学术年会筹办全过程，党员专家带头开展学术报告和青年人才培养。",
        ),
        (
            "“党建+科普”走进社区",
            CaseCategory::ServiceInnovation,
            true,
            "支部联合社区党组织开展科普讲座和科技咨询，形成常态化服务机制。",
        ),
        (
            "联合党支部“一支部多单位”组织生活模式",
            CaseCategory::OrgBuilding,
            true,
            "联合党支部按单位设立党小组，轮流承办主题党日，解决党员分散、活动难开展的问题。",
        ),
        (
            "科技志愿服务队助力乡村振兴",
            CaseCategory::Volunteering,
            false,
            "组织会员中的党员专家组成科技志愿服务队，赴区县开展技术培训。",
        ),
        (
            "把党建工作写入学会章程的做法",
            CaseCategory::OrgBuilding,
            false,
            "在换届中推动党建工作入章，明确党组织在学会治理中的作用。",
        ),
        (
            "青年科技工作者联系服务机制",
            CaseCategory::Other,
            false,
            "支部委员分工联系青年会员，定期座谈了解诉求。",
        ),
    ];
    for (i, (title, category, published, summary)) in cases.into_iter().enumerate() {
        if let Some(org) = org_of(i) {
            b.cases.push(NewCase {
                title: title.into(),
                party_org_id: org,
                category,
                year: if i < 2 { year - 1 } else { year },
                summary: Some(summary.into()),
                published,
            });
        }
    }
    b.research_reports = reports;
    store.bulk_liaison(&actor, b).await?;
    // channels of every third society, half of them with a second one
    let societies: Vec<(i64, String)> = store
        .export_societies(&Scope::All)
        .await?
        .into_iter()
        .step_by(3)
        .map(|(s, _)| (s.id, s.name))
        .collect();
    let n = societies.len() * 3 / 2;
    let ch = seed_liaison::channels(
        &societies,
        n,
        store.rules().channel_review_days,
        today,
        2024,
    );
    store::ChannelStore::bulk_channels(store, &actor, ch).await?;
    Ok(logins)
}

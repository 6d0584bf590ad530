//! M9 and M10 records for the demo and `seed --visits N --channels N`: committee members'
//! liaisons with orgs (some members below `[rules] liaison_orgs`, some liaisons already
//! ended), a year of visits mostly to each member's own contact points, and the channels of
//! societies (journals, websites, forums, social accounts) with their responsible persons,
//! emergency plans (some missing) and reviews (some never, some more than a year ago).
//! Deterministic; written in bulk.

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use domain::channels::{ChannelKind, NewChannel, NewReview};
use domain::liaison::{NewLiaison, NewVisit, VisitKind};
use domain::{OrgKind, Role};
use store::channels::BulkChannels;
use store::liaison::BulkLiaison;
use store::{Actor, ChannelStore, LiaisonStore, NewUser, Scope, SqlStore, Store};

use crate::seed::{person, Rng};

/// What visits note (activities of liaison, not of anyone's speech).
const VISIT_NOTES: &[(VisitKind, &str)] = &[
    (
        VisitKind::Visit,
        "走访支部，了解“三会一课”落实和党员队伍情况",
    ),
    (VisitKind::Visit, "与支部书记座谈，听取学会党建工作情况汇报"),
    (
        VisitKind::Guidance,
        "指导支部做好换届准备，明确换届程序和时间节点",
    ),
    (VisitKind::Guidance, "指导规范组织生活会和民主评议党员工作"),
    (VisitKind::Guidance, "指导党建工作写入学会章程"),
    (
        VisitKind::Research,
        "调研学会党建与业务融合情况，收集意见建议",
    ),
    (VisitKind::Research, "围绕发挥科技社团作用开展专题调研"),
    (VisitKind::Lecture, "为支部党员讲专题党课"),
    (VisitKind::Lecture, "宣讲党的创新理论和科协工作部署"),
];

/// Orgs a member's liaisons are spread over: every live org but committees, in tree order.
pub async fn liaison_orgs(store: &SqlStore) -> Result<Vec<i64>> {
    Ok(store
        .all_orgs(&Scope::All)
        .await?
        .into_iter()
        .filter(|o| o.kind != OrgKind::Committee)
        .map(|o| o.id)
        .collect())
}

/// Liaisons of `members` over `orgs` — each member `target` current ones, but a third of
/// the members fewer, and every fourth one a liaison that ended last year — and `visits` visits
/// over the 12 months up to `today`, four in five to the visitor's own contact points.
pub fn generate(
    members: &[i64],
    orgs: &[i64],
    target: usize,
    visits: usize,
    today: NaiveDate,
    seed: u64,
) -> BulkLiaison {
    let mut rng = Rng::new(seed);
    let mut b = BulkLiaison::default();
    if members.is_empty() || orgs.is_empty() {
        return b;
    }
    let year = today.year();
    let mut own: Vec<Vec<i64>> = vec![Vec::new(); members.len()];
    let mut next = 0usize;
    for (i, &m) in members.iter().enumerate() {
        let n = if matches!(i % 6, 2 | 4) {
            rng.range(1, target.max(2) as i64 - 1) as usize
        } else {
            target
        };
        for _ in 0..n {
            let org = orgs[next % orgs.len()];
            next += 1;
            own[i].push(org);
            b.liaisons.push(NewLiaison {
                user_id: m,
                party_org_id: org,
                since: NaiveDate::from_ymd_opt(year - rng.range(0, 2) as i32, 1, 1)
                    .unwrap_or(today)
                    .min(today),
                until: None,
            });
        }
        if i % 4 == 1 {
            let org = orgs[next % orgs.len()];
            next += 1;
            b.liaisons.push(NewLiaison {
                user_id: m,
                party_org_id: org,
                since: NaiveDate::from_ymd_opt(year - 3, 3, 1).unwrap_or(today),
                until: NaiveDate::from_ymd_opt(year - 1, 12, 31),
            });
        }
    }
    for _ in 0..visits {
        let i = rng.below(members.len() as u64) as usize;
        let org = if !own[i].is_empty() && rng.chance(80) {
            *rng.pick(&own[i])
        } else {
            *rng.pick(orgs)
        };
        let (kind, notes) = *rng.pick(VISIT_NOTES);
        let held_on = today - Duration::days(rng.below(365) as i64);
        b.visits.push(NewVisit {
            user_id: members[i],
            party_org_id: org,
            held_on,
            kind,
            notes: Some(notes.to_string()),
        });
    }
    b
}

/// The name of a society's channel of `kind` (the society's short name: without the city).
fn channel_name(society: &str, kind: ChannelKind, n: usize) -> String {
    let short = society.trim_start_matches(crate::seed::CITY);
    let base = match kind {
        ChannelKind::Journal => format!("《{}通讯》", short.trim_end_matches("学会")),
        ChannelKind::Website => format!("{short}官方网站"),
        ChannelKind::Forum => format!("{short}学术论坛"),
        ChannelKind::SocialAccount => format!("{short}微信公众号"),
        ChannelKind::Other => format!("{short}视频号"),
    };
    if n == 0 {
        base
    } else {
        format!("{base}（{}）", n + 1)
    }
}

/// `channels` channels over `societies` (id, name), one society after another: a society
/// gets its website, then its social account, journal, forum. About one in five has no
/// emergency plan on file; about one in six was never reviewed, one in four last more than
/// `review_days` ago.
pub fn channels(
    societies: &[(i64, String)],
    channels: usize,
    review_days: i64,
    today: NaiveDate,
    seed: u64,
) -> BulkChannels {
    const ORDER: [ChannelKind; 5] = [
        ChannelKind::Website,
        ChannelKind::SocialAccount,
        ChannelKind::Journal,
        ChannelKind::Forum,
        ChannelKind::Other,
    ];
    let mut rng = Rng::new(seed);
    let mut b = BulkChannels::default();
    if societies.is_empty() {
        return b;
    }
    for i in 0..channels {
        let (society_id, name) = &societies[i % societies.len()];
        let round = i / societies.len();
        let kind = ORDER[round % ORDER.len()];
        let responsible = format!(
            "{} {}",
            rng.pick(&[
                "秘书长",
                "副秘书长",
                "办公室主任",
                "编辑部主任",
                "宣传部部长"
            ]),
            person(&mut rng)
        );
        let plan = (!rng.chance(20)).then(|| today - Duration::days(rng.range(30, 1000)));
        let mut reviews = Vec::new();
        match rng.below(100) {
            0..=15 => {}
            16..=40 => reviews.push(NewReview {
                reviewed_on: today - Duration::days(review_days + rng.range(1, 300)),
                notes: Some("阵地管理制度、审核流程和应急预案落实情况检查".into()),
            }),
            _ => {
                let recent = today - Duration::days(rng.range(0, review_days.max(1) - 1));
                reviews.push(NewReview {
                    reviewed_on: recent,
                    notes: Some("年度阵地管理检查：责任人、审核制度和应急预案".into()),
                });
                if rng.chance(50) {
                    reviews.push(NewReview {
                        reviewed_on: recent - Duration::days(review_days),
                        notes: None,
                    });
                }
            }
        }
        b.channels.push((
            NewChannel {
                society_id: *society_id,
                kind,
                name: channel_name(name, kind, round / ORDER.len()),
                responsible,
                emergency_plan_on: plan,
            },
            reviews,
        ));
    }
    b
}

/// The committee members among the users, made up to `n` with `weiyuan01`… when fewer (for
/// `seed`; their password is random and unknown: `user passwd` sets one).
async fn committee_members(store: &SqlStore, n: usize) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Committee)
        .map(|u| u.id)
        .collect();
    if ids.len() >= n {
        return Ok(ids);
    }
    let secret = web::platform::auth::random_hex(16).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = web::platform::auth::hash_password(secret)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut k = 1;
    while ids.len() < n {
        let user = store
            .create_user(
                &Actor::system("seed"),
                NewUser {
                    username: format!("weiyuan{k:02}"),
                    password_hash: hash.clone(),
                    role: Role::Committee,
                    party_org_id: None,
                },
            )
            .await;
        if let Ok(u) = user {
            ids.push(u.id);
        }
        k += 1;
    }
    Ok(ids)
}

/// Committee members a seeded database has: a city committee's size.
const SEED_MEMBERS: usize = 25;

/// `seed --visits N --channels M`.
pub async fn run(store: &SqlStore, visits: usize, channels_n: usize) -> Result<()> {
    let today = crate::demo_reports::today();
    let actor = Actor::system("seed");
    if visits > 0 {
        let members = committee_members(store, SEED_MEMBERS).await?;
        let orgs = liaison_orgs(store).await?;
        let b = generate(
            &members,
            &orgs,
            store.rules().liaison_orgs.max(1) as usize,
            visits,
            today,
            13,
        );
        store.bulk_liaison(&actor, b).await?;
    }
    if channels_n > 0 {
        let societies: Vec<(i64, String)> = store
            .export_societies(&Scope::All)
            .await?
            .into_iter()
            .map(|(s, _)| (s.id, s.name))
            .collect();
        let b = channels(
            &societies,
            channels_n,
            store.rules().channel_review_days,
            today,
            14,
        );
        store.bulk_channels(&actor, b).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_get_their_contact_points_and_channels_their_gaps() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let members: Vec<i64> = (1..=6).collect();
        let orgs: Vec<i64> = (100..160).collect();
        let b = generate(&members, &orgs, 3, 400, today, 1);
        let current = |m: i64| {
            b.liaisons
                .iter()
                .filter(|l| l.user_id == m && domain::liaison::is_current(l.since, l.until, today))
                .count()
        };
        // members 3 and 5 (the third and fifth) are below the target, the others at it
        let counts: Vec<usize> = members.iter().map(|m| current(*m)).collect();
        assert_eq!(counts.iter().filter(|n| **n == 3).count(), 4, "{counts:?}");
        assert!(counts[2] < 3 && counts[4] < 3, "{counts:?}");
        assert!(b
            .liaisons
            .iter()
            .any(|l| l.until.is_some_and(|u| u < today)));
        assert_eq!(b.visits.len(), 400);
        assert!(b
            .visits
            .iter()
            .all(|v| v.held_on <= today && (today - v.held_on).num_days() < 365));
        // most visits go to the visitor's own contact points
        let own = b
            .visits
            .iter()
            .filter(|v| {
                b.liaisons
                    .iter()
                    .any(|l| l.user_id == v.user_id && l.party_org_id == v.party_org_id)
            })
            .count();
        assert!(own * 10 > b.visits.len() * 7, "{own}");

        let societies: Vec<(i64, String)> = (1..=40)
            .map(|i| (i, format!("{}第{i}学会", crate::seed::CITY)))
            .collect();
        let ch = channels(&societies, 100, 365, today, 2);
        assert_eq!(ch.channels.len(), 100);
        let mut names: Vec<(i64, &str)> = ch
            .channels
            .iter()
            .map(|(c, _)| (c.society_id, c.name.as_str()))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 100, "one name once per society");
        let rules = domain::Rules::default();
        let last = |rs: &[NewReview]| rs.iter().map(|r| r.reviewed_on).max();
        let overdue = ch
            .channels
            .iter()
            .filter(|(_, rs)| domain::checks::review_overdue(last(rs), &rules, today))
            .count();
        let without = ch
            .channels
            .iter()
            .filter(|(c, _)| c.emergency_plan_on.is_none())
            .count();
        assert!((20..=60).contains(&overdue), "{overdue}");
        assert!((5..=40).contains(&without), "{without}");
        assert!(ch
            .channels
            .iter()
            .flat_map(|(c, rs)| rs.iter().map(|r| r.reviewed_on).chain(c.emergency_plan_on))
            .all(|d| d <= today));
    }
}

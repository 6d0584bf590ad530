//! M7 records for the demo and `seed --campaigns N`: campaigns of every kind over this year
//! and last — the first always the open “社区报到·治理增效” (W12's 100 orgs reporting to
//! communities) — each joined by a share of the orgs (not the committees) on a day within
//! it, with the community or venue they reported to, and most participants with a few
//! records since. Deterministic; written in bulk.

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use domain::campaigns::{CampaignKind, NewCampaign, NewParticipant, NewRecord};
use store::campaigns::{BulkCampaign, BulkParticipant};
use store::{Actor, CampaignStore, SqlStore};

use crate::seed::Rng;

const STREETS: [&str; 10] = [
    "东湖街道",
    "西岭街道",
    "南门街道",
    "北苑街道",
    "滨江街道",
    "新桥街道",
    "望山街道",
    "文昌街道",
    "青石街道",
    "云川街道",
];
const COMMUNITIES: [&str; 12] = [
    "幸福里社区",
    "和平社区",
    "科苑社区",
    "春晖社区",
    "翠竹社区",
    "光明社区",
    "金桥社区",
    "锦绣社区",
    "杏林社区",
    "书香社区",
    "滨河社区",
    "明德社区",
];

/// (title, kind, starts days before today, lasts days, target, description, what a record
/// is, the share of orgs joining in percent)
type Template = (
    &'static str,
    CampaignKind,
    i64,
    i64,
    i64,
    &'static str,
    &'static [&'static str],
    u64,
);

const TEMPLATES: [Template; 5] = [
    (
        "社区报到·治理增效",
        CampaignKind::CommunityCheckIn,
        240,
        365,
        100,
        "引导100个科技社团党组织进社区报到，围绕社区治理需求开展科普宣传、科技志愿服务等活动。",
        &[
            "科普进社区讲座",
            "科技志愿服务",
            "健康义诊咨询",
            "老年人智能手机培训",
            "青少年科学小实验",
        ],
        70,
    ),
    (
        "“弘扬科学家精神”主题征文",
        CampaignKind::Essay,
        200,
        150,
        50,
        "面向科技社团党员和科技工作者征集弘扬科学家精神的主题文章。",
        &["征文稿件报送", "组织党员撰写征文", "征文初评推荐"],
        35,
    ),
    (
        "党的创新理论“进学会”宣讲",
        CampaignKind::Lecture,
        420,
        240,
        40,
        "组织宣讲团走进科技社团，开展党的创新理论宣讲。",
        &["专题宣讲", "宣讲团走进学会", "青年科技工作者座谈宣讲"],
        45,
    ),
    (
        "科技志愿服务月",
        CampaignKind::Other,
        100,
        31,
        60,
        "集中开展科技志愿服务活动。",
        &["科技志愿服务", "科普展览", "技术咨询服务"],
        40,
    ),
    (
        "“党建强会”经验交流",
        CampaignKind::Other,
        500,
        60,
        30,
        "科技社团党组织交流党建引领学会发展的经验做法。",
        &["经验交流发言", "书面材料报送"],
        25,
    ),
];

fn place(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&STREETS), rng.pick(&COMMUNITIES))
}

fn day_between(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.range(0, span))
}

/// `n` campaigns (the templates in turn, a year earlier each round) over `orgs` (id,
/// whether a committee — committees run campaigns, they do not join them), up to `today`.
/// `target_scale` multiplies the templates' targets (1 for the demo's hundred orgs).
pub fn generate(
    orgs: &[(i64, bool)],
    n: usize,
    today: NaiveDate,
    target_scale: i64,
    seed: u64,
) -> Vec<BulkCampaign> {
    let mut rng = Rng::new(seed);
    let joinable: Vec<i64> = orgs.iter().filter(|o| !o.1).map(|o| o.0).collect();
    (0..n)
        .map(|i| {
            let (title, kind, before, lasts, target, description, works, share) =
                TEMPLATES[i % TEMPLATES.len()];
            let round = (i / TEMPLATES.len()) as i64;
            let starts_on = today - Duration::days(before + 365 * round);
            let ends_on = starts_on + Duration::days(lasts - 1);
            let title = if round == 0 {
                title.to_string()
            } else {
                format!("{title}（{}年）", starts_on.year())
            };
            let last = ends_on.min(today);
            let joining: Vec<i64> = joinable
                .iter()
                .copied()
                .filter(|_| rng.chance(share))
                .collect();
            let participants = joining
                .into_iter()
                .map(|org| {
                    let joined_on = day_between(&mut rng, starts_on, last);
                    let place = (kind == CampaignKind::CommunityCheckIn || rng.chance(30))
                        .then(|| place(&mut rng));
                    let records = match rng.below(10) {
                        0..=2 => 0,
                        3..=6 => 1,
                        _ => rng.range(2, 5) as usize,
                    };
                    BulkParticipant {
                        participant: NewParticipant {
                            party_org_id: org,
                            joined_on,
                            place,
                        },
                        records: (0..records)
                            .map(|_| NewRecord {
                                party_org_id: org,
                                held_on: day_between(&mut rng, joined_on, last),
                                title: rng.pick(works).to_string(),
                                participants: Some(rng.range(3, 30)),
                                notes: None,
                            })
                            .collect(),
                    }
                })
                .collect();
            BulkCampaign {
                campaign: NewCampaign {
                    title,
                    kind,
                    starts_on,
                    ends_on,
                    target: target * target_scale,
                    description: Some(description.into()),
                },
                participants,
            }
        })
        .collect()
}

/// The orgs with whether each is a committee.
pub fn committees(orgs: &[(i64, domain::OrgKind)]) -> Vec<(i64, bool)> {
    orgs.iter()
        .map(|&(id, kind)| (id, kind == domain::OrgKind::Committee))
        .collect()
}

/// `seed --campaigns N`: the targets scaled to the tree (a hundred per thousand orgs).
pub async fn run(store: &SqlStore, n: usize) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let orgs = committees(&crate::seed_training::all_orgs(store).await?);
    let scale = (orgs.len() as i64 / 1000).max(1);
    let items = generate(&orgs, n, crate::demo_reports::today(), scale, 7);
    store.seed_campaigns(&Actor::system("seed"), items).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_campaign_is_open_and_every_day_lies_within_its_campaign() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let orgs: Vec<(i64, bool)> = (1..=120).map(|i| (i, i == 1)).collect();
        let items = generate(&orgs, 7, today, 1, 3);
        assert_eq!(items.len(), 7);
        let first = &items[0].campaign;
        assert_eq!(first.kind, CampaignKind::CommunityCheckIn);
        assert!(first.starts_on <= today && today <= first.ends_on);
        assert_eq!(first.target, 100);
        // partway: some but not all of the 119 joinable orgs, never the committee
        let n = items[0].participants.len();
        assert!(n > 50 && n < 119, "{n}");
        for c in &items {
            for p in &c.participants {
                assert_ne!(p.participant.party_org_id, 1);
                let j = p.participant.joined_on;
                assert!(c.campaign.starts_on <= j && j <= c.campaign.ends_on.min(today));
                for r in &p.records {
                    assert!(j <= r.held_on && r.held_on <= today);
                    assert!(r.held_on <= c.campaign.ends_on);
                }
            }
        }
        let mut titles: Vec<&str> = items.iter().map(|c| c.campaign.title.as_str()).collect();
        titles.sort();
        titles.dedup();
        assert_eq!(titles.len(), 7, "distinct titles");
    }
}

//! M6 schemes for the demo and `seed --schemes N`: the year's 「党支部工作考核」 with an
//! indicator tree after the committee's work points (political building, organizational
//! life, organization building, carrying out the work, serving development, highlights),
//! the seven metrics on its auto leaves and a few manual leaves; manual scores for most
//! orgs with short comments, placed so that the grades spread (most B, some A, a few C,
//! the weakest records lowest), and a few grade overrides with their reasons. Earlier
//! years' schemes are finalized in the January after them. Deterministic; written in bulk.

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use domain::assessment::{IndicatorInput, Method, NewScheme, SchemeInput, Thresholds};
use domain::Grade;
use store::assessment::{AssessmentFilter, AssessmentStore, BulkScores, Scheme};
use store::{Actor, Scope, SqlStore};

use crate::seed::Rng;

/// The title of a year's scheme.
pub fn title(year: i32) -> String {
    format!("{year}年度党支部工作考核")
}

/// One indicator of the tree: key, parent key, name, points, metric (auto leaves), and for
/// manual leaves the comments of a low, a middling and a high score.
struct Item {
    key: i64,
    parent: Option<i64>,
    name: &'static str,
    points: f64,
    metric: Option<&'static str>,
    comments: Option<[&'static [&'static str]; 3]>,
}

const fn inner(key: i64, name: &'static str, points: f64) -> Item {
    Item {
        key,
        parent: None,
        name,
        points,
        metric: None,
        comments: None,
    }
}

const fn auto(
    key: i64,
    parent: i64,
    name: &'static str,
    points: f64,
    metric: &'static str,
) -> Item {
    Item {
        key,
        parent: Some(parent),
        name,
        points,
        metric: Some(metric),
        comments: None,
    }
}

const fn manual(
    key: i64,
    parent: Option<i64>,
    name: &'static str,
    points: f64,
    comments: [&'static [&'static str]; 3],
) -> Item {
    Item {
        key,
        parent,
        name,
        points,
        metric: None,
        comments: Some(comments),
    }
}

/// The tree: 政治建设 15, 组织生活 25, 组织建设 20, 工作落实 25, 服务发展 10, 特色亮点 5;
/// 60 points computed from the records, 40 scored by hand.
const TREE: &[Item] = &[
    inner(1, "政治建设", 15.0),
    manual(
        2,
        Some(1),
        "理论武装（“第一议题”、主题教育）",
        5.0,
        [
            &["“第一议题”学习记录不全", "主题教育学习计划落实不到位"],
            &["按计划开展集中学习", "落实“第一议题”制度，学习形式较单一"],
            &[
                "落实“第一议题”制度，学习记录完整",
                "主题教育学习扎实，开展专题研讨",
            ],
        ],
    ),
    manual(
        3,
        Some(1),
        "意识形态工作",
        5.0,
        [
            &["未开展意识形态风险研判", "期刊、网站管理责任未落实到人"],
            &["定期研判意识形态工作", "落实意识形态工作责任制"],
            &[
                "期刊、网站、论坛管理规范，应急预案完备",
                "意识形态工作责任制落实到位",
            ],
        ],
    ),
    manual(
        4,
        Some(1),
        "作风建设和党风廉政",
        5.0,
        [
            &["党风廉政教育开展较少", "党员日常教育监督不够"],
            &["开展党风廉政教育", "落实中央八项规定精神"],
            &["党风廉政教育常态化", "党员日常教育监督管理到位"],
        ],
    ),
    inner(5, "组织生活", 25.0),
    auto(6, 5, "“三会一课”落实", 15.0, "compliance_rate"),
    manual(
        7,
        Some(5),
        "主题党日活动质量",
        10.0,
        [
            &["主题党日内容单一，与业务结合不够", "活动记录简单"],
            &["按月开展主题党日", "主题党日形式有待丰富"],
            &["主题党日与学术活动结合紧密", "开展联合式共学，效果较好"],
        ],
    ),
    inner(8, "组织建设", 20.0),
    auto(9, 8, "党建入章", 10.0, "charter_rate"),
    auto(10, 8, "党务干部培训", 5.0, "training_rate"),
    manual(
        11,
        Some(8),
        "班子建设（按期换届、交叉任职）",
        5.0,
        [
            &["未按期换届", "支部班子成员与学会管理层交叉任职不足"],
            &["班子健全，按期换届", "推进“双向进入、交叉任职”"],
            &[
                "班子健全，书记由学会负责人担任",
                "“双向进入、交叉任职”落实到位",
            ],
        ],
    ),
    inner(12, "工作落实", 25.0),
    auto(13, 12, "工作任务完成", 10.0, "task_rate"),
    auto(14, 12, "督查整改落实", 10.0, "rectification_rate"),
    auto(15, 12, "报表按时报送", 5.0, "report_rate"),
    inner(16, "服务发展", 10.0),
    auto(17, 16, "专项行动参与", 5.0, "campaign_rate"),
    manual(
        18,
        Some(16),
        "学术立会与服务发展",
        5.0,
        [
            &["服务会员和科技工作者的举措不多", "党建与业务融合不够"],
            &["组织党员专家参与学术交流", "开展科技咨询服务"],
            &["党员专家牵头承担智库课题", "组织科技志愿服务进社区、下基层"],
        ],
    ),
    manual(
        19,
        None,
        "特色亮点",
        5.0,
        [
            &["暂无特色做法", "特色工作尚未形成"],
            &["探索“党建+科普”做法", "结合学会特点开展主题活动"],
            &[
                "“党建+学术”品牌获党委通报表扬",
                "形成可复制推广的党建工作经验",
                "案例入选党委典型案例",
            ],
        ],
    ),
];

/// A year's scheme under `thresholds` (the defaults of [rules]).
pub fn scheme(year: i32, thresholds: Thresholds) -> Result<NewScheme> {
    let input = SchemeInput {
        year: Some(year as i64),
        title: Some(title(year)),
        org_kinds: None,
        thresholds: Some(thresholds),
        indicators: Some(
            TREE.iter()
                .map(|i| IndicatorInput {
                    id: Some(i.key),
                    parent_id: i.parent,
                    name: Some(i.name.to_string()),
                    points: Some(i.points),
                    method: match (i.metric, &i.comments) {
                        (Some(_), _) => Some("auto".into()),
                        (None, Some(_)) => Some("manual".into()),
                        (None, None) => None,
                    },
                    metric: i.metric.map(str::to_string),
                })
                .collect(),
        ),
    };
    input
        .validate(thresholds)
        .map_err(|e| anyhow::anyhow!("the seed scheme is invalid: {e:?}"))
}

/// The comments of a manual leaf by its name (a leaf of another tree: none).
fn comments_of(name: &str) -> Option<[&'static [&'static str]; 3]> {
    TREE.iter()
        .find(|i| i.name == name)
        .and_then(|i| i.comments)
}

/// Grade overrides and their reasons: (from the suggested, to, reason).
const OVERRIDES: &[(Grade, Grade, &str)] = &[
    (
        Grade::B,
        Grade::A,
        "年内获评市级“五星级”党支部，经党委会研究定为A类",
    ),
    (
        Grade::C,
        Grade::B,
        "新组建党支部，组织生活起步较晚，经党委会研究定为B类",
    ),
    (
        Grade::A,
        Grade::B,
        "学会年内发生意识形态风险事件，经党委会研究定为B类",
    ),
    (
        Grade::B,
        Grade::C,
        "督查发现问题整改不力，经党委会研究定为C类",
    ),
];

/// Manual scores and a few grade overrides for `scheme`, given each assessed org's total of
/// its auto scores in tenths (`autos`, in tree order). About `scored_percent` of the orgs
/// are scored on every manual leaf; of the rest, half on some. The scored orgs are ranked
/// by their records: the best fifth is aimed at A, the weakest twentieth at C, the rest at
/// B, each within its band (a total out of reach of the manual points stays where the
/// records put it).
pub fn generate(
    scheme: &Scheme,
    autos: &[(i64, i64)],
    scored_percent: u64,
    seed: u64,
) -> BulkScores {
    let mut rng = Rng::new(seed);
    let mut b = BulkScores::default();
    let leaves: Vec<(i64, i64, &str)> = scheme
        .leaves()
        .filter(|l| l.method == Some(Method::Manual))
        .map(|l| (l.id, (l.points * 10.0).round() as i64, l.name.as_str()))
        .collect();
    let manual_max: i64 = leaves.iter().map(|l| l.1).sum();
    if leaves.is_empty() || autos.is_empty() {
        return b;
    }
    let (a, bb) = (
        (scheme.thresholds.a * 10.0).round() as i64,
        (scheme.thresholds.b * 10.0).round() as i64,
    );
    // best records first (ties: tree order)
    let mut rank: Vec<usize> = (0..autos.len()).collect();
    rank.sort_by_key(|&i| std::cmp::Reverse(autos[i].1));
    let mut place = vec![0usize; autos.len()];
    for (r, &i) in rank.iter().enumerate() {
        place[i] = r;
    }
    let n = autos.len();
    let mut totals = Vec::new();
    for (i, &(org, auto)) in autos.iter().enumerate() {
        let scored = rng.chance(scored_percent);
        let partly = !scored && rng.chance(50);
        if !scored && !partly {
            continue;
        }
        let share = place[i] * 100 / n;
        let target = match share {
            0..=19 => rng.range(a + 5, a + 60),
            95.. => rng.range(bb - 100, bb - 15),
            _ => rng.range(bb + 10, a - 15),
        };
        let want = (target - auto).clamp(0, manual_max);
        // each leaf its share of what is wanted, to half a point, a little jitter
        let mut given: Vec<i64> = leaves
            .iter()
            .map(|&(_, pts, _)| {
                let s = want * pts / manual_max + rng.range(-5, 5);
                (s.clamp(0, pts) + 2) / 5 * 5
            })
            .collect();
        // settle the rounding on the leaves that have room
        let mut rest = (want + 2) / 5 * 5 - given.iter().sum::<i64>();
        for (k, g) in given.iter_mut().enumerate() {
            if rest == 0 {
                break;
            }
            let pts = leaves[k].1;
            let step = rest.clamp(-*g, pts - *g);
            *g += step;
            rest -= step;
        }
        let mut total = auto;
        for (k, &(id, pts, name)) in leaves.iter().enumerate() {
            if partly && rng.chance(50) {
                continue;
            }
            let g = given[k].min(pts);
            total += g;
            let level = if g * 10 >= pts * 9 {
                2
            } else if g * 10 < pts * 6 {
                0
            } else {
                1
            };
            let comment = comments_of(name)
                .filter(|_| level != 1 || rng.chance(40))
                .map(|c| rng.pick(c[level]).to_string());
            b.scores.push((org, id, g, comment));
        }
        if scored {
            totals.push((org, total));
        }
    }
    // a few overrides: orgs near the line between two grades
    let per = (n / 50).clamp(1, 20);
    let m = totals.len();
    for (k, &(from, to, reason)) in OVERRIDES.iter().enumerate() {
        let near = |t: i64| match (from, to) {
            (Grade::B, Grade::A) | (Grade::A, Grade::B) => (t - a).abs() <= 30,
            _ => (t - bb).abs() <= 40,
        };
        let mut taken = 0;
        for &(org, t) in totals.iter().cycle().skip(k * m / 4).take(m) {
            if taken == per {
                break;
            }
            let suggested = scheme.thresholds.grade(t as f64 / 10.0);
            if suggested == from && near(t) && !b.grades.iter().any(|g| g.0 == org) {
                b.grades.push((org, to, Some(reason.to_string())));
                taken += 1;
            }
        }
    }
    b
}

/// Each assessed org's total of its auto scores in tenths (no manual score entered yet), in
/// tree order.
pub async fn auto_totals(
    store: &SqlStore,
    scheme_id: i64,
    today: NaiveDate,
) -> Result<Vec<(i64, i64)>> {
    let f = AssessmentFilter::default();
    let all =
        store::all_pages(|page| store.assessments(&Scope::All, scheme_id, &f, today, page)).await?;
    Ok(all
        .into_iter()
        .map(|a| (a.party_org_id, (a.total * 10.0).round() as i64))
        .collect())
}

/// Who does what in [`load`].
pub struct Actors {
    pub designer: Actor,
    pub scorer: Actor,
    pub grader: Actor,
}

/// A year's scheme, scored; finalized on `finalize_on` when given.
pub async fn load(
    store: &SqlStore,
    who: &Actors,
    year: i32,
    scored_percent: u64,
    today: NaiveDate,
    finalize_on: Option<NaiveDate>,
    seed: u64,
) -> Result<Scheme> {
    let r = store.rules();
    let thresholds = Thresholds {
        a: r.grade_a,
        b: r.grade_b,
    };
    let s = store
        .create_scheme(&who.designer, scheme(year, thresholds)?)
        .await?;
    let on = finalize_on.unwrap_or(today);
    let autos = auto_totals(store, s.id, on).await?;
    let mut b = generate(&s, &autos, scored_percent, seed);
    let grades = std::mem::take(&mut b.grades);
    store.bulk_scores(&who.scorer, s.id, b).await?;
    if !grades.is_empty() {
        let g = BulkScores {
            scores: Vec::new(),
            grades,
        };
        store.bulk_scores(&who.grader, s.id, g).await?;
    }
    match finalize_on {
        Some(on) => Ok(store.finalize_scheme(&who.designer, s.id, on).await?),
        None => Ok(s),
    }
}

/// The January day after `year` a scheme of it is finalized on (not after `today`).
pub fn finalized_on(year: i32, today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(year + 1, 1, 20)
        .unwrap_or(today)
        .min(today)
}

/// `seed --schemes N`: this year's scheme open, the N − 1 years before it finalized.
pub async fn run(store: &SqlStore, n: usize) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let t = std::time::Instant::now();
    let today = crate::demo_reports::today();
    let who = Actors {
        designer: Actor::system("seed"),
        scorer: Actor::system("seed"),
        grader: Actor::system("seed"),
    };
    let this = today.year();
    for (k, year) in (this - n as i32 + 1..=this).enumerate() {
        let open = year == this;
        let on = (!open).then(|| finalized_on(year, today));
        let scored = if open { 90 } else { 100 };
        load(store, &who, year, scored, today, on, 60 + k as u64).await?;
    }
    println!(
        "seeded {n} assessment schemes in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::assessment::SchemeState;
    use store::assessment::Indicator;

    fn stored(year: i32) -> Scheme {
        let t = Thresholds { a: 90.0, b: 75.0 };
        let s = scheme(year, t).expect("valid");
        Scheme {
            id: 1,
            year,
            title: s.title,
            state: SchemeState::Open,
            org_kinds: s.org_kinds,
            thresholds: t,
            indicators: s
                .indicators
                .iter()
                .enumerate()
                .map(|(k, i)| Indicator {
                    id: 100 + k as i64,
                    parent_id: i.parent.map(|p| 100 + p as i64),
                    name: i.name.clone(),
                    points: i.points_tenths as f64 / 10.0,
                    method: i.method,
                    metric: i.metric,
                })
                .collect(),
            finalized_at: None,
        }
    }

    #[test]
    fn the_tree_checks_and_uses_every_metric() {
        let s = stored(2025);
        let metrics: std::collections::HashSet<_> = s.leaves().filter_map(|l| l.metric).collect();
        assert_eq!(metrics.len(), domain::assessment::Metric::CODES.len());
        let manual: f64 = s
            .leaves()
            .filter(|l| l.method == Some(Method::Manual))
            .map(|l| l.points)
            .sum();
        assert_eq!(manual, 40.0);
    }

    #[test]
    fn scores_spread_the_grades_within_the_points() {
        let s = stored(2025);
        let points: std::collections::HashMap<i64, i64> = s
            .leaves()
            .map(|l| (l.id, (l.points * 10.0) as i64))
            .collect();
        // auto totals between 55 and 75 points
        let mut rng = Rng::new(3);
        let autos: Vec<(i64, i64)> = (1..=200).map(|o| (o, rng.range(550, 750))).collect();
        let b = generate(&s, &autos, 90, 7);
        let again = generate(&s, &autos, 90, 7);
        assert_eq!(b.scores, again.scores, "deterministic");
        assert_eq!(b.grades, again.grades, "deterministic");
        for (org, ind, t, _) in &b.scores {
            assert!(*t >= 0 && *t <= points[ind], "{org} {ind} {t}");
            assert_eq!(t % 5, 0, "half points");
        }
        let mut count = std::collections::HashMap::new();
        for &(org, auto) in &autos {
            let mine: Vec<_> = b.scores.iter().filter(|x| x.0 == org).collect();
            if mine.len() < 5 {
                continue;
            }
            let total = auto + mine.iter().map(|x| x.2).sum::<i64>();
            *count
                .entry(s.thresholds.grade(total as f64 / 10.0))
                .or_insert(0) += 1;
        }
        let (a, bb, c) = (count[&Grade::A], count[&Grade::B], count[&Grade::C]);
        assert!(bb > a && a > c && c > 0, "A {a}, B {bb}, C {c}");
        assert!((3..=16).contains(&b.grades.len()), "{:?}", b.grades);
        assert!(b.scores.iter().any(|x| x.3.is_some()));
    }
}

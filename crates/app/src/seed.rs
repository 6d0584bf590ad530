//! Synthetic registries: a fictional city's committee tree and its societies, at any scale,
//! with every kind, sector and coverage form and a share of rule violations. Deterministic.

use anyhow::Result;
use chrono::NaiveDate;
use domain::{Grade, OrgKind, PartyOrgInput, Sector, SocietyInput, SocietyKind};
use store::{Actor, BulkOrg, BulkSociety, Store};

pub const CITY: &str = "云川市";

/// splitmix64: small, fast, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn date(&mut self, from_year: i32, to_year: i32) -> NaiveDate {
        let y = self.range(from_year as i64, to_year as i64) as i32;
        let m = self.range(1, 12) as u32;
        let d = self.range(1, 28) as u32;
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }
}

const FIELDS: [(Sector, &[&str]); 5] = [
    (
        Sector::IntelligentTech,
        &[
            "人工智能",
            "计算机",
            "软件行业",
            "自动化",
            "电子学",
            "通信",
            "大数据",
            "机器人",
            "集成电路",
            "网络安全",
        ],
    ),
    (
        Sector::LifeHealth,
        &[
            "医学",
            "药学",
            "生物医学工程",
            "营养",
            "康复医学",
            "中医药",
            "生物技术",
            "护理",
            "预防医学",
            "心理卫生",
        ],
    ),
    (
        Sector::GreenLowCarbon,
        &[
            "环境科学",
            "新能源",
            "节能",
            "生态",
            "林学",
            "水利",
            "气象",
            "土壤肥料",
            "循环经济",
            "低碳技术",
        ],
    ),
    (
        Sector::Frontier,
        &[
            "物理",
            "化学",
            "数学",
            "力学",
            "光学",
            "材料",
            "量子信息",
            "天文",
            "地理",
            "科学技术史",
        ],
    ),
    (
        Sector::Other,
        &[
            "科普作家",
            "老科技工作者",
            "科技翻译",
            "农学",
            "建筑",
            "汽车工程",
            "图书馆",
            "档案",
            "标准化",
            "质量管理",
        ],
    ),
];
const DISTRICTS: [&str; 12] = [
    "",
    "东城区",
    "西岭区",
    "南湖区",
    "北塘区",
    "江岸区",
    "青山区",
    "云溪区",
    "临川区",
    "望江区",
    "高新区",
    "新港区",
];
const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢",
];
const GIVEN: [&str; 30] = [
    "建国", "海燕", "志强", "晓梅", "立新", "文静", "国华", "春生", "丽娟", "振宇", "秀英", "明辉",
    "佳怡", "卫东", "雪松", "红梅", "德胜", "思远", "宏伟", "玉兰", "学军", "晨曦", "永刚", "静怡",
    "俊杰", "慧敏", "长青", "亚楠", "子涵", "伟",
];

pub fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN))
}

fn society_name(rng: &mut Rng, i: usize, kind: SocietyKind, field: &str) -> String {
    let district = if i < 60 { "" } else { *rng.pick(&DISTRICTS) };
    let suffix = match kind {
        SocietyKind::Society => *rng.pick(&["学会", "协会", "研究会"]),
        SocietyKind::NonEnterprise => *rng.pick(&["科技服务中心", "研究院"]),
        SocietyKind::Foundation => "发展基金会",
    };
    format!("{CITY}{district}{field}{suffix}")
}

#[derive(Clone, Copy, PartialEq)]
enum Cover {
    Own,
    Joint,
    Functional,
    Instructor,
    None,
}

/// Orgs (index 0 is the root committee) and societies referring to them by index.
pub fn generate(n_societies: usize, n_orgs: usize, seed: u64) -> (Vec<BulkOrg>, Vec<BulkSociety>) {
    let mut rng = Rng::new(seed);
    let n_orgs = n_orgs.max(1);
    let n_general = if n_orgs > 3 { (n_orgs / 25).max(1) } else { 0 };
    let n_rest = n_orgs - 1 - n_general;
    // Kinds of the lower orgs: 70% branch, 20% joint, 10% functional (at least one of each when possible).
    let kinds: Vec<OrgKind> = (0..n_rest)
        .map(|i| match (i % 10, i) {
            (_, 0) => OrgKind::Branch,
            (_, 1) => OrgKind::JointBranch,
            (_, 2) => OrgKind::FunctionalBranch,
            (0 | 1, _) => OrgKind::JointBranch,
            (2, _) => OrgKind::FunctionalBranch,
            _ => OrgKind::Branch,
        })
        .collect();

    // Societies: pick coverage so that every lower org covers at least one society when there
    // are enough societies; the rest by shares 60/20/10/4/6.
    let mut names = std::collections::HashSet::new();
    let mut societies = Vec::with_capacity(n_societies);
    let mut firsts: Vec<Option<usize>> = vec![None; n_rest];
    let by_kind = |k: OrgKind| -> Vec<usize> { (0..n_rest).filter(|i| kinds[*i] == k).collect() };
    let (own, joint, func) = (
        by_kind(OrgKind::Branch),
        by_kind(OrgKind::JointBranch),
        by_kind(OrgKind::FunctionalBranch),
    );
    let (mut oi, mut ji, mut fi) = (0usize, 0usize, 0usize);
    for i in 0..n_societies {
        // The first societies go one to each lower org, so that every org covers one.
        let cover = if let Some(kind) = kinds.get(i) {
            match kind {
                OrgKind::JointBranch => Cover::Joint,
                OrgKind::FunctionalBranch => Cover::Functional,
                _ => Cover::Own,
            }
        } else {
            match rng.below(100) {
                0..=59 => Cover::Own,
                60..=79 => Cover::Joint,
                80..=89 => Cover::Functional,
                90..=93 => Cover::Instructor,
                _ => Cover::None,
            }
        };
        let take = |list: &Vec<usize>, idx: &mut usize| -> Option<usize> {
            if list.is_empty() {
                return None;
            }
            let o = list[*idx % list.len()];
            *idx += 1;
            Some(o)
        };
        let org = match cover {
            Cover::Own => take(&own, &mut oi),
            Cover::Joint => take(&joint, &mut ji),
            Cover::Functional => take(&func, &mut fi),
            _ => None,
        };
        let cover =
            if org.is_none() && matches!(cover, Cover::Own | Cover::Joint | Cover::Functional) {
                Cover::None
            } else {
                cover
            };
        let (sector, fields) = rng.pick(&FIELDS);
        let kind = match rng.below(10) {
            0 => SocietyKind::NonEnterprise,
            1 => SocietyKind::Foundation,
            _ => SocietyKind::Society,
        };
        let field = *rng.pick(fields);
        // A clash takes a district prefix (as real registries do), then a number.
        let mut name = society_name(&mut rng, i, kind, field);
        for _ in 0..8 {
            if !names.contains(&name) {
                break;
            }
            name = society_name(&mut rng, usize::MAX, kind, field);
        }
        if names.contains(&name) {
            name = format!("{name}（{}）", i + 1);
        }
        names.insert(name.clone());
        let full = match cover {
            Cover::Own => rng.range(3, 40),
            Cover::Joint => rng.range(0, 4),
            Cover::Functional => rng.range(0, 8),
            Cover::Instructor => rng.range(0, 2),
            Cover::None => rng.range(0, 4),
        };
        if let Some(o) = org {
            firsts[o].get_or_insert(i);
        }
        societies.push(BulkSociety {
            org: org.map(|o| o + 1 + n_general),
            society: SocietyInput {
                name,
                kind,
                sector: *sector,
                full_members: full,
                probationary_members: rng.range(0, 2),
                charter_has_party_building: rng.chance(88),
                instructor: (cover == Cover::Instructor
                    || (cover != Cover::None && rng.chance(20)))
                .then(|| person(&mut rng)),
                party_org_id: None,
            },
        });
    }

    let mut orgs = Vec::with_capacity(n_orgs);
    orgs.push(BulkOrg {
        parent: None,
        org: org_input(
            &mut rng,
            format!("中共{CITY}科技社团委员会"),
            OrgKind::Committee,
            9,
        ),
    });
    for g in 0..n_general {
        let name = format!("{CITY}科技社团第{}联合党总支", g + 1);
        orgs.push(BulkOrg {
            parent: Some(0),
            org: org_input(&mut rng, name, OrgKind::GeneralBranch, 60),
        });
    }
    for (i, kind) in kinds.iter().enumerate() {
        let base = firsts[i]
            .map(|s| societies[s].society.name.clone())
            .unwrap_or_else(|| format!("{CITY}科技社团第{}", i + 1));
        let name = match kind {
            OrgKind::JointBranch => format!("{base}等单位联合党支部"),
            OrgKind::FunctionalBranch => format!("{base}功能型党支部"),
            _ => format!("{base}党支部"),
        };
        let members = match kind {
            OrgKind::JointBranch => rng.range(3, 20),
            _ if rng.chance(3) => rng.range(51, 60),
            _ => rng.range(3, 45),
        };
        let parent = if n_general > 0 && rng.chance(70) {
            1 + rng.below(n_general as u64) as usize
        } else {
            0
        };
        orgs.push(BulkOrg {
            parent: Some(parent),
            org: org_input(&mut rng, name, *kind, members),
        });
    }
    (orgs, societies)
}

fn org_input(rng: &mut Rng, name: String, kind: OrgKind, full: i64) -> PartyOrgInput {
    let established = rng.date(2012, 2024);
    let term_ends = rng.date(2024, 2029);
    PartyOrgInput {
        name,
        kind,
        parent_id: None,
        secretary: Some(person(rng)),
        secretary_joined_on: Some(if rng.chance(4) {
            rng.date(2026, 2026)
        } else {
            rng.date(1985, 2020)
        }),
        secretary_cross_appointed: rng.chance(75),
        established_on: Some(established.min(term_ends)),
        term_ends_on: Some(term_ends),
        full_members: full,
        probationary_members: rng.range(0, 3),
        grade: Some(*rng.pick(&[Grade::A, Grade::A, Grade::B, Grade::B, Grade::B, Grade::C])),
    }
}

pub async fn run(store: &dyn Store, n_societies: usize, n_orgs: usize) -> Result<()> {
    let t = std::time::Instant::now();
    let (orgs, societies) = generate(n_societies, n_orgs, 2023);
    store
        .bulk_load(&Actor::system("seed"), orgs, societies)
        .await?;
    println!(
        "seeded {n_societies} societies and {n_orgs} party orgs in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_every_coverage_form_and_unique_names() {
        let (orgs, socs) = generate(300, 120, 1);
        assert_eq!(orgs.len(), 120);
        assert_eq!(socs.len(), 300);
        let names: std::collections::HashSet<_> = socs.iter().map(|s| &s.society.name).collect();
        assert_eq!(names.len(), 300);
        let org_names: std::collections::HashSet<_> = orgs.iter().map(|o| &o.org.name).collect();
        assert_eq!(org_names.len(), 120);
        for k in [
            OrgKind::Committee,
            OrgKind::GeneralBranch,
            OrgKind::Branch,
            OrgKind::JointBranch,
            OrgKind::FunctionalBranch,
        ] {
            assert!(orgs.iter().any(|o| o.org.kind == k), "{k}");
        }
        assert!(socs
            .iter()
            .any(|s| s.org.is_none() && s.society.instructor.is_some()));
        assert!(socs
            .iter()
            .any(|s| s.org.is_none() && s.society.instructor.is_none()));
        for (i, o) in orgs.iter().enumerate() {
            assert!(o.parent.is_none_or(|p| p < i));
        }
    }
}

//! M6 groundwork: an assessment scheme's indicator tree in points (children summing to
//! their parent, the roots to 100), its leaves scored by hand or from one of the seven
//! metrics of API.md, a rate's score (`points × rate`, full points with nothing to count —
//! 无此项不扣分), and the grade a total suggests under the scheme's thresholds.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::registry::OrgKind;
use crate::{FieldError, FieldErrors, Grade};

code_enum!(
    /// What an auto leaf is computed from, over the org's subtree in the scheme's year.
    Metric {
        CharterRate = "charter_rate",
        ComplianceRate = "compliance_rate",
        TaskRate = "task_rate",
        RectificationRate = "rectification_rate",
        ReportRate = "report_rate",
        TrainingRate = "training_rate",
        CampaignRate = "campaign_rate",
    }
);

code_enum!(
    /// How a leaf is scored.
    Method {
        Manual = "manual",
        Auto = "auto",
    }
);

/// The total that must be reached for A and for B.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Thresholds {
    #[serde(rename = "A")]
    pub a: f64,
    #[serde(rename = "B")]
    pub b: f64,
}

impl Thresholds {
    /// `A` at or above A, `B` at or above B, else `C`.
    pub fn grade(&self, total: f64) -> Grade {
        let total = round1(total);
        if total >= self.a {
            Grade::A
        } else if total >= self.b {
            Grade::B
        } else {
            Grade::C
        }
    }

    /// 0 ≤ B ≤ A ≤ 100.
    pub fn check(&self, errs: &mut FieldErrors) {
        let ok = |x: f64| x.is_finite() && (0.0..=100.0).contains(&x);
        let range = || FieldError::OutOfRange {
            min: Some("0".into()),
            max: Some("100".into()),
        };
        if !ok(self.a) {
            errs.add("thresholds.A", range());
        }
        if !ok(self.b) {
            errs.add("thresholds.B", range());
        } else if ok(self.a) && self.b > self.a {
            errs.add("thresholds.B", FieldError::TooLarge { max: self.a as i64 });
        }
    }
}

/// Scores and points to one decimal.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// An auto leaf's score: `points × numerator / denominator`, full points when there is
/// nothing to count (denominator 0), to one decimal.
pub fn auto_score(points: f64, numerator: i64, denominator: i64) -> f64 {
    if denominator <= 0 {
        return round1(points);
    }
    let rate = (numerator.max(0) as f64 / denominator as f64).min(1.0);
    round1(points * rate)
}

/// One indicator as a request sends it: `id` and `parent_id` are the request's own keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    pub id: Option<i64>,
    pub parent_id: Option<i64>,
    pub name: Option<String>,
    pub points: Option<f64>,
    pub method: Option<String>,
    pub metric: Option<String>,
}

/// A checked indicator: `parent` is the index of its parent in the checked list (parents
/// come before their children), points in tenths.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIndicator {
    pub key: i64,
    pub parent: Option<usize>,
    pub name: String,
    pub points_tenths: i64,
    /// `None` for an inner node.
    pub method: Option<Method>,
    pub metric: Option<Metric>,
}

/// Points as tenths, shown as people write them (`20`, `2.5`).
pub fn points_text(tenths: i64) -> String {
    crate::validate::tenths_text(tenths)
}

/// Most indicators a scheme may have.
pub const INDICATORS_MAX: usize = 200;
/// Deepest an indicator may sit (a root is at depth 1).
pub const DEPTH_MAX: usize = 5;

/// Checks the flat list as a tree: unique keys, known parents, no cycles, at most
/// [`DEPTH_MAX`] deep; points > 0 with at most one decimal; an inner node's points the sum
/// of its children's, the roots' 100; a leaf `manual` or `auto` with a metric, an inner
/// node neither. Errors name `indicators[i].field`. The result lists parents first.
pub fn check_tree(list: &[IndicatorInput]) -> Result<Vec<NewIndicator>, FieldErrors> {
    let mut errs = FieldErrors::new();
    if list.is_empty() {
        errs.add("indicators", FieldError::Required);
        return Err(errs);
    }
    if list.len() > INDICATORS_MAX {
        errs.add(
            "indicators",
            FieldError::TooLong {
                max: INDICATORS_MAX,
            },
        );
        return Err(errs);
    }
    let at = |i: usize, f: &str| format!("indicators[{i}].{f}");
    // keys
    let mut index: HashMap<i64, usize> = HashMap::new();
    for (i, ind) in list.iter().enumerate() {
        match ind.id {
            None => errs.add(&at(i, "id"), FieldError::Required),
            Some(k) => {
                if index.insert(k, i).is_some() {
                    errs.add(&at(i, "id"), FieldError::Conflicts);
                }
            }
        }
    }
    // parents, cycles and depth
    let parent_of = |i: usize| list[i].parent_id.and_then(|p| index.get(&p).copied());
    for (i, ind) in list.iter().enumerate() {
        if let Some(p) = ind.parent_id {
            if !index.contains_key(&p) {
                errs.add(&at(i, "parent_id"), FieldError::NotFound);
                continue;
            }
            let mut depth = 1;
            let mut cur = i;
            while let Some(up) = parent_of(cur) {
                depth += 1;
                if up == i || depth > list.len() {
                    errs.add(&at(i, "parent_id"), FieldError::Cycle);
                    break;
                }
                cur = up;
            }
            if depth > DEPTH_MAX && depth <= list.len() {
                errs.add(
                    &at(i, "parent_id"),
                    FieldError::TooLarge {
                        max: DEPTH_MAX as i64,
                    },
                );
            }
        }
    }
    let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..list.len() {
        if let Some(p) = parent_of(i) {
            children.entry(p).or_default().push(i);
        }
    }
    // names, points, methods
    let mut tenths = vec![0i64; list.len()];
    let mut methods = vec![None; list.len()];
    let mut metrics = vec![None; list.len()];
    for (i, ind) in list.iter().enumerate() {
        match ind.name.as_deref().map(str::trim) {
            None | Some("") => errs.add(&at(i, "name"), FieldError::Required),
            Some(n) if n.chars().count() > 100 => {
                errs.add(&at(i, "name"), FieldError::TooLong { max: 100 })
            }
            _ => {}
        }
        match ind.points {
            None => errs.add(&at(i, "points"), FieldError::Required),
            Some(p) if !p.is_finite() || p <= 0.0 || p > 100.0 => errs.add(
                &at(i, "points"),
                FieldError::OutOfRange {
                    min: Some("0".into()),
                    max: Some("100".into()),
                },
            ),
            Some(p) if ((p * 10.0).round() - p * 10.0).abs() > 1e-6 => {
                errs.add(&at(i, "points"), FieldError::Decimals { max: 1 })
            }
            Some(p) => tenths[i] = (p * 10.0).round() as i64,
        }
        let leaf = !children.contains_key(&i);
        let method = ind.method.as_deref().map(Method::parse);
        let metric = ind.metric.as_deref().map(Metric::parse);
        match (leaf, method) {
            (true, None) => errs.add(&at(i, "method"), FieldError::Required),
            (_, Some(None)) => errs.add(
                &at(i, "method"),
                FieldError::UnknownValue {
                    allowed: Method::CODES.to_vec(),
                },
            ),
            (false, Some(Some(_))) => errs.add(&at(i, "method"), FieldError::Conflicts),
            (true, Some(Some(m))) => methods[i] = Some(m),
            (false, None) => {}
        }
        match (methods[i], metric) {
            (Some(Method::Auto), None) => errs.add(&at(i, "metric"), FieldError::Required),
            (_, Some(None)) => errs.add(
                &at(i, "metric"),
                FieldError::UnknownValue {
                    allowed: Metric::CODES.to_vec(),
                },
            ),
            (Some(Method::Auto), Some(Some(m))) => metrics[i] = Some(m),
            (_, Some(Some(_))) => errs.add(&at(i, "metric"), FieldError::Conflicts),
            _ => {}
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    // sums
    for (&p, kids) in &children {
        let sum: i64 = kids.iter().map(|&k| tenths[k]).sum();
        if sum != tenths[p] {
            errs.add(
                &at(p, "points"),
                FieldError::PointsSum {
                    expected: points_text(sum),
                    actual: points_text(tenths[p]),
                },
            );
        }
    }
    let roots: Vec<usize> = (0..list.len())
        .filter(|&i| parent_of(i).is_none())
        .collect();
    let total: i64 = roots.iter().map(|&r| tenths[r]).sum();
    if total != 1000 {
        errs.add(
            "indicators",
            FieldError::PointsSum {
                expected: "100".into(),
                actual: points_text(total),
            },
        );
    }
    errs.into_result()?;
    // parents first: a depth-first walk from the roots, in the list's order
    let mut order = Vec::with_capacity(list.len());
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some(kids) = children.get(&i) {
            stack.extend(kids.iter().rev());
        }
    }
    let pos: HashMap<usize, usize> = order.iter().enumerate().map(|(n, &i)| (i, n)).collect();
    Ok(order
        .into_iter()
        .map(|i| NewIndicator {
            key: list[i].id.unwrap_or_default(),
            parent: parent_of(i).map(|p| pos[&p]),
            name: list[i].name.as_deref().unwrap_or("").trim().to_string(),
            points_tenths: tenths[i],
            method: methods[i],
            metric: metrics[i],
        })
        .collect())
}

/// Longest scheme title.
pub const TITLE_MAX: usize = 200;
/// Longest comment of a score and reason of a grade.
pub const COMMENT_MAX: usize = 2000;

/// The orgs assessed when a scheme names none: the grassroots kinds.
pub const DEFAULT_ORG_KINDS: [OrgKind; 4] = [
    OrgKind::Branch,
    OrgKind::JointBranch,
    OrgKind::FunctionalBranch,
    OrgKind::GeneralBranch,
];

code_enum!(
    /// A scheme is scored while `open`; `final` freezes it.
    SchemeState {
        Open = "open",
        Final = "final",
    }
);

/// `POST /assessment-schemes` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeInput {
    #[schema(required, minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    /// The kinds of org assessed; default the four grassroots kinds (not `committee`).
    #[schema(value_type = Option<Vec<OrgKind>>)]
    pub org_kinds: Option<Vec<String>>,
    /// Default `{"A": 90, "B": 75}` ([rules] grade thresholds).
    pub thresholds: Option<Thresholds>,
    /// The tree as a flat list; `id`s are the request's own keys for `parent_id` (a stored
    /// indicator's id keeps that indicator, and its scores, in a `PATCH`).
    #[schema(required)]
    pub indicators: Option<Vec<IndicatorInput>>,
}

/// A checked scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScheme {
    pub year: i32,
    pub title: String,
    pub org_kinds: Vec<OrgKind>,
    pub thresholds: Thresholds,
    pub indicators: Vec<NewIndicator>,
}

impl SchemeInput {
    /// `default` supplies the thresholds when none are sent.
    pub fn validate(&self, default: Thresholds) -> Result<NewScheme, FieldErrors> {
        let mut errs = FieldErrors::new();
        let year = match self.year {
            None => {
                errs.add("year", FieldError::Required);
                0
            }
            Some(y) if !(2000..=2100).contains(&y) => {
                errs.add(
                    "year",
                    FieldError::OutOfRange {
                        min: Some("2000".into()),
                        max: Some("2100".into()),
                    },
                );
                0
            }
            Some(y) => y as i32,
        };
        let title = crate::validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        let mut org_kinds = Vec::new();
        match &self.org_kinds {
            None => org_kinds = DEFAULT_ORG_KINDS.to_vec(),
            Some(list) if list.is_empty() => errs.add("org_kinds", FieldError::Required),
            Some(list) => {
                for (i, k) in list.iter().enumerate() {
                    match OrgKind::parse(k) {
                        Some(k) if !org_kinds.contains(&k) => org_kinds.push(k),
                        Some(_) => errs.add(&format!("org_kinds[{i}]"), FieldError::Conflicts),
                        None => errs.add(
                            &format!("org_kinds[{i}]"),
                            FieldError::UnknownValue {
                                allowed: OrgKind::CODES.to_vec(),
                            },
                        ),
                    }
                }
            }
        }
        let thresholds = self.thresholds.unwrap_or(default);
        thresholds.check(&mut errs);
        for (f, v) in [
            ("thresholds.A", thresholds.a),
            ("thresholds.B", thresholds.b),
        ] {
            if v.is_finite() && ((v * 10.0).round() - v * 10.0).abs() > 1e-6 {
                errs.add(f, FieldError::Decimals { max: 1 });
            }
        }
        let indicators = match &self.indicators {
            None => {
                errs.add("indicators", FieldError::Required);
                Vec::new()
            }
            Some(list) => match check_tree(list) {
                Ok(t) => t,
                Err(e) => {
                    errs.extend(e);
                    Vec::new()
                }
            },
        };
        errs.into_result()?;
        Ok(NewScheme {
            year,
            title,
            org_kinds,
            thresholds: Thresholds {
                a: round1(thresholds.a),
                b: round1(thresholds.b),
            },
            indicators,
        })
    }
}

/// `PUT /assessments/{scheme_id}/scores`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    #[schema(required)]
    pub party_org_id: Option<i64>,
    #[schema(required)]
    pub indicator_id: Option<i64>,
    /// In [0, the leaf's points], one decimal; null removes the score (or override).
    pub score: Option<f64>,
    /// Required for an override of an auto leaf.
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// `PUT /assessments/{scheme_id}/grades`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeInput {
    #[schema(required)]
    pub party_org_id: Option<i64>,
    /// Null removes the override.
    #[schema(value_type = Option<Grade>)]
    pub grade: Option<String>,
    /// Required when the grade is not the suggested one.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// A score as entered, checked against its leaf's points (tenths).
pub fn check_score(errs: &mut FieldErrors, score: Option<f64>, points_tenths: i64) -> Option<i64> {
    let s = score?;
    if !s.is_finite() || s < 0.0 || (s * 10.0).round() > points_tenths as f64 {
        errs.add(
            "score",
            FieldError::OutOfRange {
                min: Some("0".into()),
                max: Some(points_text(points_tenths)),
            },
        );
        return None;
    }
    if ((s * 10.0).round() - s * 10.0).abs() > 1e-6 {
        errs.add("score", FieldError::Decimals { max: 1 });
        return None;
    }
    Some((s * 10.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ind(id: i64, parent: Option<i64>, points: f64, method: Option<&str>) -> IndicatorInput {
        IndicatorInput {
            id: Some(id),
            parent_id: parent,
            name: Some(format!("指标{id}")),
            points: Some(points),
            method: method.map(str::to_string),
            metric: (method == Some("auto")).then(|| "compliance_rate".to_string()),
        }
    }

    fn scheme() -> Vec<IndicatorInput> {
        vec![
            ind(1, None, 30.0, None),
            ind(2, Some(1), 20.0, Some("auto")),
            ind(3, Some(1), 10.0, Some("manual")),
            ind(4, None, 70.0, Some("manual")),
        ]
    }

    #[test]
    fn a_tree_whose_points_add_up_is_accepted_parents_first() {
        let mut list = scheme();
        list.swap(0, 2); // a child before its parent in the request
        let t = check_tree(&list).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].key, 1);
        assert_eq!(t[0].method, None);
        assert!(t
            .iter()
            .skip(1)
            .all(|i| i.parent.is_none_or(|p| t[p].key == 1)));
        let auto = t.iter().find(|i| i.key == 2).unwrap();
        assert_eq!(
            (auto.method, auto.metric, auto.points_tenths),
            (Some(Method::Auto), Some(Metric::ComplianceRate), 200)
        );
    }

    #[test]
    fn points_that_do_not_add_up_are_named() {
        let mut list = scheme();
        list[1].points = Some(15.0);
        let e = check_tree(&list).unwrap_err();
        assert_eq!(
            e.0.get("indicators[0].points"),
            Some(&FieldError::PointsSum {
                expected: "25".into(),
                actual: "30".into()
            })
        );
        let mut list = scheme();
        list[3].points = Some(60.5);
        let e = check_tree(&list).unwrap_err();
        assert_eq!(
            e.0.get("indicators"),
            Some(&FieldError::PointsSum {
                expected: "100".into(),
                actual: "90.5".into()
            })
        );
    }

    #[test]
    fn bad_trees_name_the_indicator_and_field() {
        let mut list = scheme();
        list[2].parent_id = Some(9);
        list[3].method = Some("auto".into());
        list[3].metric = None;
        list[0].method = Some("manual".into());
        list[1].points = Some(0.25);
        let e = check_tree(&list).unwrap_err();
        assert_eq!(
            e.0.get("indicators[2].parent_id"),
            Some(&FieldError::NotFound)
        );
        assert_eq!(e.0.get("indicators[3].metric"), Some(&FieldError::Required));
        assert_eq!(
            e.0.get("indicators[0].method"),
            Some(&FieldError::Conflicts)
        );
        assert_eq!(
            e.0.get("indicators[1].points"),
            Some(&FieldError::Decimals { max: 1 })
        );
        // a cycle, a duplicate key, an unknown metric
        let mut list = scheme();
        list[0].parent_id = Some(2);
        let e = check_tree(&list).unwrap_err();
        assert!(e.0.values().any(|v| *v == FieldError::Cycle), "{e:?}");
        let mut list = scheme();
        list[3].id = Some(1);
        assert_eq!(
            check_tree(&list).unwrap_err().0.get("indicators[3].id"),
            Some(&FieldError::Conflicts)
        );
        let mut list = scheme();
        list[1].metric = Some("speech_rating".into());
        assert!(matches!(
            check_tree(&list).unwrap_err().0.get("indicators[1].metric"),
            Some(FieldError::UnknownValue { .. })
        ));
        assert!(check_tree(&[]).is_err());
    }

    #[test]
    fn scores_and_grades() {
        assert_eq!(auto_score(20.0, 3, 4), 15.0);
        assert_eq!(
            auto_score(20.0, 0, 0),
            20.0,
            "nothing to count: full points"
        );
        assert_eq!(auto_score(10.0, 1, 3), 3.3);
        let t = Thresholds { a: 90.0, b: 75.0 };
        assert_eq!(t.grade(90.0), Grade::A);
        assert_eq!(
            t.grade(89.96),
            Grade::A,
            "the total as shown, to one decimal"
        );
        assert_eq!(t.grade(89.9), Grade::B);
        assert_eq!(t.grade(75.0), Grade::B);
        assert_eq!(t.grade(74.9), Grade::C);
        let mut errs = FieldErrors::new();
        Thresholds { a: 70.0, b: 75.0 }.check(&mut errs);
        assert!(errs.0.contains_key("thresholds.B"));
    }

    proptest! {
        /// A met record never lowers a score: more met of the same denominator, or one more
        /// met record counted in both, never scores less; the score stays within the points.
        #[test]
        fn adding_a_met_record_never_lowers_a_score(
            points in 1i64..=1000, met in 0i64..500, extra in 0i64..500
        ) {
            let p = points as f64 / 10.0;
            let den = met + extra;
            let s = auto_score(p, met, den);
            prop_assert!((0.0..=p + 1e-9).contains(&s));
            prop_assert!(auto_score(p, met + 1, den + 1) >= s);
            if extra > 0 {
                prop_assert!(auto_score(p, met + 1, den) >= s);
            }
        }
    }
}

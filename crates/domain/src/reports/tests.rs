use super::*;
use proptest::prelude::*;
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    validate::parse_date(s).unwrap()
}

fn form(v: Value) -> Result<NewForm, FieldErrors> {
    serde_json::from_value::<FormInput>(v).unwrap().validate()
}

fn quarterly() -> NewForm {
    form(json!({
        "title": "“双高”项目季报", "period": "quarter", "due_days": 10,
        "applies_to": "funded_projects", "programme": "double_high",
        "active_from": "2023-01-01",
        "fields": [
            {"key": "progress", "label": "进展情况", "type": "text", "required": true},
            {"key": "spent", "label": "本季度支出（元）", "type": "number", "required": true, "min": 0},
            {"key": "events", "label": "开展活动次数", "type": "integer", "min": 0, "max": 100},
            {"key": "status", "label": "完成程度", "type": "choice", "required": true,
             "choices": ["按计划推进", "滞后"]},
            {"key": "evidence", "label": "佐证材料", "type": "file"}
        ]
    }))
    .unwrap()
}

#[test]
fn period_codes_and_half_years() {
    let h1 = Period::parse("2023-H1").unwrap();
    assert_eq!(h1.kind, PeriodKind::HalfYear);
    assert_eq!(
        (h1.first_day(), h1.last_day()),
        (d("2023-01-01"), d("2023-06-30"))
    );
    let h2 = Period::parse("2023-H2").unwrap();
    assert_eq!(
        (h2.first_day(), h2.last_day()),
        (d("2023-07-01"), d("2023-12-31"))
    );
    assert_eq!(
        Period::containing(PeriodKind::HalfYear, d("2023-07-01")),
        h2
    );
    assert_eq!(next_period(h2).label(), "2024-H1");
    for bad in [
        "2023-H3", "2023-H0", "2023-Q5", "2023-13", "2023-1", "+202", "2023-Q", "23-01",
    ] {
        assert!(Period::parse(bad).is_none(), "{bad}");
    }
    assert!(parse_period(PeriodKind::Quarter, "2023-03").is_none());
    assert_eq!(
        parse_period(PeriodKind::Month, "2024-02")
            .unwrap()
            .last_day(),
        d("2024-02-29")
    );
}

#[test]
fn deadlines_cross_the_year_end() {
    let f = quarterly();
    let q4 = Period::parse("2023-Q4").unwrap();
    assert_eq!(f.due_on(&q4), d("2024-01-10"));
    let dec = Period::parse("2023-12").unwrap();
    assert_eq!(due_on(&dec, 31), d("2024-01-31"));
    assert_eq!(
        due_on(&Period::parse("2024-02").unwrap(), 0),
        d("2024-02-29")
    );
}

#[test]
fn expected_periods_begin_inside_the_active_range() {
    let mut f = quarterly();
    let labels = |f: &NewForm, today| {
        f.periods(d(today))
            .iter()
            .map(Period::label)
            .collect::<Vec<_>>()
    };
    // begun periods only, latest first
    assert_eq!(labels(&f, "2023-07-01"), ["2023-Q3", "2023-Q2", "2023-Q1"]);
    assert_eq!(labels(&f, "2023-06-30"), ["2023-Q2", "2023-Q1"]);
    // a form active from mid-quarter starts with the next quarter
    f.active_from = d("2023-02-15");
    assert_eq!(labels(&f, "2023-07-01"), ["2023-Q3", "2023-Q2"]);
    // an end day inside a period keeps that period (its first day is inside)
    f.active_to = Some(d("2023-04-01"));
    assert_eq!(labels(&f, "2024-07-01"), ["2023-Q2"]);
    f.active_to = Some(d("2023-03-31"));
    assert!(labels(&f, "2024-07-01").is_empty());
    // not begun yet
    f.active_from = d("2030-01-01");
    f.active_to = None;
    assert!(labels(&f, "2024-07-01").is_empty());
}

#[test]
fn form_validation_names_each_field() {
    let e = form(json!({
        "title": " ", "period": "week", "applies_to": "funded_projects",
        "active_from": "2023-02-30", "due_days": -1,
        "fields": [
            {"key": "a", "label": "A", "type": "number", "min": 5, "max": 1},
            {"key": "a", "label": "B", "type": "text"},
            {"key": "Bad-Key", "label": "C", "type": "choice"},
            {"key": "t", "label": "D", "type": "text", "min": 1},
            {"key": "x", "label": "E", "type": "date"}
        ]
    }))
    .unwrap_err();
    for f in [
        "title",
        "period",
        "programme",
        "active_from",
        "due_days",
        "fields[0].max",
        "fields[1].key",
        "fields[2].key",
        "fields[2].choices",
        "fields[3].min",
        "fields[4].type",
    ] {
        assert!(e.0.contains_key(f), "{f}: {e:?}");
    }
    // respondents: kinds or ids, not both; a programme only for projects
    let e = form(
        json!({"title": "t", "period": "month", "applies_to": "party_orgs",
        "org_kinds": ["branch"], "party_org_ids": [1], "programme": "x",
        "active_from": "2023-01-01", "fields": [{"key": "a", "label": "A", "type": "text"}]}),
    )
    .unwrap_err();
    assert!(e.0.contains_key("party_org_ids") && e.0.contains_key("programme"));
    let ok = form(
        json!({"title": "t", "period": "half_year", "applies_to": "party_orgs",
        "org_kinds": ["branch", "branch"], "active_from": "2023-01-01",
        "fields": [{"key": "a", "label": "A", "type": "text"}]}),
    )
    .unwrap();
    assert_eq!(ok.respondents, Respondents::OrgKinds(vec![OrgKind::Branch]));
    assert_eq!(ok.due_days, 10);
    // the form round-trips through its input
    let f = quarterly();
    assert_eq!(f.input().validate().unwrap(), f);
}

#[test]
fn breaking_changes_are_removing_or_retyping() {
    let f = quarterly();
    let mut g = f.clone();
    g.fields[0].label = "进展".into();
    g.fields.push(FieldDef {
        key: "more".into(),
        label: "M".into(),
        kind: FieldType::Text,
        required: false,
        min: None,
        max: None,
        choices: None,
        unit: None,
    });
    assert_eq!(f.breaking_change(&g), None);
    g.fields[1].kind = FieldType::Integer;
    assert_eq!(f.breaking_change(&g).as_deref(), Some("spent"));
    let mut h = f.clone();
    h.fields.remove(4);
    assert_eq!(f.breaking_change(&h).as_deref(), Some("evidence"));
}

#[test]
fn values_by_type_and_bound() {
    let f = quarterly();
    let check = |v: Value| check_values(&f.fields, v.as_object().unwrap());
    let ok = check(json!({"progress": " 完成 ", "spent": 12.5, "events": 3,
        "status": "滞后", "evidence": 9}))
    .unwrap();
    assert_eq!(ok["progress"], json!("完成"));
    assert_eq!(ok["spent"], json!(12.5));
    // null and empty text clear
    assert!(check(json!({"progress": "", "spent": null}))
        .unwrap()
        .is_empty());
    let e = check(
        json!({"nope": 1, "spent": -1, "events": 2.5, "status": "超前",
        "progress": 5, "evidence": "x.pdf"}),
    )
    .unwrap_err();
    assert_eq!(e.0["values.nope"], FieldError::UnknownField);
    assert!(matches!(e.0["values.spent"], FieldError::OutOfRange { .. }));
    assert!(matches!(e.0["values.events"], FieldError::WrongType { .. }));
    assert!(matches!(
        e.0["values.status"],
        FieldError::NotAChoice { .. }
    ));
    assert!(matches!(
        e.0["values.progress"],
        FieldError::WrongType { .. }
    ));
    assert!(matches!(
        e.0["values.evidence"],
        FieldError::WrongType { .. }
    ));
    assert!(check(json!({"events": 101})).is_err());
    assert!(check(json!({"events": 100})).is_ok());
    // required at submit
    let missing = missing_required(&f.fields, &ok);
    assert!(missing.is_empty());
    let missing = missing_required(&f.fields, &Map::new());
    assert_eq!(
        missing.0.keys().cloned().collect::<Vec<_>>(),
        ["values.progress", "values.spent", "values.status"]
    );
}

fn value_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::from),
        prop_oneof![Just("按计划推进"), Just("滞后")].prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Whatever comes in, the validator answers (never panics), and what it accepts is
    /// accepted again unchanged (a stored value round-trips).
    #[test]
    fn the_validator_never_panics_and_round_trips(
        entries in prop::collection::btree_map(
            prop_oneof![Just("progress".to_string()), Just("spent".to_string()),
                        Just("events".to_string()), Just("status".to_string()),
                        Just("evidence".to_string()), "[a-z]{1,8}"],
            value_strategy(), 0..6)
    ) {
        let f = quarterly();
        let values: Map<String, Value> = entries.into_iter().collect();
        if let Ok(ok) = check_values(&f.fields, &values) {
            let again = check_values(&f.fields, &ok).unwrap();
            prop_assert_eq!(&again, &ok);
            let text = serde_json::to_string(&ok).unwrap();
            let back: Map<String, Value> = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(check_values(&f.fields, &back).unwrap(), ok);
        }
    }

    /// The figures equal a row-by-row count.
    #[test]
    fn figures_equal_a_row_by_row_reference(
        rows in prop::collection::vec((0usize..5, 0i64..60, prop::option::of(0i64..90)), 0..40),
        today_off in 0i64..120,
    ) {
        let base = d("2024-01-01");
        let today = base + chrono::Duration::days(today_off);
        let items: Vec<Expected> = rows.iter().map(|(s, due, first)| {
            let state = SubmissionState::ALL[*s];
            // a stored, answered state has a first submission; not started and draft may not
            let first = match state {
                SubmissionState::NotStarted => None,
                SubmissionState::Draft => *first,
                _ => Some(first.unwrap_or(0)),
            };
            Expected {
                state,
                due_on: base + chrono::Duration::days(*due),
                first_submitted_on: first.map(|f| base + chrono::Duration::days(f)),
            }
        }).collect();
        let s = ReportStats::of(items.iter().copied(), today);
        let n = items.len() as i64;
        let submitted = items.iter().filter(|e| e.first_submitted_on.is_some()).count() as i64;
        let on_time = items.iter().filter(|e| e.first_submitted_on.is_some_and(|f| f <= e.due_on)).count() as i64;
        let late = items.iter().filter(|e| match e.first_submitted_on {
            Some(f) => f > e.due_on,
            None => today > e.due_on,
        }).count() as i64;
        prop_assert_eq!(s.expected, n);
        prop_assert_eq!(s.submitted, submitted);
        prop_assert_eq!(s.missing, n - submitted);
        prop_assert_eq!(s.on_time, on_time);
        prop_assert_eq!(s.late, late);
        prop_assert_eq!(s.accepted, items.iter().filter(|e| e.state == SubmissionState::Accepted).count() as i64);
        if n == 0 {
            prop_assert_eq!(s.completeness_rate, 0.0);
        } else {
            prop_assert!((s.completeness_rate - submitted as f64 / n as f64).abs() < 1e-4);
            prop_assert!((s.timeliness_rate - on_time as f64 / n as f64).abs() < 1e-4);
        }
    }

    /// Amounts with at most two decimals are kept exactly.
    #[test]
    fn amounts_are_kept_to_the_fen(fen_in in 0i64..100_000_000_000) {
        let x = fen_in as f64 / 100.0;
        let mut errs = FieldErrors::new();
        prop_assert_eq!(fen(&mut errs, "a", Some(x), false), Some(fen_in));
        prop_assert_eq!(yuan(fen_in), x);
    }
}

#[test]
fn amounts_and_rates() {
    let mut errs = FieldErrors::new();
    assert_eq!(fen(&mut errs, "a", Some(86000.5), false), Some(8_600_050));
    assert_eq!(fen(&mut errs, "b", Some(0.125), false), None);
    assert_eq!(fen(&mut errs, "c", Some(0.0), true), None);
    assert_eq!(fen(&mut errs, "d", Some(-1.0), false), None);
    assert_eq!(errs.0["b"], FieldError::Decimals { max: 2 });
    assert_eq!(execution_rate(8_600_050, 20_000_000), 0.43);
    assert_eq!(execution_rate(5, 0), 0.0);
    let ind = |t, a| Indicator {
        name: "x".into(),
        unit: None,
        target: t,
        actual: a,
    };
    assert_eq!(achievement_rate(&[]), None);
    assert_eq!(
        achievement_rate(&[ind(4.0, Some(3.0)), ind(2.0, Some(5.0)), ind(1.0, None)]),
        Some(round4((0.75 + 1.0 + 0.0) / 3.0))
    );
}

#[test]
fn expenditures_and_projects() {
    let today = d("2024-05-01");
    let e = ExpenditureInput {
        spent_on: Some("2024-05-02".into()),
        amount: Some(0.0),
        purpose: None,
    }
    .validate(today)
    .unwrap_err();
    assert_eq!(e.0.len(), 3);
    let p = ProjectInput {
        programme: Some("double_high".into()),
        title: Some("学术品牌建设".into()),
        society_id: Some(31),
        year: Some(2023),
        budget: Some(200000.0),
        indicators: Some(vec![IndicatorInput {
            name: Some("举办学术会议".into()),
            unit: Some("场".into()),
            target: Some(4.0),
            actual: Some(3.0),
        }]),
    }
    .validate()
    .unwrap();
    assert_eq!(p.budget_fen, 20_000_000);
    assert_eq!(p.input().validate().unwrap(), p);
}

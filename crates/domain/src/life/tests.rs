use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    validate::parse_date(s).unwrap()
}

fn ob(id: i64, kind: ActivityKind, period: PeriodKind) -> Obligation {
    Obligation {
        id,
        kind,
        period,
        min_count: 1,
        org_kinds: vec![OrgKind::Branch],
        min_full_members: None,
        active_from: None,
    }
}

fn branch(id: i64, established_on: Option<&str>) -> OrgFacts {
    OrgFacts {
        id,
        kind: OrgKind::Branch,
        full_members: 5,
        established_on: established_on.map(d),
    }
}

#[test]
fn period_boundaries() {
    let q1 = Period::containing(PeriodKind::Quarter, d("2023-03-31"));
    assert_eq!(q1.label(), "2023-Q1");
    assert_eq!(q1.first_day(), d("2023-01-01"));
    assert_eq!(q1.last_day(), d("2023-03-31"));
    let q2 = Period::containing(PeriodKind::Quarter, d("2023-04-01"));
    assert_eq!(q2.label(), "2023-Q2");
    assert_eq!(q2.last_day(), d("2023-06-30"));
    let dec = Period::containing(PeriodKind::Month, d("2023-12-31"));
    assert_eq!(dec.label(), "2023-12");
    assert_eq!(dec.last_day(), d("2023-12-31"));
    let y = Period::containing(PeriodKind::Year, d("2023-07-09"));
    assert_eq!(
        (y.label().as_str(), y.first_day(), y.last_day()),
        ("2023", d("2023-01-01"), d("2023-12-31"))
    );
    assert_eq!(Period::of_year(PeriodKind::Month, 2023).count(), 12);
    assert_eq!(Period::of_year(PeriodKind::Quarter, 2023).count(), 4);
}

#[test]
fn leap_years() {
    let feb24 = Period::containing(PeriodKind::Month, d("2024-02-10"));
    assert_eq!(feb24.last_day(), d("2024-02-29"));
    let feb23 = Period::containing(PeriodKind::Month, d("2023-02-10"));
    assert_eq!(feb23.last_day(), d("2023-02-28"));
    let feb00 = Period::containing(PeriodKind::Month, d("2000-02-01"));
    assert_eq!(feb00.last_day(), d("2000-02-29"));
    let feb1900 = Period::containing(PeriodKind::Month, d("2100-02-01"));
    assert_eq!(feb1900.last_day(), d("2100-02-28"));
    assert_eq!(feb24.days_left(d("2024-02-28")), 1);
}

#[test]
fn labels_round_trip_and_reject_garbage() {
    for kind in PeriodKind::ALL {
        for p in Period::of_year(*kind, 2023) {
            assert_eq!(Period::parse(&p.label()), Some(p));
        }
    }
    for bad in [
        "", "2023-13", "2023-Q5", "2023-Q0", "23-01", "2023-1", "2023-00", "abcd", "2023-Qx",
    ] {
        assert_eq!(Period::parse(bad), None, "{bad}");
    }
}

#[test]
fn statuses_against_today() {
    let mar = Period::containing(PeriodKind::Month, d("2023-03-01"));
    // Over and short → missed; over and done → met.
    assert_eq!(status(&mar, 1, 0, d("2023-04-01")), Status::Missed);
    assert_eq!(status(&mar, 1, 1, d("2023-04-01")), Status::Met);
    // Current and short → due, also on the last day.
    assert_eq!(status(&mar, 1, 0, d("2023-03-01")), Status::Due);
    assert_eq!(status(&mar, 1, 0, d("2023-03-31")), Status::Due);
    // Current and done → met at once.
    assert_eq!(status(&mar, 1, 1, d("2023-03-02")), Status::Met);
    // Not started → upcoming.
    assert_eq!(status(&mar, 1, 0, d("2023-02-28")), Status::Upcoming);
    assert_eq!(status(&mar, 2, 1, d("2023-04-01")), Status::Missed);
}

#[test]
fn org_established_mid_period_counts_from_the_next_period() {
    let obs = [
        ob(1, ActivityKind::ThemeDay, PeriodKind::Month),
        ob(2, ActivityKind::MemberMeeting, PeriodKind::Quarter),
        ob(3, ActivityKind::OrgLifeMeeting, PeriodKind::Year),
    ];
    let org = branch(7, Some("2023-05-15"));
    let items = compliance(2023, &[org], &obs, &MonthCounts::default(), d("2024-01-10"));
    let months: Vec<_> = items
        .iter()
        .filter(|i| i.obligation_id == 1)
        .map(|i| i.period.as_str())
        .collect();
    assert_eq!(
        months,
        ["2023-06", "2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12"]
    );
    let quarters: Vec<_> = items
        .iter()
        .filter(|i| i.obligation_id == 2)
        .map(|i| i.period.as_str())
        .collect();
    assert_eq!(quarters, ["2023-Q3", "2023-Q4"]);
    // The year started before the org existed: it does not count.
    assert!(items.iter().all(|i| i.obligation_id != 3));
    // Established on the first day of a period: that period counts.
    let org = branch(8, Some("2023-04-01"));
    let items = compliance(2023, &[org], &obs, &MonthCounts::default(), d("2024-01-10"));
    assert!(items.iter().any(|i| i.period == "2023-Q2"));
    assert!(items.iter().any(|i| i.period == "2023-04"));
    assert!(!items.iter().any(|i| i.period == "2023-03"));
}

#[test]
fn a_year_not_yet_over() {
    let obs = [
        ob(1, ActivityKind::ThemeDay, PeriodKind::Month),
        ob(2, ActivityKind::OrgLifeMeeting, PeriodKind::Year),
    ];
    let mut counts = MonthCounts::default();
    counts.add(1, ActivityKind::ThemeDay, 1, 1);
    counts.add(1, ActivityKind::ThemeDay, 3, 2);
    let items = compliance(2023, &[branch(1, None)], &obs, &counts, d("2023-04-10"));
    let st: Vec<_> = items
        .iter()
        .filter(|i| i.obligation_id == 1)
        .map(|i| i.status)
        .collect();
    assert_eq!(st[0], Status::Met);
    assert_eq!(st[1], Status::Missed);
    assert_eq!(st[2], Status::Met);
    assert_eq!(st[3], Status::Due);
    assert!(st[4..].iter().all(|s| *s == Status::Upcoming));
    let year = items.iter().find(|i| i.obligation_id == 2).unwrap();
    assert_eq!((year.status, year.period.as_str()), (Status::Due, "2023"));
    let s = Summary::of(&items);
    assert_eq!((s.met, s.missed, s.due, s.upcoming), (2, 1, 2, 8));
    assert_eq!(s.rate, Some(2.0 / 3.0));
    assert_eq!(Summary::of(&[]).rate, None);
}

#[test]
fn digests_keep_the_first_unmet_items_and_the_totals() {
    let obs = [ob(1, ActivityKind::ThemeDay, PeriodKind::Month)];
    let orgs: Vec<OrgFacts> = (1..=5).map(|id| branch(id, None)).collect();
    let mut counts = MonthCounts::default();
    counts.add(3, ActivityKind::ThemeDay, 4, 1);
    let items = compliance(2023, &orgs, &obs, &counts, d("2023-04-10"));
    let dg = Digest::of(&items, None, 2);
    // April: four orgs due (org 3 met); January to March: 15 missed.
    assert_eq!((dg.due_total, dg.missed_total), (4, 15));
    assert_eq!(
        dg.due.iter().map(|i| i.party_org_id).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(
        dg.missed.iter().all(|i| i.period == "2023-03"),
        "latest first"
    );
    assert_eq!(dg.summary, Summary::of(&items));
    let recent = Digest::of(&items, Some(d("2023-03-01")), 50);
    assert_eq!(
        recent.missed_total, 5,
        "only March's misses end on or after March 1st"
    );
}

#[test]
fn rules_bind_by_kind_members_and_active_from() {
    let mut committee = ob(1, ActivityKind::CommitteeMeeting, PeriodKind::Month);
    committee.min_full_members = Some(7);
    let small = OrgFacts {
        full_members: 6,
        ..branch(1, None)
    };
    let big = OrgFacts {
        full_members: 7,
        ..branch(2, None)
    };
    let root = OrgFacts {
        kind: OrgKind::Committee,
        ..branch(3, None)
    };
    let items = compliance(
        2023,
        &[small, big, root],
        &[committee],
        &MonthCounts::default(),
        d("2024-01-01"),
    );
    assert!(items.iter().all(|i| i.party_org_id == 2));
    assert_eq!(items.len(), 12);
    let mut late = ob(2, ActivityKind::ThemeDay, PeriodKind::Quarter);
    late.active_from = Some(d("2023-05-01"));
    let items = compliance(
        2023,
        &[branch(1, None)],
        &[late],
        &MonthCounts::default(),
        d("2024-01-01"),
    );
    assert_eq!(
        items.iter().map(|i| i.period.as_str()).collect::<Vec<_>>(),
        ["2023-Q3", "2023-Q4"]
    );
    let off = Obligation {
        org_kinds: vec![],
        ..ob(3, ActivityKind::GroupMeeting, PeriodKind::Month)
    };
    assert!(compliance(
        2023,
        &[branch(1, None)],
        &[off],
        &MonthCounts::default(),
        d("2024-01-01")
    )
    .is_empty());
}

#[test]
fn defaults_cover_the_product_table() {
    let all = default_obligations(7);
    let find = |k| all.iter().find(|o| o.kind == k).unwrap();
    assert_eq!(
        find(ActivityKind::MemberMeeting).period,
        PeriodKind::Quarter
    );
    assert_eq!(
        find(ActivityKind::CommitteeMeeting).min_full_members,
        Some(7)
    );
    assert_eq!(find(ActivityKind::ThemeDay).period, PeriodKind::Month);
    assert_eq!(find(ActivityKind::OrgLifeMeeting).period, PeriodKind::Year);
    assert_eq!(
        find(ActivityKind::CommitteeSession).org_kinds,
        vec![OrgKind::Committee]
    );
    assert_eq!(find(ActivityKind::WorkConference).period, PeriodKind::Year);
    assert!(all
        .iter()
        .all(|o| o.active_from.is_none() && o.min_count == 1));
    assert_eq!(all.len(), ActivityKind::ALL.len());
}

#[test]
fn activity_patch_validates() {
    let today = d("2023-06-01");
    let p: ActivityPatch = serde_json::from_value(serde_json::json!({
        "party_org_id": 3, "kind": "theme_day", "held_on": "2023-06-02", "topic": " ",
        "attendees_expected": 10, "attendees_present": 11
    }))
    .unwrap();
    let e = p.apply(None, today).unwrap_err();
    assert_eq!(e.0.get("held_on"), Some(&FieldError::InFuture));
    assert_eq!(e.0.get("topic"), Some(&FieldError::Required));
    assert_eq!(
        e.0.get("attendees_present"),
        Some(&FieldError::TooLarge { max: 10 })
    );
    let p: ActivityPatch = serde_json::from_value(serde_json::json!({"kind": "picnic"})).unwrap();
    let e = p.apply(None, today).unwrap_err();
    assert!(matches!(
        e.0.get("kind"),
        Some(FieldError::UnknownValue { .. })
    ));
    assert_eq!(e.0.get("party_org_id"), Some(&FieldError::Required));
    assert_eq!(e.0.get("held_on"), Some(&FieldError::Required));
    let ok: ActivityPatch = serde_json::from_value(serde_json::json!({
        "party_org_id": 3, "kind": "theme_day", "held_on": "2023-06-01", "topic": "学习",
        "first_agenda": true, "attendees_expected": 10, "attendees_present": 10
    }))
    .unwrap();
    let a = ok.apply(None, today).unwrap();
    assert_eq!(a.first_agenda, Some(FirstAgenda::Held(true)));
    // A patch of one field keeps the rest; lowering expected below present is caught.
    let p: ActivityPatch =
        serde_json::from_value(serde_json::json!({"attendees_expected": 9})).unwrap();
    assert!(p
        .apply(Some(&a), today)
        .unwrap_err()
        .0
        .contains_key("attendees_present"));
    let p: ActivityPatch =
        serde_json::from_value(serde_json::json!({"notes": null, "first_agenda": "学习贯彻"}))
            .unwrap();
    let b = p.apply(Some(&a), today).unwrap();
    assert_eq!(b.first_agenda, Some(FirstAgenda::Text("学习贯彻".into())));
    assert_eq!(b.topic, "学习");
    assert!(serde_json::from_value::<ActivityPatch>(serde_json::json!({"colour": 1})).is_err());
}

#[test]
fn first_agenda_round_trips_through_the_database_form() {
    for v in [
        FirstAgenda::Held(true),
        FirstAgenda::Held(false),
        FirstAgenda::Text("true".into()),
        FirstAgenda::Text(":x".into()),
    ] {
        assert_eq!(FirstAgenda::from_db(&v.to_db()), v);
    }
}

#[test]
fn heat_map_folds_items_by_org_month_and_kind() {
    let obs = [
        ob(1, ActivityKind::ThemeDay, PeriodKind::Month),
        ob(2, ActivityKind::MemberMeeting, PeriodKind::Quarter),
    ];
    let mut counts = MonthCounts::default();
    counts.add(7, ActivityKind::ThemeDay, 1, 1);
    counts.add(7, ActivityKind::MemberMeeting, 2, 1);
    let items = compliance(
        2023,
        &[branch(7, None), branch(8, None)],
        &obs,
        &counts,
        d("2023-04-10"),
    );
    let h = HeatMap::of(&items);
    assert_eq!(h.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [7, 8]);
    // March holds its month and the first quarter.
    assert_eq!(
        h.rows[0].1[2],
        Cell {
            met: 1,
            missed: 1,
            due: 0,
            upcoming: 0
        }
    );
    assert_eq!(
        h.rows[1].1[0],
        Cell {
            met: 0,
            missed: 1,
            due: 0,
            upcoming: 0
        }
    );
    assert_eq!(
        h.by_kind,
        [
            (ActivityKind::MemberMeeting, 1, 1),
            (ActivityKind::ThemeDay, 1, 5)
        ]
    );
    assert_eq!(h.summary, Summary::of(&items));
    // The columns summed over the orgs: January holds 7's met theme day and 8's miss; March
    // both orgs' theme days (missed) and quarters (7 met); April is still due.
    let months = h.by_month();
    assert_eq!(months[..4], [(1, 1), (0, 2), (1, 3), (0, 0)]);
    assert!(months[4..].iter().all(|m| *m == (0, 0)));
    assert_eq!(h.missed().collect::<Vec<_>>(), [(7, 2), (8, 4)]);
}

#[test]
fn heat_cells() {
    assert_eq!(end_month("2023-Q2"), Some(6));
    assert_eq!(end_month("2023"), Some(12));
    assert_eq!(end_month("2023-04"), Some(4));
    let mut c = Cell::default();
    assert_eq!(c.status(), None);
    c.add(Status::Met);
    assert_eq!(c.status(), Some(Status::Met));
    c.add(Status::Due);
    assert_eq!(c.status(), Some(Status::Due));
    c.add(Status::Missed);
    assert_eq!(c.status(), Some(Status::Missed));
}

fn arb_date() -> impl Strategy<Value = NaiveDate> {
    (2020i32..2027, 1u32..=12, 1u32..=31).prop_map(|(y, m, dd)| {
        NaiveDate::from_ymd_opt(y, m, dd)
            .or_else(|| NaiveDate::from_ymd_opt(y, m, 28))
            .unwrap()
    })
}

proptest! {
    #[test]
    fn containing_period_contains_the_day(day in arb_date()) {
        for kind in PeriodKind::ALL {
            let p = Period::containing(*kind, day);
            prop_assert!(p.first_day() <= day && day <= p.last_day());
            prop_assert!(p.days_left(day) >= 0);
        }
    }

    /// Adding a record never lowers `done` nor turns a met period into anything else;
    /// statuses agree with counts and dates.
    #[test]
    fn adding_a_record_never_lowers_done(
        records in proptest::collection::vec((0usize..3, 1u32..=12), 0..40),
        extra in (0usize..3, 1u32..=12),
        today in arb_date(),
        established in proptest::option::of(arb_date()),
    ) {
        let kinds = [ActivityKind::ThemeDay, ActivityKind::MemberMeeting, ActivityKind::OrgLifeMeeting];
        let obs = [
            ob(1, kinds[0], PeriodKind::Month),
            Obligation { min_count: 2, ..ob(2, kinds[1], PeriodKind::Quarter) },
            ob(3, kinds[2], PeriodKind::Year),
        ];
        let org = OrgFacts { established_on: established, ..branch(1, None) };
        let mut counts = MonthCounts::default();
        for (k, m) in &records {
            counts.add(1, kinds[*k], *m, 1);
        }
        let before = compliance(2023, std::slice::from_ref(&org), &obs, &counts, today);
        counts.add(1, kinds[extra.0], extra.1, 1);
        let after = compliance(2023, std::slice::from_ref(&org), &obs, &counts, today);
        prop_assert_eq!(before.len(), after.len());
        for (b, a) in before.iter().zip(&after) {
            prop_assert_eq!(&b.period, &a.period);
            prop_assert!(a.done >= b.done);
            if b.status == Status::Met {
                prop_assert_eq!(a.status, Status::Met);
            }
        }
        for i in &after {
            let p = Period::parse(&i.period).unwrap();
            match i.status {
                Status::Met => prop_assert!(i.done >= i.required),
                Status::Missed => prop_assert!(i.done < i.required && p.last_day() < today),
                Status::Due => prop_assert!(i.done < i.required && p.first_day() <= today && today <= p.last_day()),
                Status::Upcoming => prop_assert!(i.done < i.required && today < p.first_day()),
            }
            if let Some(e) = established {
                prop_assert!(e <= p.first_day());
            }
        }
        let s = Summary::of(&after);
        prop_assert_eq!((s.met + s.missed + s.due + s.upcoming) as usize, after.len());
        if let Some(r) = s.rate {
            prop_assert!((0.0..=1.0).contains(&r));
        }
    }
}

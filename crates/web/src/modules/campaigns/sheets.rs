//! M7 sheets: a campaign's participants (with their parent org, the place reported to and
//! their number of records) and its records, as ledgers people keep — in the user's scope.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use sheet::{Cell, Column};
use store::campaigns::CampaignRecord;
use store::PageReq;

use crate::modules::registry::api::{ledger_title, sheet_response};
use crate::modules::work::sheets::ledger;
use crate::platform::error::AppError;
use crate::platform::session::{Item, OrPage, PageError};
use crate::AppState;

use super::pages::all_participants;

fn col(lang: crate::platform::i18n::Lang, key: &str, width: f64) -> Column {
    Column::new(lang.t(key)).with_width(width)
}

/// `GET /campaigns/{id}/participants.xlsx`.
pub(super) async fn export_participants(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let c = st.store.get_campaign(id).await.or_page(&u)?;
    let parts = all_participants(&st, u.scope(), id).await.or_page(&u)?;
    // the parent's name where the user may see it
    let orgs: HashMap<i64, (Option<i64>, String)> = st
        .store
        .all_orgs(u.scope())
        .await
        .or_page(&u)?
        .into_iter()
        .map(|o| (o.id, (o.parent_id, o.name)))
        .collect();
    let lang = u.lang;
    let name = lang.t("campaign.sheet.participants");
    let title = ledger_title(&st, u.scope(), lang, &format!("{}·{name}", c.title))
        .await
        .map_err(|e| u.error(e))?;
    sheet_response(&format!("{}_{name}.xlsx", c.title), move || {
        let columns = vec![
            col(lang, "campaign.col.org", 32.0),
            col(lang, "campaign.col.parent", 28.0),
            col(lang, "campaign.fld.joined_on", 12.0),
            col(lang, "campaign.fld.place", 28.0),
            col(lang, "campaign.col.records", 12.0),
        ];
        let rows = parts.into_iter().map(move |p| {
            let parent = orgs
                .get(&p.party_org_id)
                .and_then(|(parent, _)| *parent)
                .and_then(|parent| orgs.get(&parent))
                .map(|(_, n)| Cell::Text(n.clone()))
                .unwrap_or(Cell::Empty);
            vec![
                Cell::Text(p.party_org_name),
                parent,
                Cell::Date(p.joined_on),
                p.place.map(Cell::Text).unwrap_or(Cell::Empty),
                Cell::Int(p.records),
            ]
        });
        ledger(name, columns, Some(title))
            .write(rows)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| u.error(e).into())
}

/// `GET /campaigns/{id}/records.xlsx`: newest first.
pub(super) async fn export_records(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let c = st.store.get_campaign(id).await.or_page(&u)?;
    let mut records: Vec<CampaignRecord> = Vec::new();
    let mut page = 1;
    loop {
        let req = PageReq {
            page,
            per_page: PageReq::MAX_PER_PAGE,
        };
        let res = st
            .store
            .list_records(u.scope(), id, &Default::default(), req)
            .await
            .or_page(&u)?;
        let n = res.items.len();
        records.extend(res.items);
        if n == 0 || records.len() as i64 >= res.total {
            break;
        }
        page += 1;
    }
    let lang = u.lang;
    let name = lang.t("campaign.sheet.records");
    let title = ledger_title(&st, u.scope(), lang, &format!("{}·{name}", c.title))
        .await
        .map_err(|e| u.error(e))?;
    sheet_response(&format!("{}_{name}.xlsx", c.title), move || {
        let columns = vec![
            col(lang, "campaign.rec.held_on", 12.0),
            col(lang, "campaign.col.org", 32.0),
            col(lang, "campaign.rec.title", 36.0),
            col(lang, "campaign.rec.participants", 10.0),
            col(lang, "campaign.rec.notes", 40.0),
            col(lang, "campaign.col.attachments", 10.0),
        ];
        let rows = records.into_iter().map(|r| {
            vec![
                Cell::Date(r.held_on),
                Cell::Text(r.party_org_name),
                Cell::Text(r.title),
                r.participants.map(Cell::Int).unwrap_or(Cell::Empty),
                r.notes.map(Cell::Text).unwrap_or(Cell::Empty),
                Cell::Int(r.attachments),
            ]
        });
        ledger(name, columns, Some(title))
            .write(rows)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| u.error(e).into())
}

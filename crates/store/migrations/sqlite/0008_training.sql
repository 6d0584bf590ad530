-- M8: the office-holders of each org (only people in party posts are named; members stay
-- counts), whose yearly training hours are measured against the requirement.
CREATE TABLE office_holders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    position TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX office_holders_org ON office_holders(party_org_id, id) WHERE deleted_at IS NULL;

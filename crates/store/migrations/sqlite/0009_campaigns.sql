-- M7: campaigns (专项行动) with a target, the orgs taking part (once each) and what they
-- did there (records, with attachments in the shared `attachments` table, owner
-- 'campaign_record').
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- participating orgs aimed at; 0: no number set
    target INTEGER NOT NULL CHECK (target >= 0),
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT
);
CREATE INDEX campaigns_days ON campaigns(ends_on, starts_on) WHERE deleted_at IS NULL;

-- Removed only while it has no records (then for good: the audit log keeps it).
CREATE TABLE campaign_participants (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    joined_on TEXT NOT NULL,
    place TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER,
    UNIQUE (campaign_id, party_org_id)
);
CREATE INDEX campaign_participants_org ON campaign_participants(party_org_id);

CREATE TABLE campaign_records (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    -- how many people took part
    participants INTEGER CHECK (participants >= 0),
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);
-- progress: the records of each participant of a campaign, counted from the index alone
CREATE INDEX campaign_records_org ON campaign_records(campaign_id, party_org_id) WHERE deleted_at IS NULL;
-- a campaign's records, newest first
CREATE INDEX campaign_records_held ON campaign_records(campaign_id, held_on, id) WHERE deleted_at IS NULL;

-- M9: committee members' liaison with orgs (联系点), their visits, research reports and
-- typical cases; M10: the register of societies' publication channels and their reviews
-- (records only: nothing here holds or rates what a channel publishes). Visits' and
-- research reports' files are in the shared `attachments` table (owners 'visit' and
-- 'research_report').

-- A committee member (a user of role committee) liaising with an org from `since` to
-- `until` (null: open-ended).
CREATE TABLE liaisons (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    since TEXT NOT NULL,
    until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE INDEX liaisons_org ON liaisons(party_org_id, since) WHERE deleted_at IS NULL;
CREATE INDEX liaisons_user ON liaisons(user_id, since) WHERE deleted_at IS NULL;

CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT
);
-- the list, newest first
CREATE INDEX visits_held ON visits(held_on, id) WHERE deleted_at IS NULL;
-- a member's visits in a year, and the last visit of a member to an org
CREATE INDEX visits_user ON visits(user_id, party_org_id, held_on) WHERE deleted_at IS NULL;
CREATE INDEX visits_org ON visits(party_org_id, held_on) WHERE deleted_at IS NULL;

CREATE TABLE research_reports (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    summary TEXT,
    author_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT
);
CREATE INDEX research_reports_year ON research_reports(year, id) WHERE deleted_at IS NULL;

-- The orgs a research report concerns, in the order given.
CREATE TABLE research_report_orgs (
    report_id INTEGER NOT NULL REFERENCES research_reports(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (report_id, party_org_id)
);
CREATE INDEX research_report_orgs_org ON research_report_orgs(party_org_id);

-- Typical cases (典型案例): proposed by an org's branch users, published by the committee;
-- published ones are readable by every role.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    category TEXT NOT NULL,
    year INTEGER NOT NULL,
    summary TEXT,
    published INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT
);
CREATE INDEX cases_year ON cases(year, id) WHERE deleted_at IS NULL;
CREATE INDEX cases_org ON cases(party_org_id) WHERE deleted_at IS NULL;

-- A society's publication channel (阵地): journal, website, forum, social account.
CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    responsible TEXT NOT NULL,
    -- the day the emergency plan (应急预案) was filed; null: none on file
    emergency_plan_on TEXT,
    -- the latest review's day (channel_reviews), kept with each review recorded
    last_reviewed_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE INDEX channels_society ON channels(society_id, id) WHERE deleted_at IS NULL;

-- A recorded review of a channel's management (阵地检查); the latest is the channel's
-- last_reviewed_on (kept in channels, so that a page of the register reads no review).
CREATE TABLE channel_reviews (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    reviewed_on TEXT NOT NULL,
    notes TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER
);
CREATE INDEX channel_reviews_channel ON channel_reviews(channel_id, reviewed_on);

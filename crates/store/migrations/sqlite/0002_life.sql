-- M2 organizational life: activities, attachments, obligations, reminders.

-- A work address for reminders (optional; users are office-holders, already named).
ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    -- 'true' / 'false', or ':' followed by the study item
    first_agenda TEXT,
    attendees_expected INTEGER CHECK (attendees_expected >= 0),
    attendees_present INTEGER CHECK (attendees_present >= 0),
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE INDEX activities_org ON activities(party_org_id, held_on) WHERE deleted_at IS NULL;
CREATE INDEX activities_held ON activities(held_on, id) WHERE deleted_at IS NULL;

-- Live activities per month (yyyymm), org and kind: compliance reads these, not the
-- activities. Kept by the triggers below, so every write path keeps them current.
CREATE TABLE activity_counts (
    ym INTEGER NOT NULL,
    party_org_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (ym, party_org_id, kind)
) WITHOUT ROWID;
CREATE INDEX activity_counts_org ON activity_counts(party_org_id, ym);

CREATE TRIGGER activities_count_insert AFTER INSERT ON activities
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO activity_counts (ym, party_org_id, kind, n)
    VALUES (CAST(substr(NEW.held_on, 1, 4) AS INTEGER) * 100 + CAST(substr(NEW.held_on, 6, 2) AS INTEGER),
            NEW.party_org_id, NEW.kind, 1)
    ON CONFLICT (ym, party_org_id, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER activities_count_update AFTER UPDATE OF party_org_id, kind, held_on, deleted_at ON activities
BEGIN
    UPDATE activity_counts SET n = n - 1
    WHERE OLD.deleted_at IS NULL
      AND ym = CAST(substr(OLD.held_on, 1, 4) AS INTEGER) * 100 + CAST(substr(OLD.held_on, 6, 2) AS INTEGER)
      AND party_org_id = OLD.party_org_id AND kind = OLD.kind;
    INSERT INTO activity_counts (ym, party_org_id, kind, n)
    SELECT CAST(substr(NEW.held_on, 1, 4) AS INTEGER) * 100 + CAST(substr(NEW.held_on, 6, 2) AS INTEGER),
           NEW.party_org_id, NEW.kind, 1
    WHERE NEW.deleted_at IS NULL
    ON CONFLICT (ym, party_org_id, kind) DO UPDATE SET n = n + 1;
END;

-- Files stored outside the database (content-addressed under the data directory).
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE INDEX attachments_owner ON attachments(owner, owner_id) WHERE deleted_at IS NULL;

CREATE TABLE obligations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    min_count INTEGER NOT NULL CHECK (min_count >= 1),
    -- comma-separated org kinds
    org_kinds TEXT NOT NULL,
    min_full_members INTEGER,
    active_from TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by INTEGER
);

-- Reminders prepared by the daily job: one per org, obligation, period and reason.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    period TEXT NOT NULL,
    -- 'due' (ends within the reminder window) or 'missed'
    reason TEXT NOT NULL,
    activity_kind TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    required INTEGER NOT NULL,
    done INTEGER NOT NULL,
    created_on TEXT NOT NULL,
    emailed_at TEXT,
    email_error TEXT,
    UNIQUE (party_org_id, obligation_id, period, reason)
);
CREATE INDEX reminders_created ON reminders(created_on, party_org_id);

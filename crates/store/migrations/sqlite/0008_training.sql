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

CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    organizer TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- hours in tenths, kept exactly
    hours_tenths INTEGER NOT NULL CHECK (hours_tenths > 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX courses_ends ON courses(ends_on) WHERE deleted_at IS NULL;

CREATE TABLE attendance (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses(id),
    office_holder_id INTEGER NOT NULL REFERENCES office_holders(id),
    hours_tenths INTEGER NOT NULL CHECK (hours_tenths > 0),
    created_at TEXT NOT NULL,
    created_by INTEGER,
    UNIQUE (course_id, office_holder_id)
);
CREATE INDEX attendance_holder ON attendance(office_holder_id);

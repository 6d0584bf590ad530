-- M8: the daily job's reminders of office-holders short of the year's training hours in
-- its last quarter, once per person and month.
CREATE TABLE training_reminders (
    id INTEGER PRIMARY KEY,
    office_holder_id INTEGER NOT NULL REFERENCES office_holders(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    -- the month of the reminder, 'YYYY-MM'
    period TEXT NOT NULL,
    required INTEGER NOT NULL,
    done_tenths INTEGER NOT NULL,
    created_on TEXT NOT NULL,
    UNIQUE (office_holder_id, period)
);

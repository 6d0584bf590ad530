-- M5: periodic report forms as data, their stored submissions (the expected ones are
-- derived, never stored empty), funded projects and their expenditures.
CREATE TABLE report_forms (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    period TEXT NOT NULL,
    due_days INTEGER NOT NULL,
    applies_to TEXT NOT NULL,
    -- funded_projects: the programme; party_orgs: org kinds or ids (JSON arrays), or neither
    programme TEXT,
    org_kinds TEXT,
    party_org_ids TEXT,
    active_from TEXT NOT NULL,
    active_to TEXT,
    -- the fields, JSON: [{"key","label","type","required","min","max","choices","unit"}]
    fields TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE funded_projects (
    id INTEGER PRIMARY KEY,
    programme TEXT NOT NULL,
    title TEXT NOT NULL,
    society_id INTEGER NOT NULL REFERENCES societies(id),
    year INTEGER NOT NULL,
    -- amounts in fen (分), kept exactly
    budget_fen INTEGER NOT NULL CHECK (budget_fen >= 0),
    indicators TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX funded_projects_programme ON funded_projects(programme, year, id) WHERE deleted_at IS NULL;
CREATE INDEX funded_projects_society ON funded_projects(society_id) WHERE deleted_at IS NULL;

CREATE TABLE expenditures (
    id INTEGER PRIMARY KEY,
    funded_project_id INTEGER NOT NULL REFERENCES funded_projects(id),
    spent_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    purpose TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER
);
CREATE INDEX expenditures_project ON expenditures(funded_project_id, spent_on);

CREATE TABLE report_submissions (
    id INTEGER PRIMARY KEY,
    form_id INTEGER NOT NULL REFERENCES report_forms(id),
    period TEXT NOT NULL,
    -- 'o<id>' for an org, 'p<id>' for a funded project: one submission per form, period and respondent
    respondent TEXT NOT NULL,
    -- the answering org, or the org covering the project's society when it was created
    party_org_id INTEGER REFERENCES party_orgs(id),
    funded_project_id INTEGER REFERENCES funded_projects(id),
    state TEXT NOT NULL,
    answers TEXT NOT NULL,
    due_on TEXT NOT NULL,
    first_submitted_on TEXT,
    submitted_at TEXT,
    accepted_on TEXT,
    comment TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX report_submissions_key ON report_submissions(form_id, period, respondent);
CREATE INDEX report_submissions_org ON report_submissions(party_org_id, state);
CREATE INDEX report_submissions_state ON report_submissions(state, due_on);

CREATE TABLE report_submission_events (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES report_submissions(id),
    action TEXT NOT NULL,
    text TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX report_submission_events_sub ON report_submission_events(submission_id, id);

-- The daily job's reminders of submissions due soon or missed, once per reason.
CREATE TABLE report_reminders (
    id INTEGER PRIMARY KEY,
    form_id INTEGER NOT NULL REFERENCES report_forms(id),
    period TEXT NOT NULL,
    respondent TEXT NOT NULL,
    party_org_id INTEGER REFERENCES party_orgs(id),
    -- 'due' (due within the reminder window) or 'missed'
    reason TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_on TEXT NOT NULL,
    UNIQUE (form_id, period, respondent, reason)
);

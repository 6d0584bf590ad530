-- M3/M4 work plans, tasks, inspections, rectifications
CREATE TABLE work_plans (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    -- the text as imported, for the record
    source_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);

CREATE TABLE work_sections (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES work_plans(id),
    position INTEGER NOT NULL,
    no TEXT NOT NULL,
    title TEXT NOT NULL
);
CREATE INDEX work_sections_plan ON work_sections(plan_id, position);

CREATE TABLE work_items (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES work_plans(id),
    section_id INTEGER NOT NULL REFERENCES work_sections(id),
    position INTEGER NOT NULL,
    no INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX work_items_plan ON work_items(plan_id, position);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    work_item_id INTEGER REFERENCES work_items(id),
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE INDEX tasks_item ON tasks(work_item_id) WHERE deleted_at IS NULL;

-- one per task and org
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    state TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- the latest report's progress (0..100) and time
    progress INTEGER NOT NULL DEFAULT 0,
    last_report_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE UNIQUE INDEX assignments_task_org ON assignments(task_id, party_org_id) WHERE deleted_at IS NULL;
CREATE INDEX assignments_org ON assignments(party_org_id, id) WHERE deleted_at IS NULL;
-- (state) orders by id within a state, (due_on) by (due_on, id): the ledger's pages need no sort
CREATE INDEX assignments_state ON assignments(state) WHERE deleted_at IS NULL;
CREATE INDEX assignments_due ON assignments(due_on) WHERE deleted_at IS NULL;

-- a report on an assignment, and the committee's review of it
CREATE TABLE progress_reports (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    text TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    decision TEXT,
    comment TEXT,
    reviewed_at TEXT,
    reviewed_by TEXT
);
CREATE INDEX progress_reports_assignment ON progress_reports(assignment_id, id);

CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);

CREATE TABLE inspection_orgs (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    PRIMARY KEY (inspection_id, party_org_id)
) WITHOUT ROWID;
CREATE INDEX inspection_orgs_org ON inspection_orgs(party_org_id);

-- the inspection team: names of the inspectors (office-holders), nothing more
CREATE TABLE inspection_team (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (inspection_id, position)
) WITHOUT ROWID;

CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER REFERENCES inspections(id),
    source TEXT NOT NULL,
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    description TEXT NOT NULL,
    severity TEXT NOT NULL,
    found_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE INDEX findings_inspection ON findings(inspection_id) WHERE deleted_at IS NULL;

-- one per finding; found_on is copied from the finding so the ledger and figures read one table
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL UNIQUE REFERENCES findings(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    state TEXT NOT NULL,
    found_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    response TEXT,
    comment TEXT,
    submitted_at TEXT,
    verified_at TEXT,
    -- the day (in the configured zone) it was verified: days to close and on-time count from it
    verified_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE INDEX rectifications_org ON rectifications(party_org_id, id) WHERE deleted_at IS NULL;
CREATE INDEX rectifications_state ON rectifications(state) WHERE deleted_at IS NULL;
CREATE INDEX rectifications_due ON rectifications(due_on) WHERE deleted_at IS NULL;
CREATE INDEX rectifications_found ON rectifications(found_on) WHERE deleted_at IS NULL;

-- what happened to a rectification: submit (with the response), verify, return (with the reason)
CREATE TABLE rectification_events (
    id INTEGER PRIMARY KEY,
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    action TEXT NOT NULL,
    text TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX rectification_events_rect ON rectification_events(rectification_id, id);

-- ledgers sorted by org walk the orgs in tree order (live or not: records keep their org)
CREATE INDEX party_orgs_path_all ON party_orgs(path);

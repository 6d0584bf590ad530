-- M6: assessment schemes (a year's indicator tree in points, in tenths, with the grade
-- thresholds), the scores entered by hand (manual leaves and overrides of auto leaves), the
-- grade overrides, and what finalizing froze: each assessed org's computed auto scores with
-- their basis. Grades land in `grade_history`, now with their source, reason and scheme.

CREATE TABLE assessment_schemes (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    -- comma-separated org kind codes
    org_kinds TEXT NOT NULL,
    -- totals in tenths
    threshold_a INTEGER NOT NULL,
    threshold_b INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by INTEGER,
    finalized_at TEXT,
    finalized_by TEXT
);
CREATE INDEX assessment_schemes_year ON assessment_schemes(year, id);

CREATE TABLE assessment_indicators (
    id INTEGER PRIMARY KEY,
    scheme_id INTEGER NOT NULL REFERENCES assessment_schemes(id),
    parent_id INTEGER REFERENCES assessment_indicators(id),
    -- parents first, in the tree's order
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    points INTEGER NOT NULL CHECK (points > 0),
    method TEXT,
    metric TEXT
);
CREATE INDEX assessment_indicators_scheme ON assessment_indicators(scheme_id, position);

CREATE TABLE assessment_scores (
    id INTEGER PRIMARY KEY,
    scheme_id INTEGER NOT NULL REFERENCES assessment_schemes(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    indicator_id INTEGER NOT NULL REFERENCES assessment_indicators(id),
    score INTEGER NOT NULL CHECK (score >= 0),
    comment TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE UNIQUE INDEX assessment_scores_key ON assessment_scores(scheme_id, party_org_id, indicator_id);
CREATE INDEX assessment_scores_indicator ON assessment_scores(indicator_id);

CREATE TABLE assessment_grades (
    id INTEGER PRIMARY KEY,
    scheme_id INTEGER NOT NULL REFERENCES assessment_schemes(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    grade TEXT NOT NULL,
    reason TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE UNIQUE INDEX assessment_grades_key ON assessment_grades(scheme_id, party_org_id);

-- Frozen at finalize: one row per assessed org and leaf (computed null for a manual leaf).
CREATE TABLE assessment_results (
    id INTEGER PRIMARY KEY,
    scheme_id INTEGER NOT NULL REFERENCES assessment_schemes(id),
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    indicator_id INTEGER NOT NULL REFERENCES assessment_indicators(id),
    computed INTEGER,
    numerator INTEGER,
    denominator INTEGER
);
CREATE UNIQUE INDEX assessment_results_key ON assessment_results(scheme_id, party_org_id, indicator_id);

ALTER TABLE grade_history ADD COLUMN source TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE grade_history ADD COLUMN reason TEXT;
ALTER TABLE grade_history ADD COLUMN scheme_id INTEGER REFERENCES assessment_schemes(id);
ALTER TABLE grade_history ADD COLUMN since TEXT;
UPDATE grade_history SET since = date(changed_at, '+8 hours');

-- M1 registry, M12 platform (users, sessions, audit).
CREATE TABLE party_orgs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES party_orgs(id),
    -- materialized path of ids, '/1/5/7/'; scope queries take a prefix range on it
    path TEXT NOT NULL DEFAULT '',
    secretary TEXT,
    secretary_joined_on TEXT,
    secretary_cross_appointed INTEGER NOT NULL DEFAULT 0,
    established_on TEXT,
    term_ends_on TEXT,
    full_members INTEGER NOT NULL DEFAULT 0 CHECK (full_members >= 0),
    probationary_members INTEGER NOT NULL DEFAULT 0 CHECK (probationary_members >= 0),
    grade TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE UNIQUE INDEX party_orgs_name_live ON party_orgs(name) WHERE deleted_at IS NULL;
CREATE INDEX party_orgs_path ON party_orgs(path) WHERE deleted_at IS NULL;
CREATE INDEX party_orgs_parent ON party_orgs(parent_id) WHERE deleted_at IS NULL;

CREATE TABLE grade_history (
    id INTEGER PRIMARY KEY,
    party_org_id INTEGER NOT NULL REFERENCES party_orgs(id),
    grade TEXT,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL
);
CREATE INDEX grade_history_org ON grade_history(party_org_id);

CREATE TABLE societies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    sector TEXT NOT NULL,
    full_members INTEGER NOT NULL DEFAULT 0 CHECK (full_members >= 0),
    probationary_members INTEGER NOT NULL DEFAULT 0 CHECK (probationary_members >= 0),
    charter_has_party_building INTEGER NOT NULL DEFAULT 0,
    instructor TEXT,
    party_org_id INTEGER REFERENCES party_orgs(id),
    -- derived from the covering org's kind and the instructor; kept current by the store
    coverage TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by INTEGER
);
CREATE UNIQUE INDEX societies_name_live ON societies(name) WHERE deleted_at IS NULL;
CREATE INDEX societies_sector ON societies(sector, id) WHERE deleted_at IS NULL;
CREATE INDEX societies_org ON societies(party_org_id, id) WHERE deleted_at IS NULL;
CREATE INDEX societies_coverage ON societies(coverage, charter_has_party_building, full_members) WHERE deleted_at IS NULL;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    party_org_id INTEGER REFERENCES party_orgs(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    -- 'web' (browser login), 'bearer' (POST /auth/token), 'api' (long-lived, made in the UI)
    kind TEXT NOT NULL,
    name TEXT,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    before TEXT,
    after TEXT,
    request_id TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity, entity_id, id);

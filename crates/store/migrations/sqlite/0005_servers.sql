-- Several servers on one database (API.md "Server start"): state that must be shared
-- rather than kept in one process's memory.

-- Failed logins per (lower-cased) username, counted across every server.
CREATE TABLE login_failures (
    username_key TEXT PRIMARY KEY,
    n INTEGER NOT NULL,
    since TEXT NOT NULL
);

-- A daily job taken by one server a day: the first to insert the row runs it.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    day TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (job, day)
);

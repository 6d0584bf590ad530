-- Several servers on one database (API.md "Server start"): state that must be shared
-- rather than kept in one process's memory.

-- Failed logins per (lower-cased) username, counted across every server.
CREATE TABLE login_failures (
    username_key TEXT COLLATE "C" PRIMARY KEY,
    n BIGINT NOT NULL,
    since TEXT COLLATE "C" NOT NULL
);

-- A daily job taken by one server a day: the first to insert the row runs it.
CREATE TABLE job_runs (
    job TEXT COLLATE "C" NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    claimed_by TEXT COLLATE "C" NOT NULL,
    claimed_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (job, day)
);

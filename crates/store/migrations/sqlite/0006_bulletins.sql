-- Bulletin numbers (发文字号 机关代字〔year〕no号): one row per number taken, so that the next
-- free number of a year runs on by itself. A number is taken when a bulletin's Word file
-- is made from its edited text; a number typed by hand is recorded as taken too.
CREATE TABLE bulletin_numbers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    year INTEGER NOT NULL,
    no INTEGER NOT NULL CHECK (no > 0),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by INTEGER REFERENCES users(id)
);
CREATE UNIQUE INDEX bulletin_numbers_no ON bulletin_numbers(code, year, no);

-- Lateness (API.md v1 `late`): the local day of an org's first answer, kept apart from the
-- latest one. Existing rows take it from their history at UTC+8, the default zone.
ALTER TABLE assignments ADD COLUMN first_reported_on TEXT COLLATE "C";
ALTER TABLE rectifications ADD COLUMN first_submitted_on TEXT COLLATE "C";

-- The date in UTC+8 of an RFC 3339 instant (SQLite: date(x, '+8 hours')).
CREATE FUNCTION local_date(instant TEXT) RETURNS TEXT AS $$
    SELECT to_char(CAST(instant AS TIMESTAMPTZ) AT TIME ZONE 'UTC' + INTERVAL '8 hours', 'YYYY-MM-DD')
$$ LANGUAGE sql STABLE;

UPDATE assignments SET first_reported_on = (
    SELECT local_date(min(p.reported_at)) FROM progress_reports p WHERE p.assignment_id = assignments.id
) WHERE last_report_at IS NOT NULL;

UPDATE rectifications SET first_submitted_on = coalesce((
    SELECT local_date(min(e.at)) FROM rectification_events e
    WHERE e.rectification_id = rectifications.id AND e.action = 'submit'
), local_date(submitted_at)) WHERE submitted_at IS NOT NULL;

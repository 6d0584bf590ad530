-- Lateness (API.md v1 `late`): the local day of an org's first answer, kept apart from the
-- latest one. Existing rows take it from their history at UTC+8, the default zone.
ALTER TABLE assignments ADD COLUMN first_reported_on TEXT;
ALTER TABLE rectifications ADD COLUMN first_submitted_on TEXT;

UPDATE assignments SET first_reported_on = (
    SELECT date(min(p.reported_at), '+8 hours') FROM progress_reports p WHERE p.assignment_id = assignments.id
) WHERE last_report_at IS NOT NULL;

UPDATE rectifications SET first_submitted_on = coalesce((
    SELECT date(min(e.at), '+8 hours') FROM rectification_events e
    WHERE e.rectification_id = rectifications.id AND e.action = 'submit'
), date(submitted_at, '+8 hours')) WHERE submitted_at IS NOT NULL;

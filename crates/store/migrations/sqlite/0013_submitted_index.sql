-- The submissions submitted at least once, by form and respondent: the big screen's missing
-- reports per org (each respondent's submitted periods of a year, counted from the index
-- alone, without reading the rows).
CREATE INDEX report_submissions_submitted ON report_submissions(form_id, respondent, period)
    WHERE first_submitted_on IS NOT NULL AND deleted_at IS NULL;

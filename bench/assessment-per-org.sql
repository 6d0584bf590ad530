-- The three SQL metrics of M6 (charter_rate, task_rate, rectification_rate) for every
-- assessed org of YEAR, two ways, timed with the sqlite3 CLI (`.timer on`):
--   sqlite3 bench.db < bench/assessment-per-org.sql
-- (1) what the store does: one GROUP BY per metric of each org's own counts (the subtree
--     sums are then added up in Rust over the orgs in path order);
-- (2) the obvious alternative: per assessed org, correlated counts over its subtree's
--     path range, one per metric.
.timer on
.headers off
.mode list
SELECT '(1) grouped: charter';
SELECT count(*), sum(n) FROM (SELECT s.party_org_id, sum(s.charter_has_party_building <> 0) AS n, count(*)
  FROM societies s JOIN party_orgs o ON o.id = s.party_org_id
  WHERE s.deleted_at IS NULL AND o.deleted_at IS NULL GROUP BY s.party_org_id);
SELECT '(1) grouped: tasks';
SELECT count(*), sum(n) FROM (SELECT a.party_org_id, sum(a.state = 'accepted' AND a.first_reported_on <= a.due_on) AS n, count(*)
  FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN party_orgs o ON o.id = a.party_org_id
  WHERE a.deleted_at IS NULL AND t.deleted_at IS NULL AND a.due_on >= strftime('%Y-01-01') AND a.due_on <= strftime('%Y-12-31')
  GROUP BY a.party_org_id);
SELECT '(1) grouped: rectifications';
SELECT count(*), sum(n) FROM (SELECT r.party_org_id, sum(r.state = 'verified' AND r.first_submitted_on <= r.due_on) AS n, count(*)
  FROM rectifications r JOIN findings f ON f.id = r.finding_id JOIN party_orgs o ON o.id = r.party_org_id
  WHERE r.deleted_at IS NULL AND f.deleted_at IS NULL AND r.due_on >= strftime('%Y-01-01') AND r.due_on <= strftime('%Y-12-31')
  GROUP BY r.party_org_id);
SELECT '(2) per org over its subtree: the three metrics';
SELECT count(*), sum(c), sum(t), sum(r) FROM (SELECT o.id,
  (SELECT count(*) FROM societies s JOIN party_orgs x ON x.id = s.party_org_id
     WHERE s.deleted_at IS NULL AND x.deleted_at IS NULL AND x.path >= o.path AND x.path < substr(o.path, 1, length(o.path) - 1) || '0') AS c,
  (SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN party_orgs x ON x.id = a.party_org_id
     WHERE a.deleted_at IS NULL AND t.deleted_at IS NULL AND a.due_on >= strftime('%Y-01-01') AND a.due_on <= strftime('%Y-12-31')
       AND x.path >= o.path AND x.path < substr(o.path, 1, length(o.path) - 1) || '0') AS t,
  (SELECT count(*) FROM rectifications r JOIN findings f ON f.id = r.finding_id JOIN party_orgs x ON x.id = r.party_org_id
     WHERE r.deleted_at IS NULL AND f.deleted_at IS NULL AND r.due_on >= strftime('%Y-01-01') AND r.due_on <= strftime('%Y-12-31')
       AND x.path >= o.path AND x.path < substr(o.path, 1, length(o.path) - 1) || '0') AS r
  FROM party_orgs o WHERE o.deleted_at IS NULL AND o.kind <> 'committee');

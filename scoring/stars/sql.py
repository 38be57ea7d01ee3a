"""The set-based totals behind the quarterly freeze and the year-end rollup (DESIGN §9).

One statement computes, for every branch in a list, each scored person's parts (基础积分, 贡献加分,
违规扣分, 一票否决) and total over a period, and ranks them inside their branch with a window function
(RANK() OVER (PARTITION BY organization ORDER BY total DESC)). It reads only confirmed entries of the
branch's published scheme of the year. The people are the branch's registered members (with zero
when they have no entry) and the scored people who are members nowhere (activists); a member who
moved away is ranked in the branch they belong to now.

It follows `scoring.rules.period_score` / `year_score` step by step, in SQL: item caps (per quarter
or per period, never on deductions or vetoes), then part caps (`section_caps`, keyed by the item's
part or else its section), then the period total: an applied veto cancels it (`veto_zeroes`), a
百分制 scheme without `total_cap` stops at 100, `total_cap`, `floor_zero`. A "quarter_average"
scheme scores each quarter as a period and divides the sum of the quarters by four.

PostgreSQL only: any other vendor (the embedded SQLite default) gets the same rows from
`scoring.stars.services.branch_totals`, which runs these steps through the Python rules.
"""

TOTALS_SQL = """
WITH s AS (
    SELECT id, organization_id, mode, aggregation, section_caps, total_cap, floor_zero, veto_zeroes,
           CASE WHEN aggregation = 'quarter_average' THEN %(quarters)s ELSE 1 END AS divisor
    FROM scoring_scheme
    WHERE organization_id = ANY(%(orgs)s) AND year = %(year)s AND status = 'published'
),
ei AS (
    SELECT e.organization_id, e.person_id, e.item_id,
           CASE WHEN s.aggregation = 'quarter_average' THEN EXTRACT(QUARTER FROM e.occurred_on)::int ELSE 0 END AS pk,
           EXTRACT(QUARTER FROM e.occurred_on)::int AS qn,
           SUM(e.points) AS points, BOOL_OR(e.section = 'veto') AS vetoed
    FROM scoring_entry e
    JOIN s ON s.id = e.scheme_id
    WHERE e.status = 'confirmed' AND e.occurred_on BETWEEN %(start)s AND %(end)s
    GROUP BY 1, 2, 3, 4, 5
),
ic AS (
    SELECT ei.organization_id, ei.person_id, ei.pk, i.section, COALESCE(NULLIF(i.part, ''), i.section) AS grp,
           CASE WHEN i.cap IS NULL OR i.section IN ('deduction', 'veto') THEN SUM(ei.points)
                WHEN i.cap_period = 'quarter' THEN SUM(LEAST(ei.points, i.cap))
                ELSE LEAST(SUM(ei.points), i.cap) END AS value,
           BOOL_OR(ei.vetoed) AS vetoed
    FROM ei JOIN scoring_item i ON i.id = ei.item_id
    GROUP BY ei.organization_id, ei.person_id, ei.pk, ei.item_id, i.section, i.part, i.cap, i.cap_period
),
gp AS (
    SELECT ic.organization_id, ic.person_id, ic.pk, MIN(ic.section) AS section,
           CASE WHEN MIN(ic.section) IN ('deduction', 'veto') THEN SUM(ic.value)
                ELSE LEAST(SUM(ic.value), NULLIF(MAX(s.section_caps ->> ic.grp), '')::numeric) END AS value,
           BOOL_OR(ic.vetoed) AS vetoed
    FROM ic JOIN s ON s.organization_id = ic.organization_id
    GROUP BY ic.organization_id, ic.person_id, ic.pk, ic.grp
),
pt AS (
    SELECT gp.organization_id, gp.person_id, gp.pk,
           COALESCE(SUM(gp.value) FILTER (WHERE gp.section = 'base'), 0) AS base,
           COALESCE(SUM(gp.value) FILTER (WHERE gp.section = 'bonus'), 0) AS bonus,
           COALESCE(SUM(gp.value) FILTER (WHERE gp.section = 'deduction'), 0) AS deduction,
           BOOL_OR(gp.vetoed) AS vetoed,
           SUM(gp.value) AS raw
    FROM gp GROUP BY 1, 2, 3
),
p0 AS (
    SELECT pt.*, s.mode, s.total_cap, s.floor_zero, s.divisor,
           CASE WHEN pt.vetoed AND s.veto_zeroes THEN 0 ELSE pt.raw END AS t0
    FROM pt JOIN s ON s.organization_id = pt.organization_id
),
p1 AS (
    SELECT p0.*,
           CASE WHEN mode = 'percent' AND total_cap IS NULL THEN LEAST(t0, 100) ELSE LEAST(t0, total_cap) END AS t1
    FROM p0
),
yt AS (
    SELECT organization_id, person_id, BOOL_OR(vetoed) AS vetoed,
           SUM(base) / MAX(divisor) AS base, SUM(bonus) / MAX(divisor) AS bonus,
           SUM(deduction) / MAX(divisor) AS deduction,
           SUM(ROUND(CASE WHEN floor_zero THEN GREATEST(t1, 0) ELSE t1 END, 2)) / MAX(divisor) AS total
    FROM p1 GROUP BY 1, 2
),
pop AS (
    SELECT m.organization_id, m.person_id, TRUE AS is_member, m.status = 'probationary' AS is_probationary,
           m.is_exempt, m.is_leading_cadre, m.joined_on, m.id AS member_id
    FROM membership_member m JOIN s ON s.organization_id = m.organization_id
    WHERE m.is_active
    UNION ALL
    SELECT DISTINCT ei.organization_id, ei.person_id, FALSE, FALSE, FALSE, FALSE, NULL::date, NULL::bigint
    FROM ei
    WHERE NOT EXISTS (SELECT 1 FROM membership_member m WHERE m.person_id = ei.person_id AND m.is_active)
),
totals AS (
    SELECT p.organization_id, p.person_id, p.is_member, p.is_probationary, p.is_exempt, p.is_leading_cadre,
           p.joined_on, p.member_id,
           ROUND(COALESCE(yt.base, 0), 2) AS base, ROUND(COALESCE(yt.bonus, 0), 2) AS bonus,
           ROUND(COALESCE(yt.deduction, 0), 2) AS deduction, COALESCE(yt.vetoed, FALSE) AS vetoed,
           ROUND(COALESCE(yt.total, 0), 2) AS total
    FROM pop p LEFT JOIN yt ON yt.organization_id = p.organization_id AND yt.person_id = p.person_id
),
ranked AS (
    SELECT totals.*, RANK() OVER (PARTITION BY organization_id ORDER BY total DESC) AS branch_rank
    FROM totals
)
"""


_FREEZE_INSERT = """
INSERT INTO stars_quarterresult (freeze_id, organization_id, person_id, year, quarter, base, bonus, deduction,
                                 vetoed, total, rank, is_member)
SELECT f.id, r.organization_id, r.person_id, %(year)s, %(quarter)s, r.base, r.bonus, r.deduction, r.vetoed,
       r.total, r.branch_rank, r.is_member
FROM ranked r JOIN stars_quarterfreeze f
  ON f.organization_id = r.organization_id AND f.year = %(year)s AND f.quarter = %(quarter)s
WHERE f.id = ANY(%(freeze_ids)s)
ON CONFLICT DO NOTHING
"""

# Exclusions (rules.EXCLUSION_LABELS) read the policy copied onto the proposal; activists always.
_ROLLUP_INSERT = """
INSERT INTO stars_starrow (proposal_id, organization_id, person_id, year, base, bonus, deduction, vetoed, total,
                           branch_rank, exclusion, is_member, is_probationary, is_secretary, tie, notes, reason)
SELECT p.id, r.organization_id, r.person_id, %(year)s, r.base, r.bonus, r.deduction, r.vetoed, r.total,
       r.branch_rank,
       CASE
           WHEN NOT r.is_member THEN 'activist'
           WHEN r.is_exempt AND p.policy -> 'excluded' ? 'exempt' THEN 'exempt'
           WHEN r.is_leading_cadre AND p.policy -> 'excluded' ? 'leading_cadre' THEN 'leading_cadre'
           WHEN EXTRACT(YEAR FROM r.joined_on) = %(year)s AND p.policy -> 'excluded' ? 'new_member' THEN 'new_member'
           ELSE ''
       END,
       r.is_member, r.is_probationary,
       EXISTS (SELECT 1 FROM branches_committeemember c
               WHERE c.organization_id = r.organization_id AND c.member_id = r.member_id
                 AND c.post = 'secretary' AND c.ended_on IS NULL),
       FALSE, '[]'::jsonb, ''
FROM ranked r JOIN stars_starproposal p
  ON p.organization_id = r.organization_id AND p.year = %(year)s
WHERE p.id = ANY(%(proposal_ids)s)
ON CONFLICT DO NOTHING
"""

FREEZE_SQL = TOTALS_SQL + _FREEZE_INSERT
ROLLUP_SQL = TOTALS_SQL + _ROLLUP_INSERT

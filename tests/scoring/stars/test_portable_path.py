"""The freeze and the rollup on any database: the portable path (the embedded SQLite default) writes the
same rows as the set-based SQL that PostgreSQL runs."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.life_models import CommitteeMember
from membership.models import MemberStatus
from scoring.models import Entry, EntryStatus, Item, SectionKind
from scoring.stars import rules, services
from scoring.stars.models import QuarterFreeze, QuarterResult, StarProposal, StarRow
from tests.conftest import make_org
from tests.membership.factories import MemberFactory

from .conftest import make_scheme

pytestmark = pytest.mark.django_db

YEAR = 2025
ONLY_PG = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="compares with the set-based SQL, which runs on PostgreSQL only")


def entry(scheme, person, code: str, points, on: date, *, status=EntryStatus.CONFIRMED) -> Entry:
    item = scheme.items.get(code=code)
    now = datetime(on.year, on.month, on.day, 4, tzinfo=UTC)
    return Entry.objects.create(
        scheme=scheme, organization=scheme.organization, county=scheme.county, person=person, item=item,
        section=item.section, points=D(str(points)), occurred_on=on, status=status, proposed_at=now,
        confirmed_at=now if status == EntryStatus.CONFIRMED else None)


@pytest.fixture
def varied(town, branch_a, branch_b, activist_person):
    """Four branches of 2025.

    A: a yearly sum under 第十六、十七条 (every exclusion), with an item capped per year, one capped per
    quarter inside a capped part, a capped bonus part, a deduction, a veto, an activist, an exempt member,
    a leading cadre, a new member, a secretary (and a former one), a tie, a member without entries, a
    proposed entry and one of the next year (neither counted).
    B: 百分制 averaged over the four quarters, never below zero, a veto that does not void, a 五星 branch
    (raised shares) with a tie for its one 四星 seat; one of its members also has points in A's scheme.
    C: a broken star policy that still excludes exempt members. D: a scheme without a star policy."""
    branch_b.star_level = 5
    branch_b.save(update_fields=["star_level"])
    a = make_scheme(branch_a, year=YEAR, policy="seed001_threshold", section_caps={"bonus": "12", "service": 10})
    Item.objects.create(scheme=a, code="capy", name="年度封顶", section=SectionKind.BASE, cap=D(20), order=5)
    Item.objects.create(scheme=a, code="capq", name="季度封顶", section=SectionKind.BASE, part="service", cap=D(6),
                        cap_period="quarter", order=6)
    m = {i: MemberFactory(organization=branch_a) for i in range(1, 9)}
    m[3].is_exempt = True
    m[3].save()
    m[4].is_leading_cadre = True
    m[4].save()
    m[5].status, m[5].joined_on, m[5].full_on = MemberStatus.PROBATIONARY, date(YEAR, 3, 1), None
    m[5].save()
    CommitteeMember.objects.create(organization=branch_a, member=m[6], post="secretary", started_on=date(2021, 1, 1))
    CommitteeMember.objects.create(organization=branch_a, member=m[7], post="secretary", started_on=date(2018, 1, 1),
                                   ended_on=date(2020, 12, 31))
    p = {i: member.person for i, member in m.items()}
    for person, code, points, on in [
        (p[1], "base", 30, date(YEAR, 2, 10)), (p[1], "capy", 15, date(YEAR, 3, 1)), (p[1], "capy", 10, date(YEAR, 9, 1)),
        (p[1], "capq", 5, date(YEAR, 1, 20)), (p[1], "capq", 4, date(YEAR, 2, 20)), (p[1], "capq", 5, date(YEAR, 5, 5)),
        (p[1], "bonus", 8, date(YEAR, 4, 1)), (p[1], "eval", 7, date(YEAR, 12, 20)),
        (p[1], "deduction", -3, date(YEAR, 10, 1)), (p[1], "base", 100, date(YEAR + 1, 1, 2)),
        (p[2], "base", 40, date(YEAR, 2, 1)), (p[2], "bonus", 5, date(YEAR, 3, 1)), (p[2], "veto", 0, date(YEAR, 8, 1)),
        (p[3], "base", 50, date(YEAR, 1, 15)), (p[4], "base", 60, date(YEAR, 7, 15)),
        (p[5], "base", 20, date(YEAR, 4, 15)), (p[6], "base", 35, date(YEAR, 2, 15)),
        (p[7], "base", 35, date(YEAR, 8, 15)), (activist_person, "base", 25, date(YEAR, 2, 25)),
    ]:
        entry(a, person, code, points, on)
    entry(a, p[8], "base", 90, date(YEAR, 3, 3), status=EntryStatus.PROPOSED)

    b = make_scheme(branch_b, year=YEAR, policy="seed000_jiaozuo", mode="percent", aggregation="quarter_average",
                    floor_zero=True, veto_zeroes=False)
    n = {i: MemberFactory(organization=branch_b) for i in range(1, 5)}
    n[3].is_leading_cadre = True
    n[3].save()
    q = {i: member.person for i, member in n.items()}
    entry(a, q[4], "base", 70, date(YEAR, 2, 1))
    for person, code, points, on in [
        (q[1], "base", 120, date(YEAR, 1, 10)), (q[1], "base", 80, date(YEAR, 5, 10)), (q[1], "base", 90, date(YEAR, 11, 10)),
        (q[2], "base", 10, date(YEAR, 1, 10)), (q[2], "deduction", -30, date(YEAR, 2, 10)),
        (q[2], "base", 50, date(YEAR, 5, 10)), (q[2], "base", "33.33", date(YEAR, 8, 10)),
        (q[2], "veto", 0, date(YEAR, 8, 10)), (q[3], "base", 120, date(YEAR, 1, 10)),
        (q[3], "base", 80, date(YEAR, 5, 10)), (q[3], "base", 90, date(YEAR, 11, 10)), (q[4], "base", 45, date(YEAR, 5, 20)),
    ]:
        entry(b, person, code, points, on)

    branch_c = make_org(town, "南街社区党支部", "C01T01B03", "branch", domain="community")
    c = make_scheme(branch_c, year=YEAR)
    c.star_policy = {"excluded": ["exempt"]}
    c.save(update_fields=["star_policy"])
    c1, c2 = MemberFactory(organization=branch_c, is_exempt=True), MemberFactory(organization=branch_c)
    entry(c, c1.person, "base", 10, date(YEAR, 3, 1))
    entry(c, c2.person, "base", 5, date(YEAR, 3, 1))

    branch_d = make_org(town, "北街社区党支部", "C01T01B04", "branch", domain="community")
    d = make_scheme(branch_d, year=YEAR)
    d.star_policy = {}
    d.save(update_fields=["star_policy"])
    entry(d, MemberFactory(organization=branch_d).person, "base", 1, date(YEAR, 3, 1))
    return {"orgs": [branch_a.pk, branch_b.pk, branch_c.pk, branch_d.pk], "a": branch_a, "b": branch_b,
            "c": branch_c, "d": branch_d, "p": p, "q": q, "activist": activist_person}


@pytest.fixture
def portable(monkeypatch):
    """The portable path, whatever the database."""
    monkeypatch.setattr(services, "_set_based", lambda: False)


def freeze(orgs, number: int) -> dict[str, int]:
    return services.quarter_freeze(organization_ids=orgs, quarter=rules.Quarter(YEAR, number), publicize=False,
                                   today=date(YEAR, 10, 9))


def freezes() -> list[tuple]:
    return sorted(QuarterFreeze.objects.values_list("organization_id", "county_id", "year", "quarter", "people",
                                                    "analysis", "publicity_id"))


def results() -> list[tuple]:
    return sorted(QuarterResult.objects.values_list(
        "organization_id", "person_id", "year", "quarter", "base", "bonus", "deduction", "vetoed", "total", "rank",
        "is_member", "freeze__organization_id", "freeze__quarter"))


def proposals() -> list[tuple]:
    return sorted(StarProposal.objects.values_list(
        "organization_id", "county_id", "scheme_id", "year", "policy", "raised", "status", "participants", "quotas",
        "warnings", "decision_note"), key=repr)


def rows() -> list[tuple]:
    return sorted(StarRow.objects.values_list(
        "organization_id", "person_id", "proposal__organization_id", "year", "base", "bonus", "deduction", "vetoed",
        "total", "branch_rank", "rank", "exclusion", "is_member", "is_probationary", "is_secretary", "proposed_level",
        "level", "tie", "notes", "reason"))


def statements(captured: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


# --- what both paths compute --------------------------------------------------------------------------------


def test_rollup_rows_follow_the_points_rules(varied):
    assert services.rollup_branches(organization_ids=varied["orgs"], year=YEAR) == {"proposals": 3, "rows": 15}
    p, q = varied["p"], varied["q"]
    got = {r.person_id: (r.organization_id, r.base, r.bonus, r.deduction, r.vetoed, r.total, r.branch_rank,
                         r.exclusion, r.is_secretary) for r in StarRow.objects.exclude(organization=varied["c"])}
    a, b = varied["a"].pk, varied["b"].pk
    assert got == {
        p[1].pk: (a, D(60), D(12), D(-3), False, D(69), 1, "", False),  # 30 + 20 (year cap) + 10 (part cap)
        p[4].pk: (a, D(60), D(0), D(0), False, D(60), 2, "leading_cadre", False),
        p[3].pk: (a, D(50), D(0), D(0), False, D(50), 3, "exempt", False),
        p[6].pk: (a, D(35), D(0), D(0), False, D(35), 4, "", True),
        p[7].pk: (a, D(35), D(0), D(0), False, D(35), 4, "", False),
        varied["activist"].pk: (a, D(25), D(0), D(0), False, D(25), 6, "activist", False),
        p[5].pk: (a, D(20), D(0), D(0), False, D(20), 7, "new_member", False),
        p[2].pk: (a, D(40), D(5), D(0), True, D(0), 8, "", False),
        p[8].pk: (a, D(0), D(0), D(0), False, D(0), 8, "", False),
        q[1].pk: (b, D("72.50"), D(0), D(0), False, D("67.50"), 1, "", False),  # (100 + 80 + 0 + 90) / 4
        q[3].pk: (b, D("72.50"), D(0), D(0), False, D("67.50"), 1, "", False),
        q[2].pk: (b, D("23.33"), D(0), D("-7.50"), True, D("20.83"), 3, "", False),  # (0 + 50 + 33.33 + 0) / 4
        q[4].pk: (b, D("11.25"), D(0), D(0), False, D("11.25"), 4, "", False),
    }
    assert set(StarRow.objects.filter(organization=varied["c"]).values_list("exclusion", flat=True)) == {"", "exempt"}
    assert not StarProposal.objects.filter(organization=varied["d"]).exists()


def test_quarter_freeze_scores_the_quarter_alone(varied):
    assert freeze(varied["orgs"], 1) == {"frozen": 4, "people": 16, "publicized": 0}
    p, q = varied["p"], varied["q"]
    got = dict(QuarterResult.objects.values_list("person_id", "total"))
    assert got[p[1].pk] == D(51)  # 30 + 15 + 6 (quarter cap); not the next year's 100
    assert got[p[2].pk] == D(45)  # the veto is in the third quarter
    assert got[q[1].pk] == D(100) and got[q[2].pk] == D(0)  # divisor 1; 百分制 cap; never below zero
    assert QuarterResult.objects.get(person=varied["activist"]).is_member is False
    assert not QuarterResult.objects.filter(organization=varied["a"], person=q[4]).exists()
    assert QuarterFreeze.objects.get(organization=varied["b"]).people == 4


def test_portable_rollup_recomputes_an_undecided_proposal(varied, portable):
    services.rollup_branches(organization_ids=varied["orgs"], year=YEAR)
    entry(varied["a"].scoring_schemes.get(), varied["p"][8], "base", 5, date(YEAR, 6, 1))
    assert services.rollup_branches(organization_ids=varied["orgs"], year=YEAR) == {"proposals": 3, "rows": 15}
    assert StarRow.objects.get(person=varied["p"][8]).total == D(5)
    assert StarProposal.objects.count() == 3


def test_portable_freeze_leaves_a_frozen_branch_alone(varied, portable):
    freeze(varied["orgs"][:1], 1)
    assert freeze(varied["orgs"], 1) == {"frozen": 3, "people": 7, "publicized": 0}
    assert QuarterFreeze.objects.count() == 4
    assert QuarterResult.objects.filter(organization=varied["a"]).count() == 9


# --- the two paths agree ----------------------------------------------------------------------------------


@ONLY_PG
def test_freeze_paths_write_the_same_rows(varied, monkeypatch):
    with CaptureQueriesContext(connection) as sql_path:
        counts = [freeze(varied["orgs"], 1), freeze(varied["orgs"], 3)]
    expected = (freezes(), results())
    assert "RANK() OVER" in statements(sql_path)
    assert len(expected[1]) == 31 and any(r[7] for r in expected[1])
    QuarterResult.objects.all().delete()
    QuarterFreeze.objects.all().delete()
    monkeypatch.setattr(services, "_set_based", lambda: False)
    with CaptureQueriesContext(connection) as portable_path:
        assert [freeze(varied["orgs"], 1), freeze(varied["orgs"], 3)] == counts
    assert "RANK() OVER" not in statements(portable_path) and "unnest" not in statements(portable_path)
    assert (freezes(), results()) == expected


@ONLY_PG
def test_rollup_paths_write_the_same_rows(varied, monkeypatch):
    with CaptureQueriesContext(connection) as sql_path:
        counts = services.rollup_branches(organization_ids=varied["orgs"], year=YEAR)
    expected = (proposals(), rows())
    assert "RANK() OVER" in statements(sql_path)
    assert {r[11] for r in expected[1]} == {"", "activist", "exempt", "leading_cadre", "new_member"}
    assert any(r[14] for r in expected[1])  # a secretary
    assert any(r[17] for r in expected[1])  # a tie at a quota edge
    assert [p[5] for p in expected[0]].count(True) == 1  # branch B's raised shares
    StarProposal.objects.all().delete()
    monkeypatch.setattr(services, "_set_based", lambda: False)
    with CaptureQueriesContext(connection) as portable_path:
        assert services.rollup_branches(organization_ids=varied["orgs"], year=YEAR) == counts
    assert "RANK() OVER" not in statements(portable_path) and "unnest" not in statements(portable_path)
    assert (proposals(), rows()) == expected


@ONLY_PG
def test_recompute_paths_agree(varied, monkeypatch):
    """A recompute on the portable path over proposals the SQL opened leaves them as the SQL would."""
    services.rollup_branches(organization_ids=varied["orgs"], year=YEAR)
    entry(varied["b"].scoring_schemes.get(), varied["q"][4], "bonus", 9, date(YEAR, 11, 1))
    services.rollup_branches(organization_ids=varied["orgs"], year=YEAR)
    expected = (proposals(), rows())
    monkeypatch.setattr(services, "_set_based", lambda: False)
    services.rollup_branches(organization_ids=varied["orgs"], year=YEAR)
    assert (proposals(), rows()) == expected
    assert StarRow.objects.get(person=varied["q"][4]).bonus == D("2.25")


def test_branch_totals_without_a_published_scheme_is_empty(branch_a):
    MemberFactory(organization=branch_a)
    assert services.branch_totals([branch_a.pk], year=YEAR) == []

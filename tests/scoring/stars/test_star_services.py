"""Quarterly freeze, year-end rollup, decision, publicity, finalization, consequences, democratic evaluation."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.publicity.models import PublicityWindow
from audit.publicity.services import publicity_tick
from branches.life_models import CommitteeMember
from branches.models import Organization
from membership.models import MemberStatus
from partyadmin.errors import RuleViolation
from scoring.models import Entry, SectionKind
from scoring.stars import rules, selectors, services
from scoring.stars.models import (
    Consequence,
    ConsequenceKind,
    ConsequenceStatus,
    ProposalStatus,
    QuarterFreeze,
    QuarterResult,
    StarProposal,
    StarRow,
)
from tests.membership.factories import MemberFactory

from .conftest import give, make_scheme, members

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(branch_a, activist_person):
    """A worked example under 第十六、十七条 (2025), six participants and two people scored but not starred."""
    scheme = make_scheme(branch_a, year=2025, activist_min_score=D(90))
    m = {i: MemberFactory(organization=branch_a) for i in range(1, 7)}
    m[5].status = MemberStatus.PROBATIONARY
    m[5].save()
    cadre = MemberFactory(organization=branch_a, is_leading_cadre=True)
    CommitteeMember.objects.create(organization=branch_a, member=m[4], post="secretary", started_on=date(2021, 1, 1))
    plan = {
        1: [("base", 40, date(2025, 2, 10)), ("base", 40, date(2025, 8, 10)), ("bonus", 15, date(2025, 11, 20))],
        2: [("base", 60, date(2025, 3, 1)), ("bonus", 32, date(2025, 6, 1))],  # 92, base 60 < 70
        3: [("base", 78, date(2025, 5, 1)), ("bonus", 7, date(2025, 9, 1))],  # 85
        4: [("base", 75, date(2025, 4, 1)), ("deduction", -3, date(2025, 10, 1))],  # 72
        5: [("base", 65, date(2025, 7, 1))],  # 65
        6: [("base", 50, date(2025, 1, 5)), ("bonus", 5, date(2025, 2, 5)), ("veto", 0, date(2025, 6, 30))],
    }
    for i, rows in plan.items():
        for section, points, on in rows:
            give(scheme, m[i].person, points, section=section, on=on)
    give(scheme, cadre.person, 99, on=date(2025, 3, 3))
    give(scheme, activist_person, 88, on=date(2025, 3, 3))
    return {"scheme": scheme, "m": m, "cadre": cadre, "activist": activist_person}


def rollup(county, year=2025, user=None):
    return services.rollup_year(acting_user=user, county=county, year=year)


def test_rollup_worked_example(example, county, branch_a, alice):
    result = rollup(county, user=alice)
    assert result == {"proposals": 1, "rows": 8}
    proposal = StarProposal.objects.get(organization=branch_a, year=2025)
    assert proposal.participants == 6
    rows = {r.person_id: r for r in proposal.rows.all()}
    m = example["m"]
    expect = {  # person: (total, base, branch rank, proposed level)
        m[1].person_id: (D(95), D(80), 2, 5),
        m[2].person_id: (D(92), D(60), 3, 3),
        m[3].person_id: (D(85), D(78), 5, 4),
        m[4].person_id: (D(72), D(75), 6, 3),
        m[5].person_id: (D(65), D(65), 7, 2),
        m[6].person_id: (D(0), D(50), 8, 1),
    }
    for person_id, (total, base, rank, level) in expect.items():
        row = rows[person_id]
        assert (row.total, row.base, row.branch_rank, row.proposed_level) == (total, base, rank, level), person_id
    assert rows[m[4].person_id].deduction == D(-3)
    assert rows[m[6].person_id].vetoed and rows[m[6].person_id].bonus == D(5)
    assert any("基础积分低于70分" in n for n in rows[m[2].person_id].notes)
    assert rows[example["cadre"].person_id].exclusion == "leading_cadre"
    assert rows[example["cadre"].person_id].branch_rank == 1 and rows[example["cadre"].person_id].proposed_level is None
    assert rows[example["activist"].pk].exclusion == "activist" and not rows[example["activist"].pk].is_member
    assert rows[m[4].person_id].is_secretary and rows[m[5].person_id].is_probationary
    quotas = {q["level"]: q["seats"] for q in proposal.quotas}
    assert quotas == {5: 1, 4: 1, 3: 2}  # fewer than 10: still one 五星; floor(30% × 6), floor(40% × 6)


def test_rollup_is_idempotent_and_leaves_decided_branches_alone(example, county, branch_a, alice):
    rollup(county)
    first = list(StarRow.objects.order_by("person_id").values_list("person_id", "total", "proposed_level"))
    rollup(county)
    assert list(StarRow.objects.order_by("person_id").values_list("person_id", "total", "proposed_level")) == first
    proposal = StarProposal.objects.get()
    services.proposal_decide(acting_user=alice, proposal=proposal, meeting_on=date(2026, 1, 8), levels={},
                             today=date(2026, 1, 9))
    give(example["scheme"], example["m"][5].person, 30, on=date(2025, 12, 1))
    rollup(county)
    assert StarRow.objects.get(person=example["m"][5].person).total == D(65)


def _branches_with_members(town, n_branches, per_branch):
    from tests.conftest import make_org

    orgs = []
    for b in range(n_branches):
        org = make_org(town, f"第{b}支部", f"X{per_branch}B{b}", "branch", domain="community")
        scheme = make_scheme(org, year=2025, policy="seed000_jiaozuo")
        for i, member in enumerate(members(org, per_branch)):
            give(scheme, member.person, 50 + i, on=date(2025, 5, 1))
        orgs.append(org)
    return orgs


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="a fixed statement count is a property of the set-based SQL, which runs on PostgreSQL only")
def test_rollup_statement_count_does_not_grow_with_members(town):
    small = _branches_with_members(town, 2, 10)
    large = _branches_with_members(town, 2, 50)
    with CaptureQueriesContext(connection) as few:
        services.rollup_branches(organization_ids=[o.pk for o in small], year=2025)
    with CaptureQueriesContext(connection) as many:
        services.rollup_branches(organization_ids=[o.pk for o in large], year=2025)
    assert StarRow.objects.filter(organization__in=large).count() == 100
    assert len(many.captured_queries) == len(few.captured_queries) <= 12


def test_quarter_freeze_step_twice(working_calendar, branch_a, alice):
    scheme = make_scheme(branch_a, year=2026, policy="seed000_jiaozuo")
    people = members(branch_a, 4)
    for i, member in enumerate(people):
        give(scheme, member.person, 10 * (i + 1), on=date(2026, 8, 1))
        give(scheme, member.person, 5, section=SectionKind.BONUS, on=date(2026, 9, 30))
    give(scheme, people[0].person, 100, on=date(2026, 10, 2))  # next quarter: not counted
    q4 = rules.Quarter(2026, 4)
    first = services.first_working_day(q4)
    assert services.quarter_freeze_step(today=date(2026, 10, 1)) == {"frozen": 0}  # National Day: not yet
    assert services.quarter_freeze_step(today=first) == {"frozen": 1, "publicized": 1}
    assert services.quarter_freeze_step(today=first) == {"frozen": 0, "publicized": 0}
    freeze = QuarterFreeze.objects.get()
    assert (freeze.year, freeze.quarter, freeze.people) == (2026, 3, 4)
    results = list(QuarterResult.objects.order_by("rank").values_list("person_id", "total", "rank"))
    assert results[0] == (people[3].person_id, D(45), 1)
    assert results[-1] == (people[0].person_id, D(15), 4)
    assert freeze.analysis["average"] == "30.00"
    assert freeze.analysis["distribution"] == {"40–49": 1, "30–39": 1, "20–29": 1, "10–19": 1}
    window = PublicityWindow.objects.get(pk=freeze.publicity_id)
    assert window.kind == "scoring.quarter_ranking"
    snapshot = window.entries.first().snapshot
    assert set(snapshot) == {"name", "rank", "total"}


def test_quarter_freeze_hidden_ranking_is_not_publicized(working_calendar, branch_a):
    make_scheme(branch_a, year=2026, ranking_visibility="hidden")
    members(branch_a, 2)
    result = services.quarter_freeze_all(quarter=rules.Quarter(2026, 3), today=date(2026, 10, 9))
    assert result["frozen"] == 1 and result["publicized"] == 0
    assert QuarterResult.objects.count() == 2


def _decide(alice, proposal, levels=None, reasons=None, note=""):
    return services.proposal_decide(acting_user=alice, proposal=proposal, meeting_on=date(2026, 1, 8),
                                    levels=levels or {}, reasons=reasons or {}, note=note, today=date(2026, 1, 9))


def test_decision_constraints(example, county, alice):
    rollup(county)
    proposal = StarProposal.objects.get()
    row = {r.person_id: r for r in proposal.rows.all()}
    m = example["m"]
    with pytest.raises(RuleViolation, match="须说明理由"):
        _decide(alice, proposal, {row[m[3].person_id].pk: 5})
    with pytest.raises(RuleViolation, match="超过上限1人"):
        _decide(alice, proposal, {row[m[3].person_id].pk: 5}, {row[m[3].person_id].pk: "贡献突出"})
    with pytest.raises(RuleViolation, match="基础积分低于70分"):
        _decide(alice, proposal, {row[m[2].person_id].pk: 4, row[m[3].person_id].pk: 3},
                {row[m[2].person_id].pk: "x", row[m[3].person_id].pk: "y"})
    with pytest.raises(RuleViolation, match="一票否决"):
        _decide(alice, proposal, {row[m[6].person_id].pk: 2}, {row[m[6].person_id].pk: "x"})
    with pytest.raises(RuleViolation, match="不能晚于今天"):
        services.proposal_decide(acting_user=alice, proposal=proposal, meeting_on=date(2026, 2, 1), levels={},
                                 today=date(2026, 1, 9))
    # lowering a level within the constraints is allowed with a reason
    with pytest.raises(RuleViolation, match="三星3人，超过上限2人"):
        _decide(alice, proposal, {row[m[3].person_id].pk: 3}, {row[m[3].person_id].pk: "党员大会表决"})
    decided = _decide(alice, proposal, {row[m[3].person_id].pk: 2}, {row[m[3].person_id].pk: "党员大会表决"})
    assert decided.status == ProposalStatus.DECIDED
    assert StarRow.objects.get(pk=row[m[3].person_id].pk).level == 2
    assert StarRow.objects.get(pk=row[m[3].person_id].pk).reason == "党员大会表决"


def test_decision_warning_needs_the_meetings_note(branch_a, county, alice):
    scheme = make_scheme(branch_a, year=2025, policy="seed001_star_rating")
    people = members(branch_a, 10)
    for i, member in enumerate(people):
        give(scheme, member.person, 70 + i, on=date(2025, 6, 1))
    rollup(county)
    proposal = StarProposal.objects.get()
    rows = list(proposal.rows.order_by("branch_rank"))
    levels = {rows[1].pk: 5}
    reasons = {rows[1].pk: "群众公认"}
    with pytest.raises(RuleViolation, match="须在决定说明中写明"):
        _decide(alice, proposal, levels, reasons)
    assert _decide(alice, proposal, levels, reasons, note="党员大会一致同意").status == ProposalStatus.DECIDED


def test_publicity_finalize_and_consequences(working_calendar, example, county, branch_a, alice):
    m = example["m"]
    previous = StarProposal.objects.create(organization=branch_a, county=county, year=2024, policy={},
                                           status=ProposalStatus.FINAL)
    StarRow.objects.create(proposal=previous, organization=branch_a, person=m[6].person, year=2024, level=1)
    rollup(county)
    proposal = StarProposal.objects.get(year=2025)
    with pytest.raises(RuleViolation, match="党员大会决定后"):
        services.proposal_publicize(acting_user=alice, proposal=proposal, today=date(2026, 1, 9))
    _decide(alice, proposal)
    window = services.proposal_publicize(acting_user=alice, proposal=proposal, today=date(2026, 1, 9))
    names = {e.snapshot["name"] for e in window.entries.all()}
    assert example["activist"].name not in names and example["cadre"].person.name not in names
    assert all(set(e.snapshot) == {"name", "star"} for e in window.entries.all())
    with pytest.raises(RuleViolation, match="公示期尚未结束"):
        services.proposal_finalize(acting_user=alice, proposal=proposal, today=date(2026, 1, 10))
    publicity_tick(today=date(2026, 2, 10))
    services.proposal_finalize(acting_user=alice, proposal=proposal, today=date(2026, 2, 10))
    got = set(Consequence.objects.values_list("person_id", "kind"))
    assert got == {
        (m[4].person_id, ConsequenceKind.SECRETARY_INTERVIEW),
        (m[5].person_id, ConsequenceKind.TALK),
        (m[5].person_id, ConsequenceKind.EXTEND_PROBATION),
        (m[6].person_id, ConsequenceKind.KEY_MANAGEMENT),
        (m[6].person_id, ConsequenceKind.DISPOSAL),
        (example["activist"].pk, ConsequenceKind.CANCEL_ACTIVIST),
    }
    talk = Consequence.objects.get(kind=ConsequenceKind.TALK)
    assert talk.owner == alice and talk.due_on == date(2026, 3, 10)
    interview = Consequence.objects.get(kind=ConsequenceKind.SECRETARY_INTERVIEW)
    assert interview.owner is None and interview.owner_label == Organization.objects.get_parent(branch_a).name
    assert list(selectors.open_consequences(kinds=[ConsequenceKind.EXTEND_PROBATION],
                                            person_ids=[m[5].person_id])) == [
        Consequence.objects.get(kind=ConsequenceKind.EXTEND_PROBATION)]
    done = services.consequence_resolve(acting_user=alice, consequence=talk, note="已谈话")
    assert done.status == ConsequenceStatus.DONE
    with pytest.raises(RuleViolation, match="已办结"):
        services.consequence_resolve(acting_user=alice, consequence=talk, note="再次")
    assert not selectors.open_consequences(kinds=[ConsequenceKind.TALK]).exists()


def test_objection_upheld_sends_the_branch_back_to_its_meeting(working_calendar, example, county, alice):
    rollup(county)
    proposal = StarProposal.objects.get()
    _decide(alice, proposal)
    services.proposal_publicize(acting_user=alice, proposal=proposal, today=date(2026, 1, 9))
    row = proposal.rows.filter(level__isnull=False).first()
    services.publicity_objection_upheld(acting_user=alice, subject_id=str(row.pk), window=None, objection=None)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED and proposal.publicity_id is None


def test_democratic_evaluation_feeds_the_scheme(branch_a, alice):
    scheme = make_scheme(branch_a, year=2025)
    a, b = members(branch_a, 2)
    evaluation = services.evaluation_open(acting_user=alice, organization=branch_a, year=2025,
                                          held_on=date(2026, 1, 6), today=date(2026, 1, 9))
    with pytest.raises(RuleViolation, match="已经建立"):
        services.evaluation_open(acting_user=alice, organization=branch_a, year=2025, held_on=date(2026, 1, 6),
                                 today=date(2026, 1, 9))
    ra = services.evaluation_record(acting_user=alice, evaluation=evaluation, person=a.person, self_grade="优秀",
                                    member_votes={"优秀": 8, "合格": 2}, mass_opinions={"好": 7, "差": 3})
    rb = services.evaluation_record(acting_user=alice, evaluation=evaluation, person=b.person,
                                    member_votes={"合格": 6, "不合格": 4})
    assert (ra.grade, rb.grade) == ("优秀", "不合格")
    assert "党员评议不合格率超过30%" in rb.grade_reason
    with pytest.raises(RuleViolation, match="请填写党员评议票数"):
        services.evaluation_record(acting_user=alice, evaluation=evaluation, person=a.person, member_votes={})
    services.evaluation_close(acting_user=alice, evaluation=evaluation)
    entries = Entry.objects.filter(scheme=scheme, source="scoring.democratic_evaluation")
    assert {(e.person_id, e.points, e.occurred_on) for e in entries} == {
        (a.person_id, D(10), date(2025, 12, 31)), (b.person_id, D(0), date(2025, 12, 31))}
    with pytest.raises(RuleViolation, match="已完成"):
        services.evaluation_record(acting_user=alice, evaluation=evaluation, person=a.person,
                                   member_votes={"合格": 1})


def test_evaluation_refuses_people_of_another_branch(branch_a, branch_b, alice):
    outsider = MemberFactory(organization=branch_b)
    evaluation = services.evaluation_open(acting_user=alice, organization=branch_a, year=2025,
                                          held_on=date(2025, 12, 20), today=date(2026, 1, 9))
    with pytest.raises(RuleViolation, match="只能评议本支部党员"):
        services.evaluation_record(acting_user=alice, evaluation=evaluation, person=outsider.person,
                                   member_votes={"合格": 3})


def test_year_rollup_step_runs_in_january_once(working_calendar, example):
    assert services.year_rollup_step(today=date(2025, 12, 31)) == {"proposals": 0}
    assert services.year_rollup_step(today=date(2026, 1, 20)) == {"proposals": 1}
    assert services.year_rollup_step(today=date(2026, 1, 21)) == {"proposals": 0}
    assert StarProposal.objects.get().participants == 6

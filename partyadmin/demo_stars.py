"""Demo ranking and stars for 东关社区党支部 (DEMO-CG-DG): the 2025 year under the 焦作 scheme — points,
the year's democratic evaluation (which feeds the points), the star proposal, the general meeting's
decision with its reasons, the publicity, the final result and its consequences (one already
resolved) — and, when the branch's 2026 scheme and entries exist (demo_scoring runs first), the third
quarter of 2026 frozen, ranked and publicized. Keyed by branch and year: a second run writes nothing."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from branches.models import Organization
from membership.models import Member
from scoring import services as scoring
from scoring.models import Scheme, SchemeStatus
from scoring.stars import rules, services
from scoring.stars.models import (
    Consequence,
    ConsequenceKind,
    ConsequenceStatus,
    DemocraticEvaluation,
    EvaluationStatus,
    ProposalStatus,
    QuarterFreeze,
    StarProposal,
)

BRANCH = "DEMO-CG-DG"
YEAR = 2025


def build(organizations: dict[str, Organization], today: date) -> None:
    branch = organizations[BRANCH]
    secretary = get_user_model().objects.get(username="dg_shuji")
    people = list(Member.objects.filter(organization=branch, is_active=True).select_related("person").order_by("pk"))
    if not people:
        return
    scheme = _scheme_2025(branch, secretary, people)
    _evaluation_2025(branch, secretary, people)
    _stars_2025(branch, secretary, scheme)
    _quarter_2026(branch, secretary, today)


def _scheme_2025(branch: Organization, user, people: list[Member]) -> Scheme:
    scheme = Scheme.objects.filter(organization=branch, year=YEAR).first()
    if scheme is not None:
        return scheme
    scheme = scoring.scheme_create_from_template(acting_user=user, organization=branch, year=YEAR,
                                                 template_code="seed000_jiaozuo")
    scoring.scheme_announce(acting_user=user, scheme=scheme, announced_on=date(YEAR, 1, 10))
    scheme = scoring.scheme_publish(acting_user=user, scheme=scheme)
    items = {item.code: item for item in scheme.items.all()}
    for month in range(1, 13):
        on = date(YEAR, month, 15)
        ids = [m.person_id for n, m in enumerate(people) if (n + month) % 7 != 0]
        scoring.entries_record(acting_user=user, scheme=scheme, item=items["b4"], person_ids=ids, occurred_on=on,
                               confirm_body="committee", decided_on=on)
        for n, member in enumerate(people):
            if (n * month) % 5 < 3:
                scoring.entries_record(acting_user=user, scheme=scheme, item=items["b5"], person_ids=[member.person_id],
                                       occurred_on=on, points=Decimal(1 + (n + month) % 5), confirm_body="committee",
                                       decided_on=on)
    for n, member in enumerate(people[:6]):
        on = date(YEAR, 6 + n, 20)
        scoring.entries_record(acting_user=user, scheme=scheme, item=items["c1"], person_ids=[member.person_id],
                               occurred_on=on, points=Decimal(10 - n), note="防汛抢险中带头值守", confirm_body="committee",
                               decided_on=on)
    for member in people[-3:]:
        on = date(YEAR, 9, 10)
        scoring.entries_record(acting_user=user, scheme=scheme, item=items["d2"], person_ids=[member.person_id],
                               occurred_on=on, note="未完成网格走访任务", confirm_body="committee", decided_on=on)
    return scheme


def _evaluation_2025(branch: Organization, user, people: list[Member]) -> None:
    evaluation = DemocraticEvaluation.objects.filter(organization=branch, year=YEAR).first()
    if evaluation is not None and evaluation.status == EvaluationStatus.CLOSED:
        return
    if evaluation is None:
        evaluation = services.evaluation_open(acting_user=user, organization=branch, year=YEAR,
                                              held_on=date(YEAR, 12, 20), today=date(YEAR + 1, 1, 5))
    size = len(people)
    for n, member in enumerate(people):
        if n < 5:
            votes = {"优秀": size - 4, "合格": 3}
        elif n >= size - 1:
            votes = {"合格": size - 12, "基本合格": 5, "不合格": 6}
        else:
            votes = {"优秀": 4, "合格": size - 8, "基本合格": 1}
        services.evaluation_record(acting_user=user, evaluation=evaluation, person=member.person,
                                   self_grade="合格", member_votes=votes,
                                   mass_opinions={"好": 8, "一般": 2, "差": 1 if n < size - 1 else 4})
    services.evaluation_close(acting_user=user, evaluation=evaluation)


def _stars_2025(branch: Organization, user, scheme: Scheme) -> None:
    proposal = StarProposal.objects.filter(organization=branch, year=YEAR).first()
    if proposal is None:
        services.rollup_branches(organization_ids=[branch.pk], year=YEAR)
        proposal = StarProposal.objects.get(organization=branch, year=YEAR)
    if proposal.status == ProposalStatus.PROPOSED:
        rows = list(proposal.rows.filter(exclusion="").order_by("-branch_rank", "-person_id"))
        levels, reasons = {}, {}
        for row, (level, reason) in zip(rows, [(1, "年度积分末位，经党员大会表决列为一星"),
                                               (2, "受违规扣分，经党员大会表决评为二星"),
                                               (2, "受违规扣分，经党员大会表决评为二星")], strict=False):
            if row.vetoed:
                continue
            levels[row.pk], reasons[row.pk] = level, reason
        services.proposal_decide(acting_user=user, proposal=proposal, meeting_on=date(YEAR + 1, 1, 8),
                                 levels=levels, reasons=reasons, note="支部党员大会根据年度积分排名逐一表决。",
                                 today=date(YEAR + 1, 1, 9))
        proposal.refresh_from_db()
    if proposal.status == ProposalStatus.DECIDED:
        services.proposal_publicize(acting_user=user, proposal=proposal, today=date(YEAR + 1, 1, 12))
        proposal.refresh_from_db()
    if proposal.status == ProposalStatus.PUBLICIZED:
        from audit.publicity.services import publicity_tick

        publicity_tick(today=date(YEAR + 1, 1, 26))
        services.proposal_finalize(acting_user=user, proposal=proposal, today=date(YEAR + 1, 1, 26))
        talk = Consequence.objects.filter(proposal=proposal, kind=ConsequenceKind.TALK,
                                          status=ConsequenceStatus.OPEN).order_by("pk").first()
        if talk is not None:
            services.consequence_resolve(acting_user=user, consequence=talk,
                                         note="2026年2月3日支部书记与其谈话，指出不足，本人表示改进。")


def _quarter_2026(branch: Organization, user, today: date) -> None:
    quarter = rules.Quarter(2026, 3)
    if today < date(2026, 10, 9) or QuarterFreeze.objects.filter(
            organization=branch, year=quarter.year, quarter=quarter.number).exists():
        return
    if not Scheme.objects.filter(organization=branch, year=quarter.year, status=SchemeStatus.PUBLISHED).exists():
        return
    services.quarter_freeze(organization_ids=[branch.pk], quarter=quarter, acting_user=user, today=date(2026, 10, 9))

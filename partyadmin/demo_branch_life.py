"""Demo branch life: a year of dues in two branches (with members owing and one lapse candidate),
a committee election, a term close to its end and an overdue term extended with approval.
Keyed by member and year, by organization and date: a re-run adds nothing."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from branches import services as branch_services
from branches.dues import services as dues
from branches.dues.models import DuesBase, DuesPayment
from branches.life_models import Election
from branches.models import Organization
from membership.models import Member, MemberStatus
from partyadmin import workdays

YEAR = 2026


def build(organizations: dict[str, Organization], today: date) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["dg_shuji", "hk_shuji", "xian_zzb"])}
    _dues(organizations["DEMO-CG-DG"], users["dg_shuji"], today, salaried=True)
    _dues(organizations["DEMO-HK-HK"], users["hk_shuji"], today, salaried=False)
    dues.dues_tick(today=today)
    _election(organizations["DEMO-HK-HK"], users["hk_shuji"], today)
    _terms(organizations, users["xian_zzb"], today)
    branch_services.terms_tick(today=today)


def _dues(branch: Organization, secretary, today: date, *, salaried: bool) -> None:
    """Bases for the year; most pay quarterly up to last month, one owes four months, one nothing since January.
    Keyed by the branch: members the later demo steps admit are left to the branch to enter."""
    if DuesBase.objects.filter(member__organization=branch, year=YEAR).exists():
        return
    last_month = today.month - 1 if today.year == YEAR else 12
    members = list(Member.objects.filter(organization=branch, is_active=True).select_related("person").order_by("pk"))
    for index, member in enumerate(members):
        if member.joined_on.year >= YEAR or DuesBase.objects.filter(member=member, year=YEAR).exists():
            continue
        if salaried:
            category = "retired" if member.person.birth_date.year < 1966 else "salaried"
            base = dues.dues_base_set(acting_user=secretary, member=member, year=YEAR, category=category,
                                      monthly_income_base=Decimal(3200 + (index % 7) * 450))
        else:
            base = dues.dues_base_set(acting_user=secretary, member=member, year=YEAR, category="farmer",
                                      fixed_amount=Decimal("0.50"))
        if DuesPayment.objects.filter(member=member).exists():
            continue
        paid_up_to = {0: 0, 1: max(0, last_month - 4)}.get(index, last_month)
        month = 1
        while month <= paid_up_to:
            to_month = min(month + 2, paid_up_to)
            dues.dues_payment_record(
                acting_user=secretary, member=member, year=YEAR, from_month=month, to_month=to_month,
                amount=base.monthly_amount * (to_month - month + 1), paid_on=date(YEAR, to_month, 25),
                method="cash" if index % 3 else "online", today=today,
            )
            month = to_month + 1


def _election(branch: Organization, secretary, today: date) -> None:
    held_on = date(YEAR, 3, 6)
    if Election.objects.filter(organization=branch, held_on=held_on).exists() or today < held_on:
        return
    full = list(Member.objects.filter(organization=branch, status=MemberStatus.FULL, is_active=True).order_by("pk"))
    electorate = len(full)
    voters = electorate - max(1, electorate // 10)
    posts = ["secretary", "deputy", "organization", "propaganda", "discipline"]
    candidates = [
        branch_services.CandidateInput(name=m.person.name, member=m, votes=voters - n, post=posts[n])
        for n, m in enumerate(full[:5])
    ]
    candidates.append(branch_services.CandidateInput(name=full[5].person.name, member=full[5], votes=voters // 3))
    branch_services.election_record(
        acting_user=secretary, organization=branch, held_on=held_on, kind="general", seats=5,
        electorate=electorate, voters=voters, candidates=candidates, term_years=3,
        approved_by_superior="河口镇党委 河党〔2026〕8号", minutes="支部党员大会换届选举，无记名投票，差额选举。", today=today,
    )


def _terms(organizations: dict[str, Organization], reviewer, today: date) -> None:
    soon = organizations["DEMO-CG-XG"]  # ends within three months of the demo's today
    started = workdays.add_months(today, 2).replace(year=today.year - 3)
    if soon.term_started_on != started:
        branch_services.term_set(acting_user=None, organization=soon, started_on=started, years=3)
    overdue = organizations["DEMO-QS-SM"]
    started = date(YEAR - 3, 6, 1)
    if overdue.term_started_on != started:
        branch_services.term_set(acting_user=None, organization=overdue, started_on=started, years=3)
        overdue.refresh_from_db()
        branch_services.term_extend(
            acting_user=reviewer, organization=overdue, extended_until=date(YEAR + 1, 3, 1),
            approved_on=date(YEAR, 5, 20), approval="县委组织部 组通〔2026〕15号",
            reason="村“两委”换届统一安排，支部换届延至明年一季度。",
        )

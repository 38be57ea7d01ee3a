"""Dues paid become points entries (seed 000 二(一): 基础积分 "包括…自觉交纳党费"): the selector of months paid in
`branches.dues` and the daily step `scoring.services.dues_entries_sync`."""

from datetime import date
from decimal import Decimal

import pytest

from audit.models import Event
from branches.dues import selectors as dues_selectors
from branches.dues import services as dues_services
from branches.dues.models import DuesCategory, PaymentMethod
from partyadmin import jobs
from partyadmin.errors import RuleViolation
from scoring import selectors, services
from scoring.models import ConfirmBody, Entry, EntryOrigin, EntryStatus
from scoring.templates_builtin import DUES, TEMPLATES
from tests.membership.factories import MemberFactory

from .conftest import item, published

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2026


@pytest.fixture
def payer(branch_a):
    return MemberFactory(organization=branch_a, joined_on=date(2010, 5, 1), person__name="张交费")


@pytest.fixture
def payer_b(branch_b):
    return MemberFactory(organization=branch_b, joined_on=date(2012, 3, 1), person__name="李外支")


def pay(member, from_month: int, to_month: int, paid_on: date):
    """A salaried member with a 4000-yuan base (40.00 a month) pays `from_month`…`to_month` of YEAR."""
    if not member.dues_bases.filter(year=YEAR).exists():
        dues_services.dues_base_set(acting_user=None, member=member, year=YEAR, category=DuesCategory.SALARIED,
                                    monthly_income_base=D("4000"))
    return dues_services.dues_payment_record(
        acting_user=None, member=member, year=YEAR, from_month=from_month, to_month=to_month,
        amount=D("40.00") * (to_month - from_month + 1), paid_on=paid_on, method=PaymentMethod.CASH,
        today=date(YEAR, 12, 31),
    )


def scheme_with(alice, branch, template: str = "seed000_jiaozuo", code: str = "b3", **change):
    """The branch's published scheme of YEAR, with item `code` changed before publication."""
    if not change:
        return published(alice, branch, YEAR, template)
    scheme = services.scheme_create_from_template(acting_user=alice, organization=branch, year=YEAR,
                                                  template_code=template)
    services.item_change(acting_user=alice, item=item(scheme, code), **change)
    services.scheme_announce(acting_user=alice, scheme=scheme, announced_on=date(YEAR, 1, 1))
    return services.scheme_publish(acting_user=alice, scheme=scheme)


def dues_entries():
    return Entry.objects.filter(source=DUES).order_by("source_key")


# --- the templates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("template", "code"), [("seed000_jiaozuo", "b3"), ("seed002_district", "b2")])
def test_monthly_dues_items_are_bound_to_the_dues_source(template, code):
    """000 二(一): "包括党员按时参加“三会一课”、组织生活会、“主题党日”，自觉交纳党费" — one point a month paid on
    time, at most 12 a year; the clerk does not enter it by hand."""
    data = next(d for d in TEMPLATES[template].items if d["code"] == code)
    assert (data["source"], data["value_points"], data["cap"], data["allow_clerk"]) == (
        DUES, {"on_time": "1"}, "12", False)


def test_clerk_cannot_enter_the_dues_item_by_hand(alice, branch_a, payer):
    scheme = scheme_with(alice, branch_a)
    with pytest.raises(RuleViolation) as error:
        services.entries_record(acting_user=alice, scheme=scheme, item=item(scheme, "b3"),
                                person_ids=[payer.person_id], occurred_on=date(YEAR, 3, 10), points=D("1"))
    assert error.value.code == "scoring.not_clerk_item"


# --- the selector -----------------------------------------------------------------------------------------


def test_paid_on_the_last_day_of_the_month_is_on_time_the_day_after_is_late(branch_a, payer):
    later = MemberFactory(organization=branch_a, joined_on=date(2010, 5, 1))
    pay(payer, 2, 2, date(YEAR, 2, 28))
    pay(later, 2, 2, date(YEAR, 3, 1))
    rows = dues_selectors.paid_months(organization_ids=[branch_a.pk], year=YEAR, up_to_month=2)
    assert [(r["member_id"], r["month"], r["on_time"]) for r in rows] == [(payer.pk, 2, True), (later.pk, 2, False)]


def test_selector_leaves_out_months_after_the_reference_month_and_cancelled_payments(branch_a, payer):
    pay(payer, 1, 6, date(YEAR, 1, 10))
    cancelled = pay(payer, 7, 9, date(YEAR, 7, 1))
    dues_services.dues_payment_cancel(acting_user=None, payment=cancelled, reason="金额登记错误")
    rows = dues_selectors.paid_months(organization_ids=[branch_a.pk], year=YEAR, up_to_month=8)
    assert [(r["month"], r["paid_on"], r["on_time"], r["person_id"]) for r in rows] == [
        (m, date(YEAR, 1, 10), True, payer.person_id) for m in range(1, 7)]


def test_selector_query_count_does_not_grow_with_members(branch_a, django_assert_num_queries):
    members = [MemberFactory(organization=branch_a, joined_on=date(2010, 5, 1)) for _ in range(5)]
    pay(members[0], 1, 3, date(YEAR, 1, 5))
    with django_assert_num_queries(1):
        assert len(dues_selectors.paid_months(organization_ids=[branch_a.pk], year=YEAR, up_to_month=12)) == 3
    for member in members[1:]:
        pay(member, 1, 3, date(YEAR, 1, 5))
    with django_assert_num_queries(1):
        assert len(dues_selectors.paid_months(organization_ids=[branch_a.pk], year=YEAR, up_to_month=12)) == 15


# --- the daily step ---------------------------------------------------------------------------------------


def test_quarterly_payment_in_advance_creates_three_entries_of_one_point(alice, branch_a, payer):
    """"可以每季度交纳一次，也可以预交": paid on 10 January for January to March, each month counts on time."""
    scheme = scheme_with(alice, branch_a)
    pay(payer, 1, 3, date(YEAR, 1, 10))
    assert services.dues_entries_sync(today=date(YEAR, 3, 31)) == {"branches": 1, "created": 3}
    rows = [(e.source_key, e.person_id, e.item_id, e.points, e.occurred_on, e.note) for e in dues_entries()]
    assert rows == [
        (f"{DUES}:{payer.pk}:{YEAR}-01", payer.person_id, item(scheme, "b3").pk, D("1"), date(YEAR, 1, 10),
         f"{YEAR}年1月党费 按时交纳"),
        (f"{DUES}:{payer.pk}:{YEAR}-02", payer.person_id, item(scheme, "b3").pk, D("1"), date(YEAR, 2, 1),
         f"{YEAR}年2月党费 按时交纳"),
        (f"{DUES}:{payer.pk}:{YEAR}-03", payer.person_id, item(scheme, "b3").pk, D("1"), date(YEAR, 3, 1),
         f"{YEAR}年3月党费 按时交纳"),
    ]
    assert {(e.status, e.origin, e.confirm_body) for e in dues_entries()} == {
        (EntryStatus.CONFIRMED, EntryOrigin.AUTOMATIC, ConfirmBody.AUTOMATIC)}
    assert Event.objects.filter(action="scoring.entry.automatic").count() == 3


def test_running_twice_creates_nothing_new(alice, branch_a, payer):
    scheme_with(alice, branch_a)
    pay(payer, 1, 3, date(YEAR, 1, 10))
    services.dues_entries_sync(today=date(YEAR, 3, 31))
    counts = (Entry.objects.count(), Event.objects.count())
    assert services.dues_entries_sync(today=date(YEAR, 3, 31)) == {"branches": 1, "created": 0}
    assert (Entry.objects.count(), Event.objects.count()) == counts


def test_months_after_this_month_wait_for_their_month(alice, branch_a, payer):
    """A year paid in advance scores month by month: in March, three months; in April, the fourth."""
    scheme_with(alice, branch_a)
    pay(payer, 1, 12, date(YEAR, 1, 5))
    assert services.dues_entries_sync(today=date(YEAR, 3, 15))["created"] == 3
    assert services.dues_entries_sync(today=date(YEAR, 4, 1))["created"] == 1
    assert dues_entries().last().source_key == f"{DUES}:{payer.pk}:{YEAR}-04"


def test_cancelled_payment_creates_no_entry(alice, branch_a, payer):
    scheme_with(alice, branch_a)
    payment = pay(payer, 1, 3, date(YEAR, 1, 10))
    dues_services.dues_payment_cancel(acting_user=None, payment=payment, reason="重复登记")
    assert services.dues_entries_sync(today=date(YEAR, 3, 31)) == {"branches": 1, "created": 0}
    assert not dues_entries().exists()


def test_late_month_scores_nothing_under_the_template(alice, branch_a, payer):
    """"自觉按月交纳党费": January and February paid on 20 March are late and score nothing; March is on time."""
    scheme_with(alice, branch_a)
    pay(payer, 1, 3, date(YEAR, 3, 20))
    assert services.dues_entries_sync(today=date(YEAR, 3, 31))["created"] == 1
    assert list(dues_entries().values_list("source_key", "points")) == [(f"{DUES}:{payer.pk}:{YEAR}-03", D("1"))]


def test_late_month_gets_the_late_value_the_scheme_sets(alice, branch_a, payer):
    scheme_with(alice, branch_a, value_points={"on_time": "1", "late": "0.5"})
    pay(payer, 2, 2, date(YEAR, 3, 5))
    services.dues_entries_sync(today=date(YEAR, 3, 31))
    entry = dues_entries().get()
    assert (entry.points, entry.occurred_on, entry.note) == (D("0.5"), date(YEAR, 3, 5), f"{YEAR}年2月党费 逾期交纳")


def test_the_yearly_cap_of_12_holds(alice, branch_a, payer):
    """"自觉按月交纳党费" at most 12 a year: a scheme counting 2 a month still gives 12 for the year."""
    scheme = scheme_with(alice, branch_a, value_points={"on_time": "2"})
    pay(payer, 1, 12, date(YEAR, 1, 5))
    assert services.dues_entries_sync(today=date(YEAR, 12, 31))["created"] == 12
    assert sum(dues_entries().values_list("points", flat=True)) == D("24")
    score = selectors.scheme_scores(scheme, [payer.person_id])[payer.person_id]
    assert score.year.by_item[item(scheme, "b3").pk] == D("12") and score.total == D("12")


def test_branch_without_a_dues_item_gets_no_entry(alice, branch_a, branch_b, payer, payer_b):
    """001 社区 scores dues as a deduction ("未按时足额交纳党费"), not from payments."""
    scheme_with(alice, branch_a)
    published(alice, branch_b, YEAR, "seed001_community")
    pay(payer, 1, 3, date(YEAR, 1, 10))
    pay(payer_b, 1, 3, date(YEAR, 1, 10))
    assert services.dues_entries_sync(today=date(YEAR, 3, 31)) == {"branches": 1, "created": 3}
    assert set(dues_entries().values_list("organization_id", flat=True)) == {branch_a.pk}


def test_dues_step_runs_daily_after_attendance():
    names = [step.name for step in jobs.daily_steps()]
    assert names.index("scoring_dues") == names.index("scoring_attendance") + 1

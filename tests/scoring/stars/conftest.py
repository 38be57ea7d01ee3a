"""Helpers for the ranking and stars tests: a published scheme with one item per section, and confirmed
entries written directly (the scoring core's own tests cover how entries get confirmed)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from scoring.models import Entry, EntryStatus, Item, Scheme, SchemeStatus, SectionKind
from scoring.stars.presets import star_policy
from tests.membership.factories import MemberFactory, PersonFactory

EVALUATION_SOURCE = "scoring.democratic_evaluation"


def make_scheme(organization, year=2026, policy="seed001_threshold", **extra) -> Scheme:
    scheme = Scheme.objects.create(
        organization=organization, county=organization.county, year=year, title="党员积分方案",
        status=SchemeStatus.PUBLISHED, mode=extra.pop("mode", "cumulative"), star_policy_key=policy,
        star_policy=star_policy(policy), published_at=timezone.now(), **extra)
    for order, section in enumerate(SectionKind.values):
        Item.objects.create(scheme=scheme, code=section, name=f"{section}项目", section=section, order=order,
                            points=Decimal(1))
    Item.objects.create(scheme=scheme, code="eval", name="民主评议", section=SectionKind.BONUS, order=9,
                        source=EVALUATION_SOURCE, value_points={"优秀": 10, "合格": 6, "基本合格": 3, "不合格": 0})
    return scheme


def give(scheme: Scheme, person, points, *, section=SectionKind.BASE, on=date(2026, 8, 15)) -> Entry:
    item = scheme.items.get(code=section)
    now = datetime(on.year, on.month, on.day, 4, tzinfo=UTC)
    return Entry.objects.create(
        scheme=scheme, organization=scheme.organization, county=scheme.county, person_id=getattr(person, "pk", person),
        item=item, section=section, points=Decimal(str(points)), occurred_on=on, status=EntryStatus.CONFIRMED,
        proposed_at=now, confirmed_at=now)


def members(organization, n, **extra):
    return [MemberFactory(organization=organization, **extra) for _ in range(n)]


@pytest.fixture
def activist_person(branch_a):
    return PersonFactory(county=branch_a.county)

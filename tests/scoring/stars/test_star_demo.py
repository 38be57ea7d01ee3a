"""The stars demo: built on top of `seed_demo` and the points demo; a second run creates nothing and
records no event."""

import pytest
from django.urls import reverse

from audit.models import Event
from branches.models import Organization
from partyadmin import demo_stars
from partyadmin.demo_data import seed_demo
from partyadmin.demo_oversight import demo_today
from scoring.stars.models import (
    Consequence,
    ConsequenceStatus,
    DemocraticEvaluation,
    ProposalStatus,
    QuarterFreeze,
    StarProposal,
    StarRow,
)

pytestmark = pytest.mark.django_db


def _points_2026(branch):
    """The branch's 2026 points as the points demo leaves them (a published scheme with entries)."""
    from datetime import date

    from membership.models import Member
    from scoring.models import Scheme

    from .conftest import give, make_scheme

    if Scheme.objects.filter(organization=branch, year=2026).exists():
        return
    scheme = make_scheme(branch, year=2026, policy="seed000_jiaozuo")
    for n, member in enumerate(Member.objects.filter(organization=branch, is_active=True).order_by("pk")):
        give(scheme, member.person, 5 + n % 9, on=date(2026, 8, 3))


def test_demo_stars_builds_once(working_calendar, client):
    seed_demo()
    organizations = {o.code: o for o in Organization.objects.filter(code__startswith="DEMO")}
    _points_2026(organizations["DEMO-CG-DG"])
    demo_stars.build(organizations, demo_today())
    counts = (StarProposal.objects.count(), StarRow.objects.count(), Consequence.objects.count(),
              QuarterFreeze.objects.count(), DemocraticEvaluation.objects.count(), Event.objects.count())
    demo_stars.build(organizations, demo_today())
    assert (StarProposal.objects.count(), StarRow.objects.count(), Consequence.objects.count(),
            QuarterFreeze.objects.count(), DemocraticEvaluation.objects.count(), Event.objects.count()) == counts
    proposal = StarProposal.objects.get(organization__code="DEMO-CG-DG", year=2025)
    assert proposal.status == ProposalStatus.FINAL
    assert proposal.rows.filter(level=5).exists() and proposal.rows.filter(level=1).exists()
    assert Consequence.objects.filter(status=ConsequenceStatus.OPEN).exists()
    assert Consequence.objects.filter(status=ConsequenceStatus.DONE).count() == 1
    freeze = QuarterFreeze.objects.get(organization__code="DEMO-CG-DG", year=2026, quarter=3)
    assert freeze.people > 20 and freeze.publicity_id
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="dg_shuji"))
    assert client.get(reverse("stars:proposal", args=[proposal.pk])).status_code == 200
    assert client.get(reverse("stars:quarter", args=[freeze.pk])).status_code == 200

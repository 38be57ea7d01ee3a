"""`partyadmin.demo_standards`: the 2026 round with one passing and one failing branch; a second run writes nothing."""

import pytest

from audit.models import Event
from branches.models import Organization
from branches.standards.models import Assessment, AssessmentRound, AssessmentStatus, Rectification
from partyadmin import demo_standards
from partyadmin.demo_data import seed_demo
from partyadmin.demo_oversight import demo_today

pytestmark = pytest.mark.django_db


def test_demo_round_with_a_passing_and_a_failing_branch():
    seed_demo()
    organizations = {o.code: o for o in Organization.objects.filter(code__startswith="DEMO")}
    demo_standards.build(organizations, demo_today())
    round_ = AssessmentRound.objects.get(county=organizations["DEMO"], year=2026)
    passing = Assessment.objects.get(round=round_, organization=organizations[demo_standards.PASSING])
    failing = Assessment.objects.get(round=round_, organization=organizations[demo_standards.FAILING])
    assert passing.status == failing.status == AssessmentStatus.RATED
    assert passing.passed is True and passing.review_total >= 85
    assert failing.passed is False
    assert Rectification.objects.filter(assessment=failing).exists()
    counts = (Assessment.objects.count(), Rectification.objects.count(), Event.objects.count())
    demo_standards.build(organizations, demo_today())
    assert (Assessment.objects.count(), Rectification.objects.count(), Event.objects.count()) == counts

"""The demo points: a real score page for dg_dangyuan; running the build again adds nothing."""

import pytest
from django.urls import reverse

from audit.models import Event
from branches.models import Organization
from partyadmin import demo_scoring
from partyadmin.demo_data import seed_demo
from partyadmin.demo_oversight import demo_today
from scoring.models import Appeal, Entry, EntryStatus, Scheme

pytestmark = pytest.mark.django_db


def test_demo_scoring_builds_once_and_shows_a_score(client):
    seed_demo()
    organizations = {o.code: o for o in Organization.objects.filter(code__startswith="DEMO")}
    demo_scoring.build(organizations, demo_today())
    counts = (Scheme.objects.count(), Entry.objects.count(), Appeal.objects.count(), Event.objects.count())
    assert Scheme.objects.filter(year=demo_today().year).count() == 2  # 东关社区 and 河口村 (stars adds 2025's)
    assert counts[1] > 300 and counts[2] == 1
    assert Entry.objects.filter(status=EntryStatus.PROPOSED).count() >= 4
    assert Entry.objects.filter(source="meetings.attendance").exists()
    demo_scoring.build(organizations, demo_today())
    assert (Scheme.objects.count(), Entry.objects.count(), Appeal.objects.count(), Event.objects.count()) == counts
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="dg_dangyuan"))
    html = client.get(reverse("scoring:mine") + "?year=2026").content.decode()
    assert "东关社区党支部" in html and "年初记基础积分" in html and "待认定" in html

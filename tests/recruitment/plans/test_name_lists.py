"""Name-list pages: the pipeline offers the candidates (registry), the officer sends them for pre-review, the
county decides on the filing; outsiders get 404."""

import pytest
from django.urls import reverse

from recruitment.plans import registry
from recruitment.plans.models import NameList

from .conftest import YEAR, candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(county, monkeypatch):
    people = [candidate(county, "甲候选"), candidate(county, "乙候选")]

    def provider(*, organization, year):
        return people

    monkeypatch.setattr(registry, "_candidate_providers", [provider])
    return people


def test_officer_sends_the_offered_people(client_for, alice, branch_a, county, offered, working_calendar):
    client = client_for(alice)
    page = client.get(reverse("recruitment_plans:name_list_create", args=[branch_a.pk]))
    assert "甲候选" in page.content.decode()
    response = client.post(reverse("recruitment_plans:name_list_create", args=[branch_a.pk]),
                           {"year": YEAR, "people": [str(offered[0].pk)], "note": "请预审"})
    name_list = NameList.objects.get()
    assert response.status_code == 302
    assert [e.person for e in name_list.entries.all()] == [offered[0]]
    assert name_list.filing.to_organization == county
    detail = client.get(reverse("recruitment_plans:name_list_detail", args=[name_list.pk])).content.decode()
    assert "甲候选" in detail and "待预审" in detail
    assert "东街社区党支部" in client.get(reverse("recruitment_plans:name_lists")).content.decode()


def test_a_person_not_offered_cannot_be_sent(client_for, alice, branch_a, county, offered):
    stranger = candidate(county, "未提供")
    response = client_for(alice).post(reverse("recruitment_plans:name_list_create", args=[branch_a.pk]),
                                      {"year": YEAR, "people": [str(stranger.pk)]})
    assert response.status_code == 200
    assert not NameList.objects.exists()


def test_a_reviewer_may_read_but_not_send(client_for, rita, town, offered):
    response = client_for(rita).get(reverse("recruitment_plans:name_list_create", args=[town.pk]))
    assert response.status_code == 403


def test_outsiders_get_404(client_for, alice, charlie, oscar, branch_a, county, offered, working_calendar):
    client = client_for(alice)
    client.post(reverse("recruitment_plans:name_list_create", args=[branch_a.pk]),
                {"year": YEAR, "people": [str(offered[0].pk)]})
    name_list = NameList.objects.get()
    for user in (charlie, oscar):
        client = client_for(user)
        assert client.get(reverse("recruitment_plans:name_list_detail", args=[name_list.pk])).status_code == 404
        assert client.get(reverse("recruitment_plans:name_list_create", args=[branch_a.pk])).status_code == 404
        assert client.post(reverse("recruitment_plans:name_list_create", args=[branch_a.pk]),
                           {"year": YEAR, "people": [str(offered[0].pk)]}).status_code == 404
        index = client.get(reverse("recruitment_plans:name_lists"))
        assert index.status_code == 404 or "东街社区党支部" not in index.content.decode()
    assert NameList.objects.count() == 1

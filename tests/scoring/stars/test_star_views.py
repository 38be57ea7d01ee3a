"""Pages, PDFs and API of ranking and stars: the owner's flow, outsiders' 404s, bounded queries."""

import subprocess
from datetime import date

import pytest
from django.urls import reverse

from audit.publicity.services import publicity_tick
from branches.scoping import Role
from branches.services import grant_role
from scoring.stars import rules, services
from scoring.stars.models import Consequence, ProposalStatus, StarProposal
from tests.conftest import make_user
from tests.membership.factories import MemberFactory

from .conftest import give, make_scheme, members

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(working_calendar, county, branch_a, alice):
    """Branch A with a frozen quarter, a final 2025 star result with consequences and an evaluation."""
    scheme25 = make_scheme(branch_a, year=2025)
    people = members(branch_a, 6)
    for i, member in enumerate(people):
        give(scheme25, member.person, 50 + 8 * i, on=date(2025, 5, 1))
    scheme26 = make_scheme(branch_a, year=2026, policy="seed000_jiaozuo")
    for i, member in enumerate(people):
        give(scheme26, member.person, 10 + i, on=date(2026, 8, 1))
    services.quarter_freeze_all(quarter=rules.Quarter(2026, 3), today=date(2026, 10, 9))
    services.rollup_year(acting_user=alice, county=county, year=2025)
    proposal = StarProposal.objects.get(year=2025)
    services.proposal_decide(acting_user=alice, proposal=proposal, meeting_on=date(2026, 1, 8), levels={},
                             today=date(2026, 1, 9))
    services.proposal_publicize(acting_user=alice, proposal=proposal, today=date(2026, 1, 9))
    publicity_tick(today=date(2026, 2, 10))
    services.proposal_finalize(acting_user=alice, proposal=proposal, today=date(2026, 2, 10))
    evaluation = services.evaluation_open(acting_user=alice, organization=branch_a, year=2025,
                                          held_on=date(2025, 12, 20), today=date(2026, 1, 9))
    services.evaluation_record(acting_user=alice, evaluation=evaluation, person=people[0].person,
                               member_votes={"合格": 5})
    from scoring.stars.models import QuarterFreeze

    return {
        "proposal": proposal, "freeze": QuarterFreeze.objects.get(), "evaluation": evaluation, "people": people,
        "consequence": Consequence.objects.filter(organization=branch_a).first(),
    }


def pages(world, branch):
    p, f, e, c = world["proposal"], world["freeze"], world["evaluation"], world["consequence"]
    return [
        reverse("stars:branch", args=[branch.pk]),
        reverse("stars:consequences", args=[branch.pk]),
        reverse("stars:quarter", args=[f.pk]),
        reverse("stars:quarter_pdf", args=[f.pk]),
        reverse("stars:proposal", args=[p.pk]),
        reverse("stars:proposal_pdf", args=[p.pk]),
        reverse("stars:evaluation", args=[e.pk]),
    ], [
        reverse("stars:branch_rollup", args=[branch.pk]),
        reverse("stars:evaluation_create", args=[branch.pk]),
        reverse("stars:proposal_decide", args=[p.pk]),
        reverse("stars:proposal_publicize", args=[p.pk]),
        reverse("stars:proposal_finalize", args=[p.pk]),
        reverse("stars:proposal_recompute", args=[p.pk]),
        reverse("stars:consequence_resolve", args=[c.pk]),
        reverse("stars:evaluation", args=[e.pk]),
        reverse("stars:evaluation_close", args=[e.pk]),
    ]


def api_paths(world):
    p, f, e, c = world["proposal"], world["freeze"], world["evaluation"], world["consequence"]
    gets = [f"/api/v1/stars/quarters/{f.pk}/", f"/api/v1/stars/quarters/{f.pk}/results/",
            f"/api/v1/stars/proposals/{p.pk}/", f"/api/v1/stars/proposals/{p.pk}/rows/",
            f"/api/v1/stars/consequences/{c.pk}/", f"/api/v1/stars/evaluations/{e.pk}/",
            f"/api/v1/stars/evaluations/{e.pk}/results/"]
    posts = [f"/api/v1/stars/proposals/{p.pk}/decide/", f"/api/v1/stars/proposals/{p.pk}/publicize/",
             f"/api/v1/stars/proposals/{p.pk}/finalize/", f"/api/v1/stars/consequences/{c.pk}/resolve/",
             f"/api/v1/stars/evaluations/{e.pk}/record/", f"/api/v1/stars/evaluations/{e.pk}/close/"]
    return gets, posts


def test_owner_sees_every_page(world, branch_a, alice, client_for):
    gets, _ = pages(world, branch_a)
    client = client_for(alice)
    for url in gets:
        assert client.get(url).status_code == 200, url
    body = client.get(reverse("stars:proposal", args=[world["proposal"].pk])).content.decode()
    assert "名额" in body and "已确定" in body
    assert client.get(reverse("stars:home")).status_code in (200, 302)


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsiders_get_404_everywhere(world, branch_a, outsider, request, client_for, api_for):
    user = request.getfixturevalue(outsider)
    gets, posts = pages(world, branch_a)
    client = client_for(user)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"note": "x", "year": 2025, "held_on": "2026-01-05", "meeting_on": "2026-01-08"}
                           ).status_code == 404, url
    api = api_for(user)
    api_gets, api_posts = api_paths(world)
    for url in api_gets:
        assert api.get(url).status_code == 404, url
    for url in api_posts:
        assert api.post(url, {"note": "x", "meeting_on": "2026-01-08", "person": 1}, format="json").status_code == 404, url
    for url in ["/api/v1/stars/quarters/", "/api/v1/stars/proposals/", "/api/v1/stars/consequences/",
                "/api/v1/stars/evaluations/"]:
        data = api.get(url).json()
        assert (data["results"] if isinstance(data, dict) else data) == [], url


def test_every_role_of_an_outsider_gets_404(world, branch_b, branch_a, client_for):
    client_user = {}
    for role in (Role.SECRETARY, Role.COMMITTEE, Role.CLERK, Role.REVIEWER, Role.MEMBER, Role.SYSADMIN,
                 Role.SECADMIN, Role.AUDITOR):
        user = make_user(f"out_{role.value}")
        grant_role(acting_user=None, user=user, organization=branch_b, role=role)
        client_user[role] = user
    gets, _ = pages(world, branch_a)
    for role, user in client_user.items():
        client = client_for(user)
        for url in gets:
            assert client.get(url).status_code == 404, (role, url)


def test_reviewer_reads_but_may_not_act(world, branch_a, rita, client_for):
    gets, posts = pages(world, branch_a)
    client = client_for(rita)
    for url in gets:
        assert client.get(url).status_code == 200, url
    for url in posts:
        if url.endswith(f"/evaluation/{world['evaluation'].pk}/"):
            continue
        assert client.post(url, {"note": "x", "year": 2025}).status_code == 403, url
    overview = client.get(reverse("stars:overview") + "?year=2025")
    assert overview.status_code == 200
    assert branch_a.name in overview.content.decode()


def test_decision_form_refuses_with_chinese_message(working_calendar, county, branch_a, alice, client_for):
    scheme = make_scheme(branch_a, year=2025)
    people = members(branch_a, 5)
    for i, member in enumerate(people):
        give(scheme, member.person, 91 + i, on=date(2025, 5, 1))
    services.rollup_year(acting_user=alice, county=county, year=2025)
    proposal = StarProposal.objects.get()
    rows = list(proposal.rows.order_by("branch_rank"))
    data = {"meeting_on": "2026-01-08", "note": ""}
    for row in rows:
        data[f"level_{row.pk}"] = "5"
        data[f"reason_{row.pk}"] = "贡献突出"
    response = client_for(alice).post(reverse("stars:proposal_decide", args=[proposal.pk]), data)
    assert response.status_code == 400
    assert "超过上限" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_proposal_page_queries_are_bounded(world, branch_a, alice, client_for, django_assert_max_num_queries):
    client = client_for(alice)
    url = reverse("stars:proposal", args=[world["proposal"].pk])
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("stars:quarter", args=[world["freeze"].pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("stars:consequences", args=[branch_a.pk])).status_code == 200


def test_member_sees_own_stars_only(world, branch_a, client_for):
    member = world["people"][0]
    user = make_user("member_a")
    member.person.user = user
    member.person.save()
    grant_role(acting_user=None, user=user, organization=branch_a, role=Role.MEMBER)
    client = client_for(user)
    response = client.get(reverse("stars:my_stars"))
    assert response.status_code == 200
    assert "2025年度" in response.content.decode()
    assert client.get(reverse("stars:proposal", args=[world["proposal"].pk])).status_code == 404
    other = MemberFactory(organization=branch_a)
    assert other.person.name not in response.content.decode() or other.person.name == member.person.name


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    command = ["pdftotext", "-layout", str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return "".join(text.split())


def test_pdfs(world, alice, client_for, tmp_path):
    client = client_for(alice)
    freeze, proposal = world["freeze"], world["proposal"]
    first = world["people"][0].person.name
    text = _pdf_text(client.get(reverse("stars:quarter_pdf", args=[freeze.pk])).content, tmp_path)
    assert "党员积分管理审核表" in text and "2026年第三季度" in text and first in text
    text = _pdf_text(client.get(reverse("stars:quarter_pdf", args=[freeze.pk]) + "?kind=notice").content, tmp_path)
    assert "党员积分排名公示" in text
    text = _pdf_text(client.get(reverse("stars:proposal_pdf", args=[proposal.pk])).content, tmp_path)
    assert "党员积分管理审核表" in text and "2025年度" in text and "五星" in text
    text = _pdf_text(client.get(reverse("stars:proposal_pdf", args=[proposal.pk]) + "?kind=notice").content, tmp_path)
    assert "星级评定结果公示" in text and first in text


def test_api_flow(working_calendar, county, branch_a, alice, api_for):
    scheme = make_scheme(branch_a, year=2025)
    for i, member in enumerate(members(branch_a, 4)):
        give(scheme, member.person, 60 + 10 * i, on=date(2025, 5, 1))
    services.rollup_year(acting_user=alice, county=county, year=2025)
    proposal = StarProposal.objects.get()
    api = api_for(alice)
    rows = api.get(f"/api/v1/stars/proposals/{proposal.pk}/rows/").json()
    assert len(rows) == 4 and rows[0]["proposed_level"] == 5
    bad = api.post(f"/api/v1/stars/proposals/{proposal.pk}/decide/",
                   {"meeting_on": "2026-01-08", "rows": [{"row": rows[3]["id"], "level": 5, "reason": "x"}]},
                   format="json")
    assert bad.status_code == 409 and "超过上限" in str(bad.json())
    assert api.post(f"/api/v1/stars/proposals/{proposal.pk}/decide/", {"meeting_on": "x"},
                    format="json").status_code == 400
    ok = api.post(f"/api/v1/stars/proposals/{proposal.pk}/decide/", {"meeting_on": "2026-01-08"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "decided"
    published = api.post(f"/api/v1/stars/proposals/{proposal.pk}/publicize/", {}, format="json")
    assert published.status_code == 200
    assert api.post(f"/api/v1/stars/proposals/{proposal.pk}/finalize/", {}, format="json").status_code == 409


def test_the_overview_opens_on_the_newest_year_with_stars(world, branch_a, rita, client_for):
    """Stars are decided in January: without a year the overview shows the latest year that has them."""
    html = client_for(rita).get(reverse("stars:overview")).content.decode()
    assert "2025年度定星进度与星级分布" in html and branch_a.name in html

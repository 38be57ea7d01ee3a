"""Committees, terms and elections (换届选举): seed 004 and 《中国共产党基层组织选举工作暂行条例》."""

from datetime import date
from fractions import Fraction

import pytest
from django.urls import reverse

from audit.models import Event
from audit.notifications.models import Notification
from branches import rules, services
from branches.life_models import CommitteeMember, CommitteePost, Election, ElectionKind, TermExtension
from branches.services import CandidateInput
from membership.models import MemberStatus
from partyadmin.errors import RuleViolation
from tests.membership.factories import MemberFactory

TODAY = date(2026, 7, 15)


# --- rules ------------------------------------------------------------------------------------------

def test_a_term_is_two_or_three_years():
    """seed 004 一(3): "党支部每届任期2年或3年\"."""
    assert rules.term_end(date(2026, 3, 10), 3) == date(2029, 3, 10)
    assert rules.term_end(date(2024, 2, 29), 2) == date(2026, 2, 28)
    with pytest.raises(RuleViolation) as error:
        rules.term_end(date(2026, 3, 10), 5)
    assert error.value.code == "term.bad_years"


def test_an_election_needs_more_than_four_fifths_of_the_electorate():
    """"进行选举时，有选举权的到会人数超过应到会人数的五分之四，会议有效\" — exactly 4/5 is not enough."""
    rules.check_election_quorum(electorate=10, voters=9)
    with pytest.raises(RuleViolation) as error:
        rules.check_election_quorum(electorate=10, voters=8)
    assert error.value.code == "election.no_quorum"


def test_a_candidate_needs_more_than_half_of_the_voters():
    """"被选举人获得的赞成票超过实到会有选举权的人数的一半，始得当选\" — exactly half is not enough."""
    assert rules.elected_candidates(votes=[6, 5, 4], voters=10, seats=3) == [0]


def test_most_votes_win_when_more_have_a_majority_than_seats():
    """"以得票多少为序，至取足应选名额为止\"."""
    assert rules.elected_candidates(votes=[7, 9, 8, 6], voters=10, seats=3) == [1, 2, 0]


def test_a_tie_at_the_last_seat_needs_a_new_vote():
    """"如遇票数相等不能确定当选人时，应就票数相等的被选举人再次投票\"."""
    with pytest.raises(RuleViolation) as error:
        rules.elected_candidates(votes=[9, 8, 8], voters=10, seats=2)
    assert error.value.code == "election.tie"


def test_votes_cannot_exceed_the_ballots():
    with pytest.raises(RuleViolation):
        rules.check_votes(votes=[11], voters=10, seats=1)
    with pytest.raises(RuleViolation):
        rules.check_votes(votes=[10, 10], voters=10, seats=1)


def test_term_reminder_three_months_before_and_when_overdue():
    """seed 004: "到期应按时换届\"; the extension moves the deadline."""
    ends = date(2026, 10, 15)
    assert rules.term_reminder(ends_on=ends, extended_until=None, today=date(2026, 7, 14)) is None
    assert rules.term_reminder(ends_on=ends, extended_until=None, today=date(2026, 7, 15)) == "upcoming"
    assert rules.term_reminder(ends_on=ends, extended_until=None, today=date(2026, 10, 16)) == "overdue"
    assert rules.term_reminder(ends_on=ends, extended_until=date(2027, 6, 1), today=date(2026, 10, 16)) is None


# --- elections --------------------------------------------------------------------------------------

@pytest.fixture
def members(branch_a):
    return [MemberFactory(organization=branch_a) for _ in range(9)]


def _ballot(members, votes, posts=None):
    posts = posts or {}
    return [CandidateInput(name="", votes=v, member=m, post=posts.get(i, "")) for i, (m, v) in
            enumerate(zip(members, votes, strict=False))]


def _general(branch, members, votes, *, electorate=10, voters=9, seats=3, posts=None, held_on=date(2026, 3, 10),
             user=None):
    return services.election_record(
        acting_user=user, organization=branch, held_on=held_on, kind=ElectionKind.GENERAL, term_years=3, seats=seats,
        electorate=electorate, voters=voters, candidates=_ballot(members, votes, posts or {0: CommitteePost.SECRETARY}),
        today=TODAY,
    )


@pytest.mark.django_db
def test_general_election_sets_the_term_from_the_election_day(branch_a, members):
    _general(branch_a, members, [9, 8, 7])
    branch_a.refresh_from_db()
    assert (branch_a.term_started_on, branch_a.term_years, branch_a.term_ends_on) == (
        date(2026, 3, 10), 3, date(2029, 3, 10))


@pytest.mark.django_db
def test_general_election_seats_the_elected_and_ends_the_old_committee(branch_a, members):
    old = services.committee_member_appoint(acting_user=None, organization=branch_a, member=members[5],
                                            post=CommitteePost.SECRETARY, started_on=date(2023, 3, 1))
    election = _general(branch_a, members, [9, 8, 4], posts={0: CommitteePost.SECRETARY, 1: CommitteePost.ORGANIZATION})
    old.refresh_from_db()
    sitting = CommitteeMember.objects.filter(organization=branch_a, ended_on__isnull=True)
    assert old.ended_on == date(2026, 3, 10)
    assert {(s.member_id, s.post) for s in sitting} == {
        (members[0].pk, CommitteePost.SECRETARY), (members[1].pk, CommitteePost.ORGANIZATION)}
    assert [c.elected for c in election.candidates.order_by("-votes")] == [True, True, False]


@pytest.mark.django_db
def test_election_without_quorum_writes_nothing(branch_a, members):
    with pytest.raises(RuleViolation) as error:
        _general(branch_a, members, [8, 8, 8], electorate=10, voters=8)
    assert error.value.code == "election.no_quorum"
    assert not Election.objects.exists() and not CommitteeMember.objects.exists()


@pytest.mark.django_db
def test_by_election_fills_a_vacancy_within_the_term(branch_a, members):
    """seed 004: "委员出缺及时补选\"."""
    _general(branch_a, members, [9, 8, 7])
    services.election_record(acting_user=None, organization=branch_a, held_on=date(2026, 6, 1),
                             kind=ElectionKind.BY_ELECTION, seats=1, electorate=10, voters=9,
                             candidates=_ballot(members[3:4], [9]), today=TODAY)
    branch_a.refresh_from_db()
    assert branch_a.term_started_on == date(2026, 3, 10)
    assert CommitteeMember.objects.filter(organization=branch_a, ended_on__isnull=True).count() == 4


@pytest.mark.django_db
def test_an_eighth_committee_member_is_refused(branch_a, members):
    """seed 004 一(1): "合理配备书记、副书记和其他支部委员,最多不超过7人\"."""
    _general(branch_a, members, [9, 9, 9, 9, 9, 9, 9], seats=7)
    with pytest.raises(RuleViolation) as error:
        services.election_record(acting_user=None, organization=branch_a, held_on=date(2026, 6, 1),
                                 kind=ElectionKind.BY_ELECTION, seats=1, electorate=10, voters=9,
                                 candidates=_ballot(members[7:8], [9]), today=TODAY)
    assert error.value.code == "committee.too_many"
    assert Election.objects.count() == 1


@pytest.mark.django_db
def test_a_probationary_member_cannot_be_elected(branch_a, members):
    """"预备党员没有表决权、选举权和被选举权\"."""
    probationary = MemberFactory(organization=branch_a, status=MemberStatus.PROBATIONARY)
    with pytest.raises(RuleViolation) as error:
        _general(branch_a, [probationary, *members], [9, 8, 7])
    assert error.value.code == "election.candidate_probationary"


@pytest.mark.django_db
def test_a_member_of_another_branch_cannot_stand(branch_a, branch_b, members):
    outsider = MemberFactory(organization=branch_b)
    with pytest.raises(RuleViolation) as error:
        _general(branch_a, [outsider, *members], [9, 8, 7])
    assert error.value.code == "election.candidate_not_member"


@pytest.mark.django_db
def test_the_quorum_is_a_tenant_policy(town, branch_a, members):
    services.policy_set(acting_user=None, organization=town, key=services.ELECTION_QUORUM,
                        value={"numerator": 2, "denominator": 3})
    assert services.election_quorum(branch_a) == Fraction(2, 3)
    election = _general(branch_a, members, [7, 6, 5], electorate=10, voters=7)
    assert election.quorum == "2/3"


@pytest.mark.django_db
def test_an_election_is_audited(alice, branch_a, members):
    election = _general(branch_a, members, [9, 8, 7], user=alice)
    event = Event.objects.get(action="election.record")
    assert (event.actor_id, event.subject_id) == (alice.pk, str(election.pk))
    assert Event.objects.filter(action="committee.appoint").count() == 3
    assert Event.objects.filter(action="term.set").exists()


# --- terms ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_postponed_election_needs_approval_and_at_most_a_year(rita, branch_a):
    """seed 004: "如需延期换届,应报上级党组织批准,延长期限一般不超过一年\"."""
    services.term_set(acting_user=None, organization=branch_a, started_on=date(2023, 9, 1), years=3)
    with pytest.raises(RuleViolation) as error:
        services.term_extend(acting_user=rita, organization=branch_a, extended_until=date(2027, 9, 2),
                             approved_on=TODAY, approval="镇党委批复", reason="村级换届统一安排")
    assert error.value.code == "term.extension_too_long"
    with pytest.raises(RuleViolation):
        services.term_extend(acting_user=rita, organization=branch_a, extended_until=date(2027, 3, 1),
                             approved_on=TODAY, approval="", reason="村级换届统一安排")
    services.term_extend(acting_user=rita, organization=branch_a, extended_until=date(2027, 3, 1),
                         approved_on=TODAY, approval="镇党委批复", reason="村级换届统一安排")
    branch_a.refresh_from_db()
    assert branch_a.term_extended_until == date(2027, 3, 1)
    assert TermExtension.objects.get().approved_by == rita


@pytest.mark.django_db
def test_terms_tick_reminds_the_secretary_and_the_superior_reviewers_once(alice, bob, rita, oscar, branch_a):
    services.term_set(acting_user=None, organization=branch_a, started_on=date(2023, 9, 1), years=3)
    first = services.terms_tick(today=date(2026, 6, 1))
    second = services.terms_tick(today=date(2026, 6, 2))
    key = f"term:{branch_a.pk}:2026-09-01:upcoming"
    assert sorted(n.user.username for n in Notification.objects.filter(key=key)) == ["alice", "rita"]
    assert (first["upcoming"], second["upcoming"]) == (1, 0)


@pytest.mark.django_db
def test_terms_tick_warns_when_the_term_is_overdue(alice, rita, branch_a):
    services.term_set(acting_user=None, organization=branch_a, started_on=date(2023, 9, 1), years=3)
    services.terms_tick(today=date(2026, 9, 2))
    services.terms_tick(today=date(2026, 9, 3))
    assert Notification.objects.filter(user=alice, key=f"term:{branch_a.pk}:2026-09-01:overdue").count() == 1


@pytest.mark.django_db
def test_terms_tick_is_quiet_far_from_the_end(alice, branch_a):
    services.term_set(acting_user=None, organization=branch_a, started_on=date(2025, 9, 1), years=3)
    assert services.terms_tick(today=TODAY) == {"upcoming": 0, "overdue": 0}


# --- pages ------------------------------------------------------------------------------------------

@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("branches.committee_views.china_today", lambda: TODAY)
    monkeypatch.setattr("branches.services.china_today", lambda: TODAY)


@pytest.mark.django_db
def test_committee_page_shows_the_committee_and_the_overdue_badge(client_for, alice, branch_a, members, today):
    _general(branch_a, members, [9, 8, 7], held_on=date(2023, 3, 1))
    response = client_for(alice).get(reverse("committee:page", args=[branch_a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "超期未换届" in page and str(members[0]) in page and "换届选举" in page


@pytest.mark.django_db
def test_committee_page_query_count_is_bounded(client_for, alice, branch_a, members, today,
                                               django_assert_max_num_queries):
    _general(branch_a, members, [9, 9, 9, 9, 9, 9, 9], seats=7, held_on=date(2023, 3, 1))
    _general(branch_a, members, [9, 9, 9, 9, 9], seats=5, held_on=date(2026, 3, 1))
    client = client_for(alice)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("committee:page", args=[branch_a.pk])).status_code == 200


def _election_post(members, votes):
    data = {"held_on": "2026-07-01", "kind": "general", "term_years": "3", "seats": "3", "electorate": "10",
            "voters": "9", "c-TOTAL_FORMS": "4", "c-INITIAL_FORMS": "0", "c-MIN_NUM_FORMS": "0",
            "c-MAX_NUM_FORMS": "30"}
    for i, (member, v) in enumerate(zip(members, votes, strict=False)):
        data |= {f"c-{i}-member": member.pk, f"c-{i}-votes": v, f"c-{i}-post": "secretary" if i == 0 else ""}
    return data


@pytest.mark.django_db
def test_secretary_records_an_election_through_the_form(client_for, alice, branch_a, members, today):
    response = client_for(alice).post(reverse("committee:election_create", args=[branch_a.pk]),
                                      _election_post(members, [9, 8, 3]))
    election = Election.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("committee:election_detail", args=[branch_a.pk, election.pk])
    assert CommitteeMember.objects.filter(organization=branch_a, ended_on__isnull=True).count() == 2


@pytest.mark.django_db
def test_the_election_form_shows_the_rule(client_for, alice, branch_a, members, today):
    data = _election_post(members, [9, 8, 3]) | {"voters": "8"}
    response = client_for(alice).post(reverse("committee:election_create", args=[branch_a.pk]), data)
    assert response.status_code == 200 and "选举无效" in response.content.decode()
    assert not Election.objects.exists()


@pytest.mark.django_db
def test_only_a_superior_reviewer_approves_a_postponement(client_for, alice, rita, branch_a, today):
    services.term_set(acting_user=None, organization=branch_a, started_on=date(2023, 9, 1), years=3)
    data = {"term_extended_until": "2027-03-01", "approved_on": "2026-07-10", "approval": "镇党委批复",
            "reason": "统一换届"}
    assert client_for(alice).post(reverse("committee:extend", args=[branch_a.pk]), data).status_code == 403
    assert client_for(rita).post(reverse("committee:extend", args=[branch_a.pk]), data).status_code == 302
    assert TermExtension.objects.count() == 1


def _committee_urls(branch, election, seat):
    return [
        ("get", reverse("committee:page", args=[branch.pk])),
        ("get", reverse("committee:election_create", args=[branch.pk])),
        ("post", reverse("committee:election_create", args=[branch.pk])),
        ("get", reverse("committee:election_detail", args=[branch.pk, election.pk])),
        ("post", reverse("committee:appoint", args=[branch.pk])),
        ("post", reverse("committee:seat_end", args=[branch.pk, seat.pk])),
        ("post", reverse("committee:term", args=[branch.pk])),
        ("post", reverse("committee:extend", args=[branch.pk])),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsider_gets_404_on_every_committee_page(request, client_for, branch_a, members, outsider, today):
    election = _general(branch_a, members, [9, 8, 7])
    seat = CommitteeMember.objects.filter(organization=branch_a).first()
    client = client_for(request.getfixturevalue(outsider))
    for method, url in _committee_urls(branch_a, election, seat):
        assert getattr(client, method)(url, {"ended_on": "2026-07-01"}).status_code == 404, url
    seat.refresh_from_db()
    assert seat.ended_on is None


@pytest.mark.django_db
def test_an_election_of_another_organization_is_404_under_this_one(client_for, alice, rita, branch_a, branch_b,
                                                                   members, today):
    election = _general(branch_a, members, [9, 8, 7])
    url = reverse("committee:election_detail", args=[branch_b.pk, election.pk])
    assert client_for(rita).get(url).status_code == 404


@pytest.mark.django_db
def test_committee_pages_render_for_officers_and_reviewers(client_for, alice, rita, branch_a, members, today):
    election = _general(branch_a, members, [9, 8, 7])
    secretary = client_for(alice)
    form = secretary.get(reverse("committee:election_create", args=[branch_a.pk]))
    assert form.status_code == 200 and 'value="9"' in form.content.decode()  # the electorate: full members
    assert secretary.get(reverse("committee:election_detail", args=[branch_a.pk, election.pk])).status_code == 200
    reviewer_page = client_for(rita).get(reverse("committee:page", args=[branch_a.pk])).content.decode()
    assert "批准延期" in reviewer_page and "登记选举结果" not in reviewer_page

"""`seed_demo`: deterministic demo data, an account per role, and no duplicates on a re-run."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from branches.models import Organization, OrganizationKind
from branches.scoping import Role
from membership import rules
from membership.models import Member, Person

pytestmark = pytest.mark.django_db


def seed() -> list[list[str]]:
    out = StringIO()
    call_command("seed_demo", "--seed", "7", stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines()]


@pytest.fixture
def accounts() -> list[list[str]]:
    return seed()


def test_every_role_has_an_account(accounts):
    assert all(len(row) == 4 for row in accounts)
    assert {row[0] for row in accounts} == {role.value for role in Role}


def test_every_printed_account_can_log_in(client, accounts):
    for _role, username, password, _organization in accounts:
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        client.post(reverse("logout"))


def test_the_tree_has_the_promised_shape(accounts):
    kinds = Organization.objects.values_list("kind", flat=True)
    assert list(kinds).count(OrganizationKind.COUNTY_DEPT) == 1
    assert Organization.objects.filter(kind=OrganizationKind.COMMITTEE, name__endswith="镇党委").count() == 3
    assert Organization.objects.filter(kind=OrganizationKind.GENERAL_BRANCH).count() == 1
    assert Organization.objects.filter(kind=OrganizationKind.BRANCH).count() >= 12
    assert Organization.objects.filter(kind=OrganizationKind.PARTY_GROUP).exists()
    domains = set(Organization.objects.filter(kind=OrganizationKind.BRANCH).values_list("domain", flat=True))
    assert {"rural", "community", "organ", "soe"} <= domains


def test_about_three_hundred_members_with_valid_id_numbers(accounts):
    assert 280 <= Member.objects.count() <= 320
    for person in Person.objects.all()[:50]:
        rules.validate_id_number(person.id_number)


def test_rerunning_creates_nothing_new(accounts):
    counts = (Organization.objects.count(), Person.objects.count(), Member.objects.count())
    again = seed()
    assert (Organization.objects.count(), Person.objects.count(), Member.objects.count()) == counts
    assert again == accounts


def test_member_account_is_linked_to_its_own_record(accounts):
    username = next(row[1] for row in accounts if row[0] == Role.MEMBER)
    assert Person.objects.filter(user__username=username, member__isnull=False).count() == 1


def test_demo_has_oversight_in_every_state(accounts):
    from audit.accountability.models import AccountabilityCase
    from audit.filings.models import Filing
    from audit.publicity.models import PublicityWindow
    from partyadmin.models import JobRun

    assert set(PublicityWindow.objects.values_list("status", flat=True)) == {"open", "closed", "scheduled", "terminated"}
    statuses = set(Filing.objects.values_list("status", flat=True))
    assert {"pending", "approved"} <= statuses
    assert Filing.objects.filter(overdue_since__isnull=False).exists()
    assert Filing.objects.filter(revision__gt=1).exists()
    assert set(AccountabilityCase.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert JobRun.objects.filter(status="succeeded").exists()

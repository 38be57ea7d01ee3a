"""`seed_demo`: deterministic demo data, an account per role, and no duplicates on a re-run.

Seeding takes seconds, so each test below checks one promise of the demo as a whole.
"""

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp

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


def test_every_role_has_an_account_that_can_log_in(client, accounts, settings):
    """Administrators pass the second factor with the printed TOTP key (等保: TOTP for every administrator)."""
    settings.ADMIN_SECOND_FACTOR = True
    assert all(len(row) == 5 for row in accounts)
    assert {row[0] for row in accounts} == {role.value for role in Role}
    for role, username, password, _organization, secret in accounts:
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        if role in {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR}:
            assert client.get(reverse("home")).url.startswith(reverse("second_factor"))
            code = f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"
            assert client.post(reverse("second_factor"), {"token": code}).status_code == 302, username
        else:
            assert secret == "-"
        assert client.get(reverse("home"), follow=True).status_code == 200, username
        client.post(reverse("logout"))
    member = next(row[1] for row in accounts if row[0] == Role.MEMBER)
    assert Person.objects.filter(user__username=member, member__isnull=False).count() == 1


def test_the_register_has_the_promised_shape(accounts):
    kinds = list(Organization.objects.values_list("kind", flat=True))
    assert kinds.count(OrganizationKind.COUNTY_DEPT) == 1
    assert Organization.objects.filter(kind=OrganizationKind.COMMITTEE, name__endswith="镇党委").count() == 3
    assert kinds.count(OrganizationKind.GENERAL_BRANCH) == 1
    assert kinds.count(OrganizationKind.BRANCH) >= 12
    assert OrganizationKind.PARTY_GROUP in kinds
    domains = set(Organization.objects.filter(kind=OrganizationKind.BRANCH).values_list("domain", flat=True))
    assert {"rural", "community", "organ", "soe"} <= domains
    assert 280 <= Member.objects.count() <= 320
    for person in Person.objects.all()[:50]:
        rules.validate_id_number(person.id_number)


def test_the_demo_shows_every_state_of_oversight_and_branch_life(accounts):
    from audit.accountability.models import AccountabilityCase
    from audit.filings.models import Filing
    from audit.publicity.models import PublicityWindow
    from branches.dues.models import DuesBase, DuesLapseFlag, DuesPayment
    from branches.life_models import Election, TermExtension
    from partyadmin.models import JobRun

    assert set(PublicityWindow.objects.values_list("status", flat=True)) == {"open", "closed", "scheduled", "terminated"}
    assert {"pending", "approved"} <= set(Filing.objects.values_list("status", flat=True))
    assert Filing.objects.filter(overdue_since__isnull=False).exists()
    assert Filing.objects.filter(revision__gt=1).exists()
    assert set(AccountabilityCase.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert JobRun.objects.filter(status="succeeded").exists()
    assert DuesBase.objects.filter(year=2026).count() > 40
    assert DuesPayment.objects.count() > 100
    assert DuesLapseFlag.objects.filter(resolved=False).exists()
    assert Election.objects.filter(kind="general").count() == 1
    assert TermExtension.objects.count() == 1
    from branches.meetings.models import Meeting

    assert Meeting.objects.filter(status="recorded").count() > 60
    assert Meeting.objects.filter(is_late=True).exists() and Meeting.objects.filter(status="voided").exists()
    from membership.changes.models import Exemption, FlowRecord, Transfer

    assert set(Transfer.objects.values_list("status", flat=True)) == {"requested", "accepted", "refused"}
    assert FlowRecord.objects.count() == 1
    assert Member.objects.filter(is_exempt=True).count() == 1 and Exemption.objects.count() == 1


def test_rerunning_creates_nothing_new(accounts):
    from audit.models import Event

    counts = (Organization.objects.count(), Person.objects.count(), Member.objects.count())
    events = Event.objects.exclude(action__startswith="auth.").count()
    again = seed()
    assert (Organization.objects.count(), Person.objects.count(), Member.objects.count()) == counts
    assert again == accounts
    assert Event.objects.exclude(action__startswith="auth.").count() == events  # no write happened twice

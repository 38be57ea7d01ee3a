"""The introduction letter (党员组织关系介绍信): stub, letter and receipt; the ID number in full only for users who
may see personal data, and every print audited."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import Event
from branches.dues import services as dues
from branches.dues.models import DuesCategory, PaymentMethod
from branches.scoping import Role
from branches.services import grant_role
from membership.changes import services
from membership.changes.services import LETTER_ACTION
from partyadmin.crypto import mask_id_number
from tests.conftest import make_user

from .conftest import TODAY

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test"),
]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603,S607
                          check=True).stdout.replace(" ", "").replace("\u3000", "")


@pytest.fixture
def letter(alice, member):
    """Dues paid January–June 2026, then a transfer out of the system."""
    dues.dues_base_set(acting_user=None, member=member, year=2026, category=DuesCategory.SALARIED,
                       monthly_income_base=Decimal("4000"))
    dues.dues_payment_record(acting_user=None, member=member, year=2026, from_month=1, to_month=6,
                             amount=Decimal("240.00"), paid_on=date(2026, 7, 1), method=PaymentMethod.CASH, today=TODAY)
    return services.transfer_out_issue(acting_user=alice, member=member, destination="中共杭州市西湖区委组织部",
                                       reason="迁居杭州")


def test_letter_shows_name_validity_and_dues_paid_until(client_for, alice, letter, member, tmp_path):
    response = client_for(alice).get(reverse("membership:changes:transfer_letter", args=[letter.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "中国共产党党员组织关系介绍信" in text and "存根" in text and "回执" in text
    assert "张党员" in text and "中共杭州市西湖区委组织部" in text
    assert "有效期30天，至2026年8月13日" in text
    assert "党费已交到2026年6月" in text
    assert "（2026）第0001号" in text


def test_an_officer_with_personal_data_rights_gets_the_full_id_number(client_for, alice, letter, member, tmp_path):
    response = client_for(alice).get(reverse("membership:changes:transfer_letter", args=[letter.pk]))
    assert member.person.id_number in pdf_text(response.content, tmp_path)
    event = Event.objects.get(action=LETTER_ACTION)
    assert event.actor == alice and event.changes["id_number"] == [None, "完整"]


def test_a_reviewer_without_personal_data_rights_gets_it_masked(client_for, rita, letter, member, tmp_path):
    response = client_for(rita).get(reverse("membership:changes:transfer_letter", args=[letter.pk]))
    text = pdf_text(response.content, tmp_path)
    assert member.person.id_number not in text
    assert mask_id_number(member.person.id_number).replace(" ", "") in text
    assert Event.objects.get(action=LETTER_ACTION).changes["id_number"] == [None, "隐藏"]


def test_a_clerk_gets_the_id_number_masked(client, branch_a, letter, member, tmp_path):
    clara = make_user("clara")
    grant_role(acting_user=None, user=clara, organization=branch_a, role=Role.CLERK)
    client.force_login(clara)
    text = pdf_text(client.get(reverse("membership:changes:transfer_letter", args=[letter.pk])).content, tmp_path)
    assert member.person.id_number not in text


@pytest.mark.parametrize("who", ["charlie", "oscar"])
def test_outsiders_get_404_for_the_letter(client_for, request, letter, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(reverse("membership:changes:transfer_letter", args=[letter.pk])).status_code == 404
    assert not Event.objects.filter(action=LETTER_ACTION).exists()


def test_an_internal_transfer_has_no_letter(client_for, alice, member, branch_b):
    transfer = services.transfer_request(acting_user=alice, member=member, to_organization=branch_b, reason="调动")
    assert client_for(alice).get(reverse("membership:changes:transfer_letter", args=[transfer.pk])).status_code == 404


def test_a_member_without_payments_is_printed_as_such(client_for, alice, member_a, tmp_path):
    transfer = services.transfer_out_issue(acting_user=alice, member=member_a, destination="甲", reason="迁居")
    text = pdf_text(client_for(alice).get(reverse("membership:changes:transfer_letter", args=[transfer.pk])).content,
                    tmp_path)
    assert "党费已交到（无交纳记录）" in text

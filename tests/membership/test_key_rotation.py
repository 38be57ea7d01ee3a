"""Key rotation (DESIGN §2.1: "encrypted (SM4-GCM …, key from the environment, rotatable)")."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from membership.models import Person

from .factories import PersonFactory

pytestmark = pytest.mark.django_db

OLD = "1:00112233445566778899aabbccddeeff"
NEW = "2:0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def raw_id_number(person: Person) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM membership_person WHERE id = %s", [person.pk])
        return cursor.fetchone()[0]


def test_rotation_reencrypts_with_the_new_key(settings, county):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    person = PersonFactory(county=county)
    assert raw_id_number(person).startswith("sm4g:1:")

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    out = StringIO()
    call_command("reencrypt_personal_data", stdout=out)
    assert "已重新加密 1 人" in out.getvalue()
    assert raw_id_number(person).startswith("sm4g:2:")

    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key can now be retired
    assert Person.objects.get(pk=person.pk).id_number == person.id_number


def test_rotation_is_safe_to_run_twice(settings, county):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    PersonFactory(county=county)
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("reencrypt_personal_data", stdout=StringIO())
    out = StringIO()
    call_command("reencrypt_personal_data", stdout=out)
    assert "已重新加密 0 人" in out.getvalue()

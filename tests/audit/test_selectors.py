"""How events read on the pages: changes as labelled field / before / after rows."""

import pytest

from audit.models import Event
from audit.selectors import change_rows
from audit.services import record

pytestmark = pytest.mark.django_db


def _rows(event: Event) -> dict[str, tuple[str, str, str]]:
    return {row.field: (row.label, row.before, row.after) for row in change_rows(event)}


def test_fields_are_labelled_with_the_subject_models_names(branch_a):
    event = record(actor=None, action="test.rename", organization=branch_a, subject=branch_a,
                   changes={"name": ["旧", "新"]})
    assert _rows(event)["name"] == ("名称", "旧", "新")


def test_choice_codes_are_shown_by_their_labels(branch_a):
    event = Event.objects.get(action="organization.create", subject_id=str(branch_a.pk))
    assert _rows(event)["kind"] == ("类别", "—", "党支部")


def test_booleans_and_empty_values_read_in_chinese(branch_a):
    event = record(actor=None, action="test.flags", organization=branch_a, subject=branch_a,
                   changes={"has_committee": [True, False], "short_name": ["", "东街"]})
    rows = _rows(event)
    assert rows["has_committee"][1:] == ("是", "否")
    assert rows["short_name"][1:] == ("—", "东街")


def test_plain_facts_are_shown_as_a_single_value(db):
    event = record(actor=None, action="auth.login_failed", subject_type="auth.user", changes={"username": "alice"})
    (row,) = change_rows(event)
    assert (row.is_pair, row.after) == (False, "alice")


def test_unknown_fields_keep_their_names(branch_a):
    event = record(actor=None, action="test.extra", organization=branch_a, subject=branch_a,
                   changes={"role": [None, "secretary"]})
    assert _rows(event)["role"] == ("role", "—", "secretary")

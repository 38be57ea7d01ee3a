"""`submitted`: the write step of a form view — a RuleViolation becomes the form's error, never a 500."""

from django import forms

from partyadmin.errors import RuleViolation
from partyadmin.forms import StyledFormMixin, submitted


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField()


def test_valid_form_runs_the_service():
    calls = []
    assert submitted(NoteForm({"note": "x"}), lambda: calls.append(1)) is True
    assert calls == [1]


def test_invalid_form_does_not_run_the_service():
    calls = []
    assert submitted(NoteForm({}), lambda: calls.append(1)) is False
    assert calls == []


def test_rule_violation_lands_on_its_field():
    form = NoteForm({"note": "x"})

    def refuse() -> None:
        raise RuleViolation("note.bad", "备注不符合要求。", field="note")

    assert submitted(form, refuse) is False
    assert form.errors["note"] == ["备注不符合要求。"]

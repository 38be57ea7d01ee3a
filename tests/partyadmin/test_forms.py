"""`submitted`: the write step of a form view — a RuleViolation becomes the form's error, never a 500.
`performed`: the write step of an inline action — the outcome becomes a message on the next page."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from partyadmin.errors import RuleViolation
from partyadmin.forms import StyledFormMixin, performed, submitted


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


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_an_inline_action_that_runs_says_so():
    request, calls = _request(), []
    assert performed(request, lambda: calls.append(1), "已签字。") is True
    assert calls == [1]
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [("success", "已签字。")]


def test_an_inline_action_refused_by_a_rule_shows_the_rule_message_only():
    request = _request()

    def refuse() -> None:
        raise RuleViolation("entry.signed", "该记录已签字。")

    assert performed(request, refuse, "已签字。") is False
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [("error", "该记录已签字。")]

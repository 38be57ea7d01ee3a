"""Form helpers shared by every app."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from .errors import RuleViolation


class StyledFormMixin:
    """Gives every widget its Bootstrap class, so templates stay free of widget tweaks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_rule_violation(self, error: RuleViolation) -> None:
        """Show a service's rule violation on the field it concerns, or on the whole form."""
        field = error.field if error.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, error.message)  # type: ignore[attr-defined]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def submitted(form: forms.BaseForm, action: Callable[[], object]) -> bool:
    """The write step of a form view: when the form is valid, run the service; a RuleViolation it raises
    becomes the form's error. True when the service ran (the view then redirects)."""
    if not form.is_valid():
        return False
    try:
        action()
    except RuleViolation as violation:
        form.add_rule_violation(violation)  # type: ignore[attr-defined]
        return False
    return True


def performed(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """The write step of an inline action (a button, no form page to show again): run the service and
    tell the user its outcome — the success message, or the rule's message when it refused. True when it ran."""
    try:
        action()
    except RuleViolation as violation:
        messages.error(request, violation.message)
        return False
    messages.success(request, success)
    return True

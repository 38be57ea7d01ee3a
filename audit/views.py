"""Audit trail pages: the event list and one subject's history (read-only)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from partyadmin.forms import DateInput, StyledFormMixin

from . import selectors
from .models import EventResult
from .registry import registered_types

PAGE_SIZE = 50


class EventFilterForm(StyledFormMixin, forms.Form):
    action = forms.CharField(
        label="操作", required=False, max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "如 auth.login，或前缀 organization."}),
    )
    actor = forms.CharField(label="操作人账号", required=False, max_length=150)
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput())
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *EventResult.choices])

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data

    def filters(self) -> selectors.EventFilters:
        if not self.is_valid():
            return selectors.EventFilters()
        data = self.cleaned_data
        return selectors.EventFilters(
            action=data["action"].strip(), actor=data["actor"].strip(), date_from=data["date_from"],
            date_to=data["date_to"], result=data["result"],
        )


def _with_changes(events: list) -> list[tuple]:
    return [(event, selectors.action_label(event.action), selectors.change_rows(event)) for event in events]


@login_required
def events(request: HttpRequest) -> HttpResponse:
    if not selectors.may_view_audit(request.user):
        raise Http404("页面不存在或无权访问。")
    form = EventFilterForm(request.GET or None)
    queryset = selectors.event_list(user=request.user, filters=form.filters())
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {
        "form": form,
        "page_obj": page,
        "rows": _with_changes(page.object_list),
        "history_types": set(registered_types()),
    })


@login_required
def history(request: HttpRequest, subject_type: str, subject_id: str) -> HttpResponse:
    subject, queryset = selectors.subject_history(user=request.user, subject_type=subject_type, subject_id=subject_id)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/history.html", {
        "subject": subject,
        "subject_type": subject_type,
        "subject_kind": subject._meta.verbose_name,
        "page_obj": page,
        "rows": _with_changes(page.object_list),
    })

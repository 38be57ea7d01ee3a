"""Committee pages (branch life): the sitting committee by post, the term and its badge, election
history; recording an election, appointing and ending seats, setting the term, approving an extension."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partyadmin.errors import RuleViolation
from partyadmin.forms import submitted
from partyadmin.workdays import china_today

from . import committee_selectors as selectors
from . import services
from .committee_forms import AppointForm, CandidateFormSet, ElectionForm, ExtensionForm, SeatEndForm, TermForm
from .models import Organization


def _page_context(request: HttpRequest, organization: Organization, **forms: Any) -> dict[str, Any]:
    today = china_today()
    manage = selectors.may_manage_committee(user=request.user, organization=organization)
    context: dict[str, Any] = {
        "organization": organization,
        "seats": selectors.sitting_members(organization),
        "past_seats": list(selectors.past_members(organization)),
        "elections": list(selectors.elections_of(organization)),
        "extensions": list(selectors.extensions_of(organization)),
        "term": selectors.term_info(organization, today=today),
        "may_manage": manage,
        "may_extend": selectors.may_approve_extension(user=request.user, organization=organization),
    }
    if manage:
        context["appoint_form"] = forms.get("appoint_form") or AppointForm(
            members=selectors.eligible_members(organization), initial={"started_on": today})
        context["end_form"] = SeatEndForm(initial={"ended_on": today})
        context["term_form"] = forms.get("term_form") or TermForm(initial={
            "started_on": organization.term_started_on, "years": organization.term_years})
    if context["may_extend"]:
        context["extension_form"] = forms.get("extension_form") or ExtensionForm(initial={"approved_on": today})
    return context


def _manageable(request: HttpRequest, pk: int) -> Organization:
    organization = selectors.committee_organization_get(user=request.user, pk=pk)
    if not selectors.may_manage_committee(user=request.user, organization=organization):
        raise PermissionDenied("无权管理该组织的委员会。")
    return organization


@login_required
def page(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.committee_organization_get(user=request.user, pk=pk)
    return render(request, "branches/committees/page.html", _page_context(request, organization))


@login_required
def election_create(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _manageable(request, pk)
    members = selectors.eligible_members(organization)
    if request.method == "POST":
        form = ElectionForm(request.POST)
        candidates = CandidateFormSet(request.POST, prefix="c", form_kwargs={"members": members})
        if form.is_valid() and candidates.is_valid():
            rows = [
                services.CandidateInput(name=(c.cleaned_data["name"] or "").strip() or str(c.cleaned_data["member"]),
                                        votes=c.cleaned_data["votes"], member=c.cleaned_data["member"],
                                        post=c.cleaned_data["post"])
                for c in candidates if not c.is_blank
            ]
            try:
                election = services.election_record(acting_user=request.user, organization=organization,
                                                     candidates=rows, **form.cleaned_data)
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                messages.success(request, "选举结果已登记，当选人已任职。")
                return redirect("committee:election_detail", pk=organization.pk, election_pk=election.pk)
    else:
        form = ElectionForm(initial={"held_on": china_today(), "kind": "general", "term_years": 3,
                                     "electorate": selectors.full_member_count(organization)})
        candidates = CandidateFormSet(prefix="c", form_kwargs={"members": members})
    return render(request, "branches/committees/election_form.html", {
        "organization": organization, "form": form, "candidates": candidates,
        "quorum": services.election_quorum(organization),
    })


@login_required
def election_detail(request: HttpRequest, pk: int, election_pk: int) -> HttpResponse:
    organization = selectors.committee_organization_get(user=request.user, pk=pk)
    election = selectors.election_get(user=request.user, pk=election_pk, organization=organization)
    return render(request, "branches/committees/election_detail.html",
                  {"organization": organization, "election": election})


@require_POST
@login_required
def appoint(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _manageable(request, pk)
    form = AppointForm(request.POST, members=selectors.eligible_members(organization))
    if submitted(form, lambda: services.committee_member_appoint(
            acting_user=request.user, organization=organization, **form.cleaned_data
    )):
        messages.success(request, "已任职。")
        return redirect("committee:page", pk=organization.pk)
    return render(request, "branches/committees/page.html",
                  _page_context(request, organization, appoint_form=form))


@require_POST
@login_required
def seat_end(request: HttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    organization = _manageable(request, pk)
    seat = selectors.seat_get(user=request.user, pk=seat_pk, organization=organization)
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写离任日期。")
    elif seat.ended_on is not None:
        messages.error(request, "该委员已离任。")
    else:
        try:
            services.committee_member_end(acting_user=request.user, seat=seat, ended_on=form.cleaned_data["ended_on"])
        except RuleViolation as violation:
            messages.error(request, violation.message)
        else:
            messages.success(request, f"{seat.member}已离任。")
    return redirect("committee:page", pk=organization.pk)


@require_POST
@login_required
def term_update(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _manageable(request, pk)
    form = TermForm(request.POST)
    if submitted(form, lambda: services.term_set(
            acting_user=request.user, organization=organization, **form.cleaned_data
    )):
        messages.success(request, "本届任期已登记。")
        return redirect("committee:page", pk=organization.pk)
    return render(request, "branches/committees/page.html", _page_context(request, organization, term_form=form))


@require_POST
@login_required
def term_extend(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.committee_organization_get(user=request.user, pk=pk)
    if not selectors.may_approve_extension(user=request.user, organization=organization):
        raise PermissionDenied("延期换届应报上级党组织批准。")
    form = ExtensionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.term_extend(acting_user=request.user, organization=organization,
                                 extended_until=data["term_extended_until"], approved_on=data["approved_on"],
                                 approval=data["approval"], reason=data["reason"])
        except RuleViolation as violation:
            form.add_rule_violation(violation)
        else:
            messages.success(request, "已批准延期换届。")
            return redirect("committee:page", pk=organization.pk)
    return render(request, "branches/committees/page.html",
                  _page_context(request, organization, extension_form=form))

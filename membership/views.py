"""Member register pages: list, detail (masked personal data, audited reveal), create, edit, own record."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from partyadmin.crypto import mask_address, mask_id_number, mask_phone
from partyadmin.errors import RuleViolation

from . import selectors, services
from .forms import MemberEditForm, MemberFilterForm, MemberForm
from .models import Member

PAGE_SIZE = 20


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    if not selectors.has_register_scope(request.user):
        # The member role sees only its own record (DESIGN §2.1).
        return redirect("membership:me")
    form = MemberFilterForm(request.GET or None, organizations=selectors.organizations_for_filter(user=request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_list(
        user=request.user,
        search=filters.get("q", ""),
        organization=filters.get("organization"),
        status=filters.get("status", ""),
        category=filters.get("category", ""),
        sort=filters.get("sort", ""),
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort_links": _sort_links(query, filters.get("sort", "")),
        "can_create": selectors.branches_for_change(user=request.user).exists(),
    }
    template = "membership/_table.html" if request.htmx else "membership/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _sort_links(query: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """Column-header links: a click sorts by the column, a second click reverses it."""
    links = {}
    for key in ("name", "joined_on"):
        linked = query.copy()
        linked["sort"] = f"-{key}" if current == key else key
        arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
        links[key] = {"query": linked.urlencode(), "arrow": arrow}
    return links


def _detail_context(request: HttpRequest, member: Member) -> dict:
    person = member.person
    return {
        "member": member,
        "person": person,
        "masked": {
            "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone),
            "address": mask_address(person.address),
        },
        "may_reveal": selectors.may_view_personal_data(user=request.user, member=member),
        "may_change": selectors.may_change_member(user=request.user, member=member),
        "may_see_history": selectors.may_see_history(user=request.user, member=member),
    }


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    return render(request, "membership/detail.html", _detail_context(request, member))


@login_required
def member_me(request: HttpRequest) -> HttpResponse:
    member = selectors.member_for_user(request.user)
    if member is None:
        return render(request, "membership/me_missing.html", status=404)
    return render(request, "membership/detail.html", _detail_context(request, member) | {"is_me": True})


@never_cache
@require_POST
@login_required
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the unmasked ID number, phone and address once, recording who looked (DESIGN §2.1)."""
    member = selectors.member_get(user=request.user, pk=pk)
    if not selectors.may_view_personal_data(user=request.user, member=member):
        services.member_reveal_refused(acting_user=request.user, member=member)
        raise PermissionDenied("无权查看完整个人信息。")
    revealed = services.member_reveal_personal_data(acting_user=request.user, member=member)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "membership/_personal_data.html", _detail_context(request, member) | {"revealed": revealed})
    return render(request, "membership/detail.html", _detail_context(request, member) | {"revealed": revealed})


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    branches = selectors.branches_for_change(user=request.user)
    if not branches.exists():
        raise PermissionDenied("无权登记党员。")
    form_kwargs = {"branches": branches, "party_groups": selectors.party_groups_for_change(user=request.user)}
    if request.method == "POST":
        form = MemberForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                member = services.member_create(
                    acting_user=request.user, organization=form.cleaned_data["organization"], **form.service_fields(),
                )
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                return redirect("membership:detail", pk=member.pk)
    else:
        initial = {"organization": branches.first()} if branches.count() == 1 else {}
        form = MemberForm(initial=initial, **form_kwargs)
    return render(request, "membership/form.html", {"form": form, "title": "登记党员"})


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    if not selectors.may_change_member(user=request.user, member=member):
        raise PermissionDenied("无权修改此党员信息。")
    form_kwargs = {
        "member": member,
        "branches": selectors.branches_for_change(user=request.user).filter(pk=member.organization_id),
        "party_groups": selectors.party_groups_for_change(user=request.user).filter(
            path__startswith=member.organization.path),
    }
    if request.method == "POST":
        form = MemberEditForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                services.member_update(acting_user=request.user, member=member, **form.service_fields())
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                return redirect("membership:detail", pk=member.pk)
    else:
        form = MemberEditForm(**form_kwargs)
    return render(request, "membership/form.html", {"form": form, "member": member, "title": "修改党员信息"})

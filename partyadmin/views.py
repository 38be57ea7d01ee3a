"""The role-aware home page: each role lands where its work is."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from branches import dashboards
from branches.scoping import Role, roles_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    if roles & {Role.SECRETARY, Role.COMMITTEE, Role.CLERK, Role.REVIEWER}:
        return render(request, "home/dashboard.html", dashboards.dashboard(user=request.user))
    if Role.MEMBER in roles:
        return redirect("membership:me")
    if roles & {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR}:
        return render(request, "home/admin.html", dashboards.admin_dashboard(user=request.user))
    return render(request, "home/no_role.html")

"""The progress of a background job, as the partial that polls itself (`partials/job_progress.html`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .jobs import job_run_get_for_user


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = job_run_get_for_user(user=request.user, pk=pk)
    # Rendered without the request's context processors (menu, unread count): a page polls this
    # every second, so each poll costs the session, the user and this one row, nothing more.
    return HttpResponse(render_to_string("partials/job_progress.html", {"run": run}))

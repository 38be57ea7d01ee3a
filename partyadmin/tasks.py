"""Celery tasks of the kernel: the daily oversight run (DESIGN §2.3).

The task lives here, not in `audit`, because it knows nothing but the step registry in
`partyadmin.jobs`: the steps themselves (publicity, filings, cases, and later domain steps such as
applying star consequences in recruitment) register from their own apps, above and below `audit`.
"""

from datetime import date

from celery import shared_task
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from .jobs import DAILY_JOB, DAILY_JOB_LABEL, job_claim_day, run_daily
from .workdays import china_today


@shared_task(name="partyadmin.daily_oversight")
def daily_oversight(day: str | None = None, force: bool = False, user_id: int | None = None) -> int | None:
    """Runs the daily steps for `day` (ISO date; default today in China) once per day.

    Returns the JobRun id, or None when the day had already been claimed (and not `force`).
    Takes plain values so that it can be queued; safe to run any number of times.
    """
    today = date.fromisoformat(day) if day else china_today()
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = job_claim_day(DAILY_JOB, today, user=user, force=force, label=DAILY_JOB_LABEL)
    if run is None:
        return None
    return run_daily(today=today, job_run=run).pk


def daily_oversight_queue(*, day: date | None = None, force: bool = False,
                          user: AbstractBaseUser | None = None) -> None:
    """Queues the daily run once the current transaction commits (at once outside one)."""
    kwargs = {"day": day.isoformat() if day else None, "force": force, "user_id": user.pk if user else None}
    transaction.on_commit(lambda: daily_oversight.delay(**kwargs))

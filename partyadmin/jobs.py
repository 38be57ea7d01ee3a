"""Background jobs: run records with progress, and the registry of daily oversight steps (DESIGN §2.3).

Progress. Any long job (the daily run, an import, the year-end rollup) keeps a `JobRun`:

    run = job_start("member_import", total=len(rows), user=request.user)
    for batch in batches:
        import_batch(batch)                  # its own transaction, so progress shows as it commits
        job_advance(run, len(batch))
    job_finish(run, result={"created": n})

and a page shows `templates/partials/job_progress.html`, which polls `/jobs/<id>/progress/`.

Daily steps. Apps register what must happen every day in their `AppConfig.ready()`:

    register_daily("publicity_tick", publicity_tick, "公示期开始与结束")

where the function takes `today` (keyword-only) and returns counts (`{"closed": 3}`). It must be
idempotent: the daily run claims its day once, but a forced rerun calls every step again.
`run_daily` runs each step in its own transaction; one step failing is recorded and the others
still run. This module is kernel: it imports nothing above `partyadmin`.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from .models import JobRun

logger = logging.getLogger(__name__)

DAILY_JOB = "daily_oversight"
DAILY_JOB_LABEL = "每日监督任务"

DailyStep = Callable[..., dict[str, int] | None]


@dataclass(frozen=True)
class DailyRegistration:
    name: str
    fn: DailyStep
    label: str
    count_labels: Mapping[str, str] = field(default_factory=dict)


_daily_steps: dict[str, DailyRegistration] = {}


def register_daily(name: str, fn: DailyStep, label: str, *, count_labels: Mapping[str, str] | None = None) -> None:
    """Adds a step to the daily job (in registration order). `fn(*, today: date) -> dict[str, int]`.

    `label` names the step on the progress page; `count_labels` names its counts there
    (`{"closed": "结束公示"}`); a count without a label shows its key.
    """
    existing = _daily_steps.get(name)
    if existing is not None and existing.fn is not fn:
        raise ValueError(f"daily step {name!r} is already registered with {existing.fn!r}")
    _daily_steps[name] = DailyRegistration(name=name, fn=fn, label=label, count_labels=dict(count_labels or {}))


def daily_steps() -> list[DailyRegistration]:
    return list(_daily_steps.values())


# --- run records -------------------------------------------------------------------------------


def job_start(name: str, total: int = 0, user: AbstractBaseUser | None = None, *, label: str = "") -> JobRun:
    """A new running JobRun. `total` is the number of units of work (0 when not known yet);
    `label` is the name the progress bar shows (Chinese)."""
    return JobRun.objects.create(name=name, label=label, total=total, triggered_by=user)


def job_claim_day(name: str, day: date, *, total: int = 0, user: AbstractBaseUser | None = None,
                  force: bool = False, label: str = "") -> JobRun | None:
    """Claims `day` for job `name`: a running JobRun, or None when that day was claimed before.

    The unique (name, day) constraint decides between concurrent claims. With `force` the earlier
    run's row is taken over and reset (whatever its status: a worker that died leaves a run that
    says "running" for ever), so the job runs again; its steps are idempotent, so that is safe.
    """
    try:
        with transaction.atomic():
            return JobRun.objects.create(name=name, label=label, day=day, total=total, triggered_by=user)
    except IntegrityError:
        if not force:
            return None
    claimed = JobRun.objects.filter(name=name, day=day).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now(), finished_at=None, total=total, done=0,
        result={}, error="", triggered_by=user,
    )
    if claimed != 1:  # the row vanished under us (deleted in the admin): nothing to claim
        return None
    return JobRun.objects.get(name=name, day=day)


def job_advance(run: JobRun, n: int = 1) -> None:
    """Counts `n` more units done: one UPDATE … SET done = done + n, so concurrent workers add up.

    Call it outside the long transaction of the work (after each batch commits): progress written
    inside an open transaction is invisible to the page polling it until the end.
    """
    JobRun.objects.filter(pk=run.pk).update(done=F("done") + n)
    run.done += n


def job_finish(run: JobRun, *, result: dict[str, Any] | None = None, error: str = "") -> None:
    """Ends the run: failed when `error` is given, succeeded otherwise."""
    run.status = JobRun.Status.FAILED if error else JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.error = error
    fields = ["status", "finished_at", "error"]
    if result is not None:
        run.result = result
        fields.append("result")
    run.save(update_fields=fields)


def job_run_get_for_user(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> JobRun:
    """The run if the user started it or is staff; the same 404 for missing and foreign runs."""
    if not user.is_authenticated:
        raise Http404("任务不存在或无权查看。")
    runs = JobRun.objects.all() if user.is_staff else JobRun.objects.filter(triggered_by=user)
    try:
        return runs.get(pk=pk)
    except JobRun.DoesNotExist:
        raise Http404("任务不存在或无权查看。") from None


# --- the daily run -----------------------------------------------------------------------------


def _counts(value: dict[str, int] | None) -> dict[str, int]:
    return {str(key): int(count) for key, count in (value or {}).items()}


def run_daily(*, today: date, job_run: JobRun | None = None) -> JobRun:
    """Runs every registered daily step for `today`, each in its own transaction.

    Records each step's counts (or error) on the run as it goes; a failing step is logged and
    recorded, the remaining steps still run, and the run ends failed. Nothing is re-raised.
    """
    steps = daily_steps()
    if job_run is None:
        job_run = job_start(DAILY_JOB, total=len(steps), label=DAILY_JOB_LABEL)
    elif job_run.total != len(steps):
        job_run.total = len(steps)
        job_run.save(update_fields=["total"])
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    for step in steps:
        entry: dict[str, Any] = {"name": step.name, "label": step.label}
        try:
            with transaction.atomic():
                counts = _counts(step.fn(today=today))
            entry.update(ok=True, counts=counts, summary="，".join(
                f"{step.count_labels.get(key, key)} {value}" for key, value in counts.items()
            ))
        except Exception as exc:  # one step's failure must not stop the others
            logger.exception("daily step %s failed for %s", step.name, today.isoformat())
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            entry.update(ok=False, error=f"{type(exc).__name__}: {message}")
            errors.append(f"{step.label}（{step.name}）：{message}")
        results.append(entry)
        JobRun.objects.filter(pk=job_run.pk).update(
            done=F("done") + 1, result={"day": today.isoformat(), "steps": results},
        )
        job_run.done += 1
    job_finish(job_run, result={"day": today.isoformat(), "steps": results}, error="\n".join(errors))
    return job_run

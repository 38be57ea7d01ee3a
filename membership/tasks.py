"""Background work of the member register: Excel import and export of many rows (DESIGN §2.3, §2.4).

Every import keeps a `JobRun` whose result the result page shows. A small file is imported during
the request; a large one is kept in the media storage (outside the static root) and imported by
the `membership.member_import` task, which reports progress as it goes (validation, then the
write) and deletes the file when done.

An export of more rows than a request should take is written by the `membership.member_export`
task into the media storage; the result page offers it for download once, then it is deleted.
"""

import logging
import threading
import uuid
from collections.abc import Callable

from celery import shared_task
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.http import QueryDict

from partyadmin.errors import RuleViolation
from partyadmin.jobs import job_advance, job_finish, job_start
from partyadmin.models import JobRun
from partyadmin.workdays import china_today

from . import documents, imports, selectors

logger = logging.getLogger(__name__)

IMPORT_JOB = "member_import"
IMPORT_DIR = "imports/membership"
SYSTEM_ERROR = "导入失败：系统内部错误，未写入任何数据。请稍后重试或联系管理员。"


def member_import_start(*, acting_user: AbstractBaseUser, upload: File, sheet: imports.SheetRows) -> JobRun:
    """Import `sheet` (read from `upload`) now if it is small, else queue it. The JobRun carries the
    result (`imports.ImportResult.as_dict()`) either way."""
    if len(sheet.rows) <= imports.SYNC_MAX_ROWS:
        run = job_start(IMPORT_JOB, total=2 * len(sheet.rows), user=acting_user)
        try:
            result = imports.member_import(acting_user=acting_user, sheet=sheet)
        except Exception:
            job_finish(run, error=SYSTEM_ERROR)
            raise
        job_advance(run, run.total)
        job_finish(run, result=result.as_dict())
        return run
    upload.seek(0)
    stored = default_storage.save(f"{IMPORT_DIR}/{uuid.uuid4().hex}.xlsx", upload)
    run = job_start(IMPORT_JOB, user=acting_user)  # total 0 until the task claims the run
    run_id, user_id = run.pk, acting_user.pk
    transaction.on_commit(lambda: member_import.delay(run_id, user_id, stored))
    return run


@shared_task(name="membership.member_import")
def member_import(run_id: int, user_id: int, stored_name: str) -> None:
    """Import a stored file for a JobRun. Safe to run twice: the first run claims the JobRun (sets
    its total from 0) with a conditional UPDATE; a second finds it claimed and does nothing."""
    run = JobRun.objects.filter(pk=run_id, name=IMPORT_JOB).first()
    if run is None or not run.is_running or run.total:
        return
    try:
        with default_storage.open(stored_name, "rb") as file:
            sheet = imports.read_sheet(file)
    except FileNotFoundError:
        return  # another run took the file and finished
    except RuleViolation as violation:
        _finish_refused(run, violation, stored_name)
        return
    total = 2 * len(sheet.rows)  # every row is validated, then written
    if JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING, total=0).update(total=total) != 1:
        return
    run.total = total
    try:
        user = get_user_model().objects.get(pk=user_id, is_active=True)
        result = imports.member_import(acting_user=user, sheet=sheet, progress=_progress(run))
        JobRun.objects.filter(pk=run.pk).update(done=total)  # all work done, whatever the counts said
        run.done = total
        job_finish(run, result=result.as_dict())
    except Exception:  # the run must end, and say so, whatever went wrong
        logger.exception("member import %s failed", run_id)
        job_finish(run, error=SYSTEM_ERROR)
    finally:
        default_storage.delete(stored_name)


def _finish_refused(run: JobRun, violation: RuleViolation, stored_name: str) -> None:
    error = imports.CellError(0, "文件", "", violation.message)
    job_finish(run, result=imports.ImportResult(errors=[error], error_count=1).as_dict())
    default_storage.delete(stored_name)


def _progress(run: JobRun) -> Callable[[int], None]:
    """Counts progress so that the page polling the run sees it while the import's one long write
    transaction is still open: inside it, the count is written from a short-lived thread with its
    own connection, which commits at once. SQLite has one writer at a time, so there the count
    only moves outside the transaction (and jumps to the end when the job finishes)."""

    outside = len(connection.atomic_blocks)  # how deep the caller's own transactions go (tests: one)

    def advance(n: int) -> None:
        if len(connection.atomic_blocks) <= outside:
            job_advance(run, n)
        elif connection.vendor == "postgresql":
            worker = threading.Thread(target=_advance_in_own_connection, args=(run, n))
            worker.start()
            worker.join()

    return advance


def _advance_in_own_connection(run: JobRun, n: int) -> None:
    try:
        job_advance(run, n)
    finally:
        connections.close_all()  # this thread's connections only


# --- export ------------------------------------------------------------------------------------

EXPORT_JOB = "member_export"
EXPORT_DIR = "exports/membership"


def member_export_start(*, acting_user: AbstractBaseUser, query: str) -> JobRun:
    """Queue the export of the list under the filters of `query` (the list page's query string)."""
    run = job_start(EXPORT_JOB, user=acting_user)
    run_id, user_id = run.pk, acting_user.pk
    transaction.on_commit(lambda: member_export.delay(run_id, user_id, query))
    return run


@shared_task(name="membership.member_export")
def member_export(run_id: int, user_id: int, query: str) -> None:
    """Write the export for a JobRun. The filters are checked again against the user's scope as it
    is now. Safe to run twice: the run is claimed (total set from 0) by a conditional UPDATE."""
    from .forms import MemberFilterForm

    run = JobRun.objects.filter(pk=run_id, name=EXPORT_JOB).first()
    if run is None or not run.is_running or run.total:
        return
    try:
        user = get_user_model().objects.get(pk=user_id, is_active=True)
        form = MemberFilterForm(QueryDict(query) or None,
                                organizations=selectors.organizations_for_filter(user=user))
        if form.is_bound and not form.is_valid():
            job_finish(run, error="筛选条件有误或无权访问，未导出。")
            return
        filters = form.selector_filters()
        total = selectors.member_list(user=user, **filters).count() or 1
        if JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING, total=0).update(total=total) != 1:
            return
        run.total = total
        output, count = documents.member_export(acting_user=user, filters=filters,
                                                audited_filters=form.audited_filters(),
                                                progress=lambda n: job_advance(run, n))
        with output:
            stored = default_storage.save(f"{EXPORT_DIR}/{uuid.uuid4().hex}.xlsx", File(output))
        JobRun.objects.filter(pk=run.pk).update(done=total)
        job_finish(run, result={"file": stored, "count": count, "filename": documents.export_filename(china_today())})
    except Exception:  # the run must end, and say so, whatever went wrong
        logger.exception("member export %s failed", run_id)
        job_finish(run, error="导出失败：系统内部错误。请稍后重试或联系管理员。")


def member_export_take(run: JobRun) -> File | None:
    """The finished export's file, opened and removed from the storage: it is handed out once, so
    no copy of the register stays on the server. None when it was taken before."""
    stored = (run.result or {}).get("file")
    if run.name != EXPORT_JOB or not stored or not default_storage.exists(stored):
        return None
    handle = default_storage.open(stored, "rb")
    default_storage.delete(stored)  # the open handle still reads the unlinked file
    return handle

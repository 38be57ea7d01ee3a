"""Background jobs (DESIGN §2.3): the daily-step registry, run records with progress, the daily
oversight task (once per day unless forced), its management command, beat schedule and progress page."""

import os
from collections.abc import Callable
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import path, reverse

from audit.notifications.models import Notification
from audit.notifications.services import notify
from partyadmin import celery as celery_module
from partyadmin import jobs, tasks
from partyadmin import urls as project_urls
from partyadmin.celery import app as celery_app
from partyadmin.job_views import job_progress
from partyadmin.jobs import (
    DAILY_JOB,
    job_advance,
    job_claim_day,
    job_finish,
    job_start,
    register_daily,
    run_daily,
)
from partyadmin.models import JobRun
from partyadmin.tasks import daily_oversight, daily_oversight_queue
from tests.conftest import make_user

DAY = date(2026, 3, 2)

# The progress page is wired by the project's urls.py (`jobs/<id>/progress/`, name "job_progress");
# until it is, these tests add the same line on top of the project's patterns.
urlpatterns = list(project_urls.urlpatterns)
if not any(getattr(pattern, "name", None) == "job_progress" for pattern in urlpatterns):
    urlpatterns.append(path("jobs/<int:pk>/progress/", job_progress, name="job_progress"))
JOB_URLS = __name__


class Step:
    """A daily step for tests: counts its calls, optionally notifies a user or fails."""

    def __init__(self, counts: dict[str, int] | None = None, *, fail: Exception | None = None,
                 notify_user=None) -> None:
        self.counts = counts or {}
        self.fail = fail
        self.notify_user = notify_user
        self.days: list[date] = []

    def __call__(self, *, today: date) -> dict[str, int]:
        self.days.append(today)
        if self.notify_user is not None:
            # A stable key: the same reminder for the same day is never sent twice.
            notify(user=self.notify_user, key=f"test:reminder:{today.isoformat()}", kind="test",
                   title="测试提醒")
        if self.fail is not None:
            JobRun.objects.create(name="written-before-failing")  # must be rolled back with the step
            raise self.fail
        return self.counts


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Step]:
    """An empty daily-step registry for the test: `registry("name", Step(...))` registers a step."""
    monkeypatch.setattr(jobs, "_daily_steps", {})

    def add(name: str, step: Step, label: str = "", **options) -> Step:
        register_daily(name, step, label or f"测试步骤 {name}", **options)
        return step

    return add


# --- registry and run_daily -----------------------------------------------------------------------


def test_registry_keeps_registration_order(registry):
    registry("first", Step())
    registry("second", Step())

    assert [s.name for s in jobs.daily_steps()] == ["first", "second"]


def test_registering_another_function_under_a_taken_name_is_refused(registry):
    registry("tick", Step())

    with pytest.raises(ValueError, match="tick"):
        register_daily("tick", Step(), "另一个")


def test_registering_the_same_function_twice_is_harmless(registry):
    step = registry("tick", Step())

    register_daily("tick", step, "测试步骤 tick")

    assert len(jobs.daily_steps()) == 1


@pytest.mark.django_db
def test_run_daily_runs_every_step_with_the_day_and_records_counts(registry):
    first = registry("first", Step({"opened": 2}), "公示开始", count_labels={"opened": "开始公示"})
    second = registry("second", Step({"closed": 1, "overdue": 0}), "公示结束")

    run = run_daily(today=DAY)

    run.refresh_from_db()
    assert first.days == [DAY] and second.days == [DAY]
    assert run.status == JobRun.Status.SUCCEEDED and run.finished_at is not None
    assert (run.done, run.total) == (2, 2)
    assert run.result == {"day": "2026-03-02", "steps": [
        {"name": "first", "label": "公示开始", "ok": True, "counts": {"opened": 2}, "summary": "开始公示 2"},
        {"name": "second", "label": "公示结束", "ok": True, "counts": {"closed": 1, "overdue": 0},
         "summary": "closed 1，overdue 0"},
    ]}
    assert run.error == ""


@pytest.mark.django_db
def test_a_failing_step_is_recorded_and_the_others_still_run(registry):
    registry("before", Step({"n": 1}))
    registry("broken", Step(fail=RuntimeError("数据库出错")), "备案超期")
    after = registry("after", Step({"n": 3}))

    run = run_daily(today=DAY)

    run.refresh_from_db()
    assert after.days == [DAY]
    assert run.status == JobRun.Status.FAILED
    assert [s["ok"] for s in run.result["steps"]] == [True, False, True]
    assert run.result["steps"][1]["error"] == "RuntimeError: 数据库出错"
    assert "备案超期（broken）：数据库出错" in run.error
    assert run.done == 3


@pytest.mark.django_db
def test_a_failing_step_s_writes_are_rolled_back(registry):
    registry("broken", Step(fail=RuntimeError("boom")))

    run_daily(today=DAY)

    assert not JobRun.objects.filter(name="written-before-failing").exists()


@pytest.mark.django_db
def test_a_rule_violation_in_a_step_is_recorded_with_its_chinese_message(registry):
    from partyadmin.workdays import CalendarNotCovered

    registry("calendar", Step(fail=CalendarNotCovered(2027)))

    run = run_daily(today=DAY)

    assert "2027 年的工作日历尚未录入" in run.error


# --- progress records -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_job_advance_is_one_update_that_adds_to_the_stored_count(django_assert_num_queries):
    run = job_start("import", total=10)
    JobRun.objects.filter(pk=run.pk).update(done=4)  # another worker got there first

    with django_assert_num_queries(1):
        job_advance(run, 3)

    run.refresh_from_db()
    assert run.done == 7


@pytest.mark.django_db
def test_job_finish_with_an_error_marks_the_run_failed():
    run = job_start("import", total=2)

    job_finish(run, error="第 3 行：身份证号格式不正确")

    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and run.finished_at is not None
    assert run.error == "第 3 行：身份证号格式不正确"


@pytest.mark.django_db
def test_percent_follows_done_over_total_and_is_unknown_without_a_total():
    run = job_start("import", total=8)
    job_advance(run, 2)

    assert run.percent == 25
    assert job_start("rollup").percent is None


@pytest.mark.django_db
def test_a_day_is_claimed_once():
    assert job_claim_day("tick", DAY) is not None

    assert job_claim_day("tick", DAY) is None
    assert job_claim_day("tick", date(2026, 3, 3)) is not None
    assert job_claim_day("other", DAY) is not None


@pytest.mark.django_db
def test_a_forced_claim_takes_over_and_resets_the_earlier_run():
    first = job_claim_day("tick", DAY, total=3)
    job_advance(first, 3)
    job_finish(first, error="失败")

    again = job_claim_day("tick", DAY, total=3, force=True)

    assert again.pk == first.pk
    assert (again.status, again.done, again.error, again.finished_at) == (JobRun.Status.RUNNING, 0, "", None)


# --- the daily task and its command ---------------------------------------------------------------


@pytest.mark.django_db
def test_daily_oversight_run_twice_the_same_day_does_nothing_the_second_time(registry):
    alice = make_user("alice")
    step = registry("remind", Step(notify_user=alice))

    first = daily_oversight(day=DAY.isoformat())
    second = daily_oversight(day=DAY.isoformat())

    assert first is not None and second is None
    assert step.days == [DAY]
    assert Notification.objects.filter(user=alice).count() == 1
    assert JobRun.objects.get(pk=first).status == JobRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_daily_oversight_forced_runs_the_steps_again_without_duplicate_notifications(registry):
    alice = make_user("alice")
    step = registry("remind", Step(notify_user=alice))
    first = daily_oversight(day=DAY.isoformat())

    again = daily_oversight(day=DAY.isoformat(), force=True)

    assert again == first
    assert step.days == [DAY, DAY]
    assert Notification.objects.filter(user=alice).count() == 1
    assert JobRun.objects.filter(name=DAILY_JOB).count() == 1


@pytest.mark.django_db
def test_daily_oversight_runs_again_the_next_day(registry):
    step = registry("tick", Step())

    daily_oversight(day="2026-03-02")
    daily_oversight(day="2026-03-03")

    assert step.days == [date(2026, 3, 2), date(2026, 3, 3)]


@pytest.mark.django_db
def test_daily_oversight_without_a_day_uses_today_in_china(registry, monkeypatch):
    step = registry("tick", Step())
    monkeypatch.setattr(tasks, "china_today", lambda: date(2026, 5, 6))

    run_id = daily_oversight()

    assert step.days == [date(2026, 5, 6)]
    assert JobRun.objects.get(pk=run_id).day == date(2026, 5, 6)


@pytest.mark.django_db
def test_daily_oversight_records_who_started_it(registry):
    registry("tick", Step())
    admin = make_user("admin", is_staff=True)

    run_id = daily_oversight(day=DAY.isoformat(), user_id=admin.pk)

    assert JobRun.objects.get(pk=run_id).triggered_by == admin


@pytest.mark.django_db
def test_queueing_the_daily_run_waits_for_the_transaction_to_commit(registry, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    step = registry("tick", Step())
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)  # no broker: run in-process

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        daily_oversight_queue(day=DAY)
        assert step.days == []  # nothing is sent while the transaction is open

    assert len(callbacks) == 1
    assert step.days == [DAY]


@pytest.mark.django_db
def test_command_runs_the_day_and_prints_each_step(registry, capsys):
    registry("publicity", Step({"opened": 2, "closed": 1}), "公示期开始与结束",
             count_labels={"opened": "开始公示", "closed": "结束公示"})

    call_command("run_daily_oversight", "--date", "2026-03-02")

    out = capsys.readouterr().out
    assert "公示期开始与结束：开始公示 2，结束公示 1" in out
    assert "每日监督任务 2026-03-02 已完成" in out


@pytest.mark.django_db
def test_command_second_run_the_same_day_says_so_and_runs_nothing(registry, capsys):
    step = registry("tick", Step())
    call_command("run_daily_oversight", "--date", "2026-03-02")

    call_command("run_daily_oversight", "--date", "2026-03-02")

    assert step.days == [DAY]
    assert "已运行过" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_force_runs_the_day_again(registry):
    step = registry("tick", Step())
    call_command("run_daily_oversight", "--date", "2026-03-02")

    call_command("run_daily_oversight", "--date", "2026-03-02", "--force")

    assert step.days == [DAY, DAY]


@pytest.mark.django_db
def test_command_fails_when_a_step_failed(registry):
    registry("broken", Step(fail=RuntimeError("boom")))

    with pytest.raises(CommandError, match="有步骤失败"):
        call_command("run_daily_oversight", "--date", "2026-03-02")


def test_command_rejects_a_malformed_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_daily_oversight", "--date", "2026/03/02")


def test_beat_runs_the_daily_job_at_one_in_the_morning_china_time():
    entry = celery_module.app.conf.beat_schedule["daily-oversight"]

    assert entry["task"] == daily_oversight.name
    assert entry["schedule"].hour == {1} and entry["schedule"].minute == {0}
    assert str(entry["schedule"].tz) == "Asia/Shanghai"


def test_beat_copies_the_schedule_into_the_admin_editable_table(transactional_db):
    """Transactional: beat closes stale connections before reading, and inside a test transaction
    that would be the test's own."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    DatabaseScheduler(app=celery_app)

    task = PeriodicTask.objects.select_related("crontab").get(name="daily-oversight")
    assert task.task == "partyadmin.daily_oversight" and task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("0", "1", "Asia/Shanghai")


# --- progress page --------------------------------------------------------------------------------


@pytest.fixture
def alices_run(db) -> JobRun:
    alice = make_user("alice")
    return job_start("member_import", total=4, user=alice, label="导入党员名册")


def progress_url(run: JobRun) -> str:
    return reverse("job_progress", args=[run.pk])


@pytest.mark.urls(JOB_URLS)
def test_progress_is_shown_to_whoever_started_the_job_and_polls_while_running(client, alices_run,
                                                                              django_assert_max_num_queries):
    job_advance(alices_run, 1)
    client.force_login(alices_run.triggered_by)

    with django_assert_max_num_queries(6):  # session, user, the run; the session save (UPDATE in a savepoint)
        response = client.get(progress_url(alices_run))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{progress_url(alices_run)}"' in html
    assert "25%" in html and "1 / 4" in html and "导入党员名册" in html


@pytest.mark.urls(JOB_URLS)
def test_a_finished_run_stops_polling(client, alices_run):
    job_finish(alices_run, result={})
    client.force_login(alices_run.triggered_by)

    html = client.get(progress_url(alices_run)).content.decode()

    assert "hx-trigger" not in html and "已完成" in html


@pytest.mark.urls(JOB_URLS)
def test_someone_else_s_run_is_404(client, alices_run):
    client.force_login(make_user("charlie"))

    assert client.get(progress_url(alices_run)).status_code == 404


@pytest.mark.urls(JOB_URLS)
def test_staff_see_any_run(client, alices_run):
    client.force_login(make_user("admin", is_staff=True))

    assert client.get(progress_url(alices_run)).status_code == 200


@pytest.mark.urls(JOB_URLS)
def test_a_missing_run_is_404(client, db):
    client.force_login(make_user("alice"))

    assert client.get(reverse("job_progress", args=[999999])).status_code == 404


@pytest.mark.urls(JOB_URLS)
def test_anonymous_progress_request_goes_to_login(client, alices_run):
    response = client.get(progress_url(alices_run))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- a real worker ----------------------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker (REDIS_URL)")
def test_a_worker_runs_the_daily_job_queued_through_redis(transactional_db, registry, monkeypatch):
    from celery.contrib.testing.worker import start_worker

    step = registry("tick", Step({"done": 1}))
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    celery_app.control.purge()  # nothing left over from an interrupted earlier run

    with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=5):
        run_id = daily_oversight.delay(day=DAY.isoformat()).get(timeout=8)

    assert step.days == [DAY]
    assert JobRun.objects.get(pk=run_id).status == JobRun.Status.SUCCEEDED


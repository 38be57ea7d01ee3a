"""Publicity services: dates from the calendar, frozen snapshots, the daily job, objections and termination."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from audit.models import Event
from audit.notifications.models import Notification
from audit.publicity import services
from audit.publicity.models import (
    Channel,
    Finding,
    Objection,
    ObjectionStatus,
    PublicityEntry,
    PublicityWindow,
    WindowStatus,
)
from branches import services as org_services
from branches.policies import PUBLICITY_PERIOD
from partyadmin.errors import RuleViolation
from partyadmin.models import Holiday

from .factories import TODAY, fields, open_window

pytestmark = pytest.mark.django_db


def working_days_by_package(start: date, n: int) -> date:
    """Day N counted straight from chinesecalendar, independent of the Holiday table and of the app."""
    day, counted = start, 0
    while True:
        if chinese_calendar.is_workday(day):
            counted += 1
            if counted == n:
                return day
        day += timedelta(days=1)


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("starts_on", "ends_on"), [
    # National Day 2024: 1–7 October off, Sunday 29 September worked (DESIGN §2.2's example).
    (date(2024, 9, 27), date(2024, 10, 9)),
    # National Day and Mid-Autumn 2025: 1–8 October off, Sunday 28 September worked.
    (date(2025, 9, 26), date(2025, 10, 9)),
    # Spring Festival 2025: 28 January – 4 February off, Sunday 26 January and Saturday 8 February worked.
    (date(2025, 1, 27), date(2025, 2, 8)),
    # Opened on a Saturday: day 1 is the Monday.
    (date(2024, 6, 15), date(2024, 6, 21)),
])
def test_five_working_days_follow_the_holiday_calendar(branch_a, alice, starts_on, ends_on):
    """seed 000: "公示期限一般为5个工作日"."""
    window = open_window(branch_a, acting_user=alice, starts_on=starts_on, today=starts_on)
    assert window.ends_on == ends_on == working_days_by_package(starts_on, 5)
    assert (window.period_unit, window.period_count) == ("working_days", 5)


def test_the_holiday_table_agrees_with_the_package_over_national_day_2024():
    rows = dict(Holiday.objects.filter(date__range=(date(2024, 9, 27), date(2024, 10, 9)))
                .values_list("date", "is_working_day"))
    assert [d for d, working in sorted(rows.items()) if working] == [
        date(2024, 9, 27), date(2024, 9, 29), date(2024, 9, 30), date(2024, 10, 8), date(2024, 10, 9),
    ]


def test_a_tenant_may_publicize_seven_calendar_days(branch_a, town, alice):
    """seed 003: "公示时间不少于7天" — a tenant policy, holidays included."""
    org_services.policy_set(acting_user=None, organization=town, key=PUBLICITY_PERIOD,
                            value={"unit": "days", "count": 7})
    window = open_window(branch_a, acting_user=alice, starts_on=date(2024, 9, 27), today=date(2024, 9, 27))
    assert window.ends_on == date(2024, 10, 3)
    assert (window.period_unit, window.period_count) == ("days", 7)


def test_the_policy_is_snapshotted_on_the_window(branch_a, town, alice):
    window = open_window(branch_a, acting_user=alice)
    org_services.policy_set(acting_user=None, organization=town, key=PUBLICITY_PERIOD,
                            value={"unit": "days", "count": 7})
    window.refresh_from_db()
    assert (window.ends_on, window.period_unit, window.period_count) == (date(2024, 10, 9), "working_days", 5)


def test_a_window_starting_today_is_open_and_a_later_one_scheduled(branch_a, alice):
    assert open_window(branch_a, acting_user=alice).status == WindowStatus.OPEN
    later = open_window(branch_a, acting_user=alice, starts_on=TODAY + timedelta(days=3))
    assert later.status == WindowStatus.SCHEDULED and later.opened_at is None


def test_a_back_dated_window_is_refused(branch_a, alice):
    with pytest.raises(RuleViolation) as refused:
        open_window(branch_a, acting_user=alice, starts_on=TODAY - timedelta(days=1))
    assert refused.value.code == "publicity.start_in_past"


# --- snapshot -----------------------------------------------------------------------------------------


def test_snapshot_does_not_change_when_the_source_changes(branch_a, alice):
    """DESIGN §5: "The snapshot does not change if the source record changes later."""
    source = fields("张伟", results={"赞成": 20, "反对": 1})
    window = services.publicity_open(
        acting_user=alice, organization=branch_a, title="发展对象公示", kind="recruitment.candidate",
        entries=[("recruitment.candidate", "7", source)], scope=["branch_members"], starts_on=TODAY, today=TODAY,
    )
    source["name"] = "张伟伟"
    source["results"]["反对"] = 9
    source["position"] = "主任"
    snapshot = PublicityEntry.objects.get(window=window).snapshot
    assert snapshot == fields("张伟", results={"赞成": 20, "反对": 1})


def test_entries_keep_their_order_and_subject(branch_a, alice):
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜", "王芳"), subject_type="test.subject")
    rows = list(window.entries.order_by("order").values_list("order", "subject_type", "subject_id", "snapshot__name"))
    assert rows == [(1, "test.subject", "1", "张伟"), (2, "test.subject", "2", "李娜"), (3, "test.subject", "3", "王芳")]


def test_columns_are_what_the_entries_hold(branch_a, alice):
    window = open_window(branch_a, acting_user=alice)
    assert [key for key, _ in window.columns] == ["name", "gender", "age", "education", "occupation", "position"]


@pytest.mark.parametrize(("extra", "what"), [
    ({"id_number": "41080219800512001X"}, "id_number"),
    ({"phone": "13812345678"}, "phone"),
    ({"address": "河南省焦作市解放区民主路12号"}, "address"),
    ({"results": "身份证号41080219800512001X"}, "身份证号码"),
    ({"position": "联系电话 13812345678"}, "手机号码"),
])
def test_personal_data_is_refused_and_nothing_is_written(branch_a, alice, extra, what):
    """DESIGN §2.1: ID number, phone, address "never appear in publicity"."""
    events = Event.objects.count()
    with pytest.raises(RuleViolation) as refused:
        services.publicity_open(
            acting_user=alice, organization=branch_a, title="公示", kind="recruitment.activist",
            entries=[("", "", fields("张伟")), ("", "", fields("李娜", **extra))], scope=["branch_members"],
            starts_on=TODAY, today=TODAY,
        )
    assert refused.value.code == "publicity.private_field"
    assert what in refused.value.message and refused.value.message.startswith("第2个公示对象")
    assert PublicityWindow.objects.count() == 0 and Event.objects.count() == events


def test_opening_is_audited_with_the_names(branch_a, alice):
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜"))
    event = Event.objects.get(action="publicity.open")
    assert (event.actor, event.organization, event.subject_id) == (alice, branch_a, str(window.pk))
    assert event.changes["entries"] == [None, ["张伟", "李娜"]]
    assert event.changes["ends_on"] == [None, "2024-10-09"]


# --- the daily job --------------------------------------------------------------------------------------


def test_tick_opens_scheduled_windows_once(branch_a, alice):
    window = open_window(branch_a, acting_user=alice, starts_on=date(2024, 9, 30))
    assert services.publicity_tick(today=date(2024, 9, 29))["opened"] == 0
    assert services.publicity_tick(today=date(2024, 9, 30))["opened"] == 1
    events = Event.objects.count()
    assert services.publicity_tick(today=date(2024, 9, 30))["opened"] == 0
    window.refresh_from_db()
    assert window.status == WindowStatus.OPEN and window.opened_at is not None
    assert Event.objects.count() == events
    assert Event.objects.filter(action="publicity.start", subject_id=str(window.pk)).count() == 1


def test_tick_closes_a_window_after_its_last_day_once(branch_a, alice):
    window = open_window(branch_a, acting_user=alice)  # ends 2024-10-09
    assert services.publicity_tick(today=date(2024, 10, 9))["closed"] == 0
    assert services.publicity_tick(today=date(2024, 10, 10))["closed"] == 1
    events = Event.objects.count()
    assert services.publicity_tick(today=date(2024, 10, 10)) == {"opened": 0, "closed": 0, "reminded": 0}
    window.refresh_from_db()
    assert window.status == WindowStatus.CLOSED and window.closed_at is not None
    assert Event.objects.count() == events


def test_a_missed_window_is_opened_and_closed_in_one_run(branch_a, alice):
    window = open_window(branch_a, acting_user=alice, starts_on=date(2024, 9, 30))
    assert services.publicity_tick(today=date(2024, 11, 1)) == {"opened": 1, "closed": 1, "reminded": 0}
    window.refresh_from_db()
    assert window.status == WindowStatus.CLOSED


def test_tick_reminds_opener_and_secretaries_the_day_before_the_end_once(branch_a, alice, bob, charlie):
    window = open_window(branch_a, acting_user=bob)  # ends 2024-10-09
    assert services.publicity_tick(today=date(2024, 10, 7))["reminded"] == 0
    assert services.publicity_tick(today=date(2024, 10, 8))["reminded"] == 2
    assert services.publicity_tick(today=date(2024, 10, 8))["reminded"] == 0
    assert services.publicity_tick(today=date(2024, 10, 9))["reminded"] == 0
    notified = Notification.objects.filter(key=f"publicity:{window.pk}:closing:2024-10-09")
    assert sorted(notified.values_list("user__username", flat=True)) == ["alice", "bob"]


def test_tick_leaves_terminated_windows_alone(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice)
    objection = services.objection_file(acting_user=mona, window=window, content="群众反映其不孝敬父母。", today=TODAY)
    services.objection_conclude(acting_user=alice, objection=objection, finding=Finding.SUBSTANTIVE,
                                investigation="经走访核实，情况属实。")
    assert services.publicity_tick(today=date(2024, 10, 10))["closed"] == 0
    window.refresh_from_db()
    assert window.status == WindowStatus.TERMINATED


# --- objections ------------------------------------------------------------------------------------------


def test_member_files_an_objection_while_open(branch_a, alice, mona):
    """seed 000: "对公示期间群众反映的问题要认真调查核实"."""
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜"))
    entry = window.entries.get(order=2)
    objection = services.objection_file(acting_user=mona, window=window, entry=entry, content="该同志长期不参加组织生活。",
                                        today=date(2024, 10, 9))
    assert (objection.filed_by, objection.channel, objection.status) == (mona, Channel.ONLINE, ObjectionStatus.RECEIVED)
    assert objection.received_on == date(2024, 10, 9) and objection.county_id == branch_a.county_id
    event = Event.objects.get(action="publicity.objection_file")
    assert event.actor == mona and event.changes["entry"] == [None, "第2位 李娜"]


def test_opener_is_notified_of_an_objection(branch_a, bob, mona):
    window = open_window(branch_a, acting_user=bob)
    objection = services.objection_file(acting_user=mona, window=window, content="有异议。", today=TODAY)
    assert Notification.objects.filter(user=bob, key=f"publicity:{window.pk}:objection:{objection.pk}").exists()


def test_anonymous_objection_keeps_no_filer(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice)
    objection = services.objection_file(acting_user=mona, window=window, content="有异议。", anonymous=True, today=TODAY)
    assert objection.is_anonymous and objection.filed_by is None
    assert Event.objects.get(action="publicity.objection_file").actor is None


def test_objection_refused_after_close(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice)  # ends 2024-10-09
    services.publicity_tick(today=date(2024, 10, 10))
    window.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:
        services.objection_file(acting_user=mona, window=window, content="有异议。", today=date(2024, 10, 10))
    assert refused.value.code == "publicity.not_open"
    assert not Objection.objects.exists()


def test_objection_refused_after_the_last_day_even_before_the_job_ran(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice)
    with pytest.raises(RuleViolation) as refused:
        services.objection_file(acting_user=mona, window=window, content="有异议。", today=date(2024, 10, 10))
    assert refused.value.code == "publicity.not_open"


def test_objection_refused_before_the_window_opens(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice, starts_on=date(2024, 9, 30))
    with pytest.raises(RuleViolation):
        services.objection_file(acting_user=mona, window=window, content="有异议。", today=TODAY)


def test_member_of_another_branch_cannot_file(branch_a, alice, mike):
    window = open_window(branch_a, acting_user=alice)
    with pytest.raises(RuleViolation) as refused:
        services.objection_file(acting_user=mike, window=window, content="有异议。", today=TODAY)
    assert refused.value.code == "publicity.not_in_scope"


def test_secretary_records_an_anonymous_phone_objection(branch_a, alice, bob):
    window = open_window(branch_a, acting_user=bob)
    objection = services.objection_record(
        acting_user=alice, window=window, entry=None, content="来电反映：该同志有违规建房问题。", channel=Channel.PHONE,
        anonymous=True, today=date(2024, 9, 29),
    )
    assert (objection.recorded_by, objection.filed_by, objection.is_anonymous) == (alice, None, True)
    assert objection.on_behalf_of_name == "" and objection.received_on == date(2024, 9, 29)
    assert Event.objects.get(action="publicity.objection_record").actor == alice
    assert Notification.objects.filter(user=bob, kind="publicity.objection").exists()


def test_secretary_may_record_a_letter_received_in_time_after_close(branch_a, alice):
    window = open_window(branch_a, acting_user=alice)
    services.publicity_tick(today=date(2024, 10, 10))
    window.refresh_from_db()
    objection = services.objection_record(
        acting_user=alice, window=window, entry=None, content="来信反映问题。", channel=Channel.PAPER, anonymous=False,
        on_behalf_of_name="刘群众", received_on=date(2024, 10, 9), today=date(2024, 10, 10),
    )
    assert objection.on_behalf_of_name == "刘群众"
    with pytest.raises(RuleViolation) as refused:
        services.objection_record(
            acting_user=alice, window=window, entry=None, content="来信反映问题。", channel=Channel.PAPER,
            anonymous=False, on_behalf_of_name="刘群众", received_on=date(2024, 10, 10), today=date(2024, 10, 10),
        )
    assert refused.value.code == "publicity.received_outside_window"


def test_named_record_needs_a_name(branch_a, alice):
    window = open_window(branch_a, acting_user=alice)
    with pytest.raises(RuleViolation) as refused:
        services.objection_record(acting_user=alice, window=window, entry=None, content="反映问题。",
                                  channel=Channel.VISIT, anonymous=False, today=TODAY)
    assert refused.value.field == "on_behalf_of_name"


# --- conclusion and termination ------------------------------------------------------------------------------


@pytest.fixture
def handler_calls(monkeypatch):
    """A handler registered for "test.subject", recording each call."""
    from audit import registry

    calls = []

    def handler(*, acting_user, subject_id, window, objection):
        calls.append({"user": acting_user, "subject_id": subject_id, "window": window.pk, "objection": objection.pk})

    monkeypatch.setitem(registry._publicity_handlers, "test.subject", handler)
    return calls


def file(window, user, entry=None, content="群众反映其有违法违纪问题。"):
    return services.objection_file(acting_user=user, window=window, entry=entry, content=content, today=TODAY)


def test_substantive_finding_terminates_and_calls_the_handler_once(branch_a, alice, mona, handler_calls):
    """seed 000: "发现有实质性问题的，应立即终止发展程序"."""
    window = open_window(branch_a, acting_user=alice, subject_type="test.subject")
    objection = file(window, mona)
    services.objection_conclude(acting_user=alice, objection=objection, finding=Finding.SUBSTANTIVE,
                                investigation="经调查核实，反映问题属实。")
    window.refresh_from_db()
    assert window.status == WindowStatus.TERMINATED and window.terminated_at is not None
    assert "属实" in window.termination_reason
    assert window.entries.get().is_terminated
    assert [(c["user"], c["subject_id"], c["window"], c["objection"]) for c in handler_calls] == [
        (alice, "1", window.pk, objection.pk)
    ]
    assert Event.objects.filter(action="publicity.terminate", subject_id=str(window.pk)).count() == 1


def test_a_second_substantive_finding_does_not_call_the_handler_again(branch_a, alice, mona, handler_calls):
    window = open_window(branch_a, acting_user=alice, subject_type="test.subject")
    first, second = file(window, mona), file(window, mona, content="另一问题。")
    for objection in (first, second):
        services.objection_conclude(acting_user=alice, objection=objection, finding=Finding.SUBSTANTIVE,
                                    investigation="属实。")
    assert len(handler_calls) == 1
    assert Event.objects.filter(action="publicity.terminate").count() == 1


def test_substantive_finding_on_one_entry_ends_only_that_process(branch_a, alice, mona, handler_calls):
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜"), subject_type="test.subject")
    li_na = window.entries.get(order=2)
    services.objection_conclude(acting_user=alice, objection=file(window, mona, entry=li_na),
                                finding=Finding.SUBSTANTIVE, investigation="属实。")
    window.refresh_from_db()
    assert window.status == WindowStatus.OPEN
    assert [e.is_terminated for e in window.entries.order_by("order")] == [False, True]
    assert [c["subject_id"] for c in handler_calls] == ["2"]


def test_window_terminates_when_its_last_running_entry_does(branch_a, alice, mona, handler_calls):
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜"), subject_type="test.subject")
    for entry in window.entries.order_by("order"):
        services.objection_conclude(acting_user=alice, objection=file(window, mona, entry=entry),
                                    finding=Finding.SUBSTANTIVE, investigation="属实。")
    window.refresh_from_db()
    assert window.status == WindowStatus.TERMINATED
    assert sorted(c["subject_id"] for c in handler_calls) == ["1", "2"]


def test_objection_against_the_whole_window_terminates_every_entry(branch_a, alice, mona, handler_calls):
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜"), subject_type="test.subject")
    services.objection_conclude(acting_user=alice, objection=file(window, mona), finding=Finding.SUBSTANTIVE,
                                investigation="评议程序违规，属实。")
    window.refresh_from_db()
    assert window.status == WindowStatus.TERMINATED
    assert sorted(c["subject_id"] for c in handler_calls) == ["1", "2"]


def test_non_substantive_finding_does_not_terminate(branch_a, alice, mona, handler_calls):
    window = open_window(branch_a, acting_user=alice, subject_type="test.subject")
    objection = services.objection_conclude(acting_user=alice, objection=file(window, mona),
                                            finding=Finding.NOT_SUBSTANTIVE, investigation="经核实，反映情况不属实。")
    window.refresh_from_db()
    assert window.status == WindowStatus.OPEN and not window.entries.get().is_terminated
    assert handler_calls == []
    assert (objection.status, objection.finding, objection.investigated_by) == (
        ObjectionStatus.CONCLUDED, Finding.NOT_SUBSTANTIVE, alice)
    assert Notification.objects.filter(user=mona, kind="publicity.objection_concluded").exists()


def test_a_failing_handler_rolls_the_conclusion_back(branch_a, alice, mona, monkeypatch):
    from audit import registry

    def refuse(**kwargs):
        raise RuleViolation("test.refused", "领域规则不允许终止。")

    monkeypatch.setitem(registry._publicity_handlers, "test.subject", refuse)
    window = open_window(branch_a, acting_user=alice, subject_type="test.subject")
    objection = file(window, mona)
    with pytest.raises(RuleViolation):
        services.objection_conclude(acting_user=alice, objection=objection, finding=Finding.SUBSTANTIVE,
                                    investigation="属实。")
    objection.refresh_from_db()
    window.refresh_from_db()
    assert objection.status == ObjectionStatus.RECEIVED and window.status == WindowStatus.OPEN


def test_a_concluded_objection_cannot_be_concluded_again(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice)
    objection = file(window, mona)
    services.objection_conclude(acting_user=alice, objection=objection, finding=Finding.NOT_SUBSTANTIVE,
                                investigation="不属实。")
    with pytest.raises(RuleViolation) as refused:
        services.objection_conclude(acting_user=alice, objection=objection, finding=Finding.SUBSTANTIVE,
                                    investigation="属实。")
    assert refused.value.code == "publicity.objection_concluded"


def test_conclusion_needs_a_written_investigation(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice)
    with pytest.raises(RuleViolation) as refused:
        services.objection_conclude(acting_user=alice, objection=file(window, mona), finding=Finding.NOT_SUBSTANTIVE,
                                    investigation="  ")
    assert refused.value.field == "investigation"


def test_investigation_progress_is_recorded_and_audited(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice)
    objection = services.objection_investigate(acting_user=alice, objection=file(window, mona),
                                               investigation="已约谈反映人。")
    assert (objection.status, objection.investigation) == (ObjectionStatus.INVESTIGATING, "已约谈反映人。")
    assert Event.objects.filter(action="publicity.objection_investigate").count() == 1


def test_a_terminated_entry_takes_no_more_objections(branch_a, alice, mona):
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜"))
    zhang = window.entries.get(order=1)
    services.objection_conclude(acting_user=alice, objection=file(window, mona, entry=zhang),
                                finding=Finding.SUBSTANTIVE, investigation="属实。")
    zhang.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:
        file(window, mona, entry=zhang)
    assert refused.value.code == "publicity.entry_terminated"

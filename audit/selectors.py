"""Reads of the event log, always through the tenancy scope (`Action.VIEW_AUDIT`).

An event is visible where its organization lies under one of the user's VIEW_AUDIT grants.
Events without an organization (failed logins for unknown account names) are on the global chain
and shown in the Django admin only.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from branches.scoping import ROLE_ACTIONS, Action, AnyUser, grants_of, path_q

from .models import Event
from .registry import registered_types, resolve_subject


@dataclass(frozen=True)
class EventFilters:
    action: str = ""  # an action name or a prefix such as "organization."
    actor: str = ""  # the actor's account name, exactly
    date_from: date | None = None
    date_to: date | None = None
    result: str = ""


def may_view_audit(user: AnyUser) -> bool:
    """Whether the user holds VIEW_AUDIT anywhere (otherwise the audit pages are a 404)."""
    return any(Action.VIEW_AUDIT in ROLE_ACTIONS[grant.role] for grant in grants_of(user))


def _scoped_events(user: AnyUser) -> QuerySet[Event]:
    return Event.objects.filter(path_q(user, Action.VIEW_AUDIT, path_field="organization__path"))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def event_list(*, user: AnyUser, filters: EventFilters | None = None) -> QuerySet[Event]:
    """The audit trail the user may read, newest first, with the organization joined."""
    filters = filters or EventFilters()
    events = _scoped_events(user)
    if filters.action:
        events = (
            events.filter(action__startswith=filters.action) if filters.action.endswith(".")
            else events.filter(action=filters.action)
        )
    if filters.actor:
        events = events.filter(actor_name=filters.actor)
    if filters.date_from:
        events = events.filter(created_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    if filters.result:
        events = events.filter(result=filters.result)
    return events.select_related("organization").order_by("-created_at", "-id")


def subject_history(*, user: AnyUser, subject_type: str, subject_id: str) -> tuple[models.Model, QuerySet[Event]]:
    """One subject (404 unless registered and visible to the user) and its events, newest first.

    The events shown are those on the user's audit trail: a user without VIEW_AUDIT over the
    subject's organization sees the subject elsewhere, not its history here.
    """
    if not may_view_audit(user):
        raise Http404("对象不存在或无权访问。")
    subject = resolve_subject(user, subject_type, subject_id)
    events = (
        _scoped_events(user)
        .filter(subject_type=subject_type, subject_id=str(subject.pk))
        .select_related("organization")
        .order_by("-created_at", "-id")
    )
    return subject, events


def has_history_page(subject_type: str) -> bool:
    return subject_type in registered_types()


# Chinese names of actions, for the trail pages; an action without one shows its code.
ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "auth.password_change": "修改密码",
    "auth.second_factor": "动态口令验证",
    "auth.second_factor_failed": "动态口令验证失败",
    "auth.second_factor_enrol": "绑定动态口令",
    "organization.create": "新建组织",
    "grant.assign": "授予角色",
    "grant.revoke": "撤销角色",
    "policy.set": "设置组织策略",
    "committee.appoint": "支委任职",
    "committee.end": "支委离任",
    "member.create": "登记党员",
    "member.update": "修改党员信息",
    "member.reveal_personal_data": "查看完整个人信息",
    "person.create": "登记人员",
    "person.update": "修改人员信息",
    "person.link_account": "关联本人账号",
    "person.reencrypt": "个人信息密钥轮换",
    "partyadmin.holiday.admin_change": "修改工作日历",
    "partyadmin.holiday.generate_year": "生成年度日历",
    "partyadmin.holiday.load": "载入节假日安排",
    "publicity.open": "发布公示",
    "publicity.start": "公示开始",
    "publicity.close": "公示结束",
    "publicity.terminate": "终止公示",
    "publicity.entry_terminate": "终止公示对象程序",
    "publicity.objection_file": "提出公示异议",
    "publicity.objection_record": "登记公示异议",
    "publicity.objection_investigate": "调查核实异议",
    "publicity.objection_conclude": "办结公示异议",
    "filing.submit": "报送备案/审批",
    "filing.resubmit": "重新报送",
    "filing.withdraw": "撤回报送",
    "filing.approve": "审核通过",
    "filing.return": "退回报送",
    "filing.extend": "延长审批期限",
    "filing.overdue": "报送事项超期",
    "filing.material_download": "下载报送材料",
    "accountability.open": "立案责任追究",
    "accountability.add_party": "添加责任人",
    "accountability.extend": "延长办理期限",
    "accountability.close": "办结责任追究",
    "accountability.overdue": "责任追究超期",
}


def register_action_labels(labels: dict[str, str]) -> None:
    """Domain apps name their own actions at start-up."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, "")


# Presentation of `changes` ({field: [before, after]}, or {name: value} for plain facts).


@dataclass(frozen=True)
class ChangeRow:
    field: str
    label: str
    before: str
    after: str
    is_pair: bool


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _display_choice(model_field: models.Field | None, value: Any) -> str:
    """A stored choice code shown by its label (e.g. "branch" → 党支部)."""
    if model_field is not None and model_field.choices and isinstance(value, str | int) and not isinstance(value, bool):
        choices = dict(model_field.flatchoices)
        if value in choices:
            return str(choices[value])
    return _display(value)


def _model_of(subject_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(subject_type)
    except (LookupError, ValueError):
        return None


def change_rows(event: Event) -> list[ChangeRow]:
    """The event's changes as field / before / after rows, labelled with the subject model's field names."""
    if not isinstance(event.changes, dict):
        return [ChangeRow("", "内容", "—", _display(event.changes), False)]
    model = _model_of(event.subject_type)
    rows = []
    for name, value in event.changes.items():
        model_field = _model_field(model, name)
        label = str(model_field.verbose_name) if model_field is not None else name
        if isinstance(value, list) and len(value) == 2:
            before, after = (_display_choice(model_field, item) for item in value)
            rows.append(ChangeRow(name, label, before, after, True))
        else:
            rows.append(ChangeRow(name, label, "—", _display_choice(model_field, value), False))
    return rows

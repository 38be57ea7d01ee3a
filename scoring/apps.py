from django.apps import AppConfig


class ScoringConfig(AppConfig):
    """Points (积分定星, DESIGN §6.2–§6.4): schemes and items, entries and declarations, confirmation,
    automatic entries, vetoes, appeals, the member's own score and the clerk's ledger.

    It sits above branch life (it reads meeting attendance and dues paid) and below recruitment and grouping,
    which write entries through `services.source_entry_record` and register scored activists in `registry`.
    """

    name = "scoring"
    verbose_name = "积分定星"

    def ready(self) -> None:
        from audit.registry import register_filing_handler, register_subject
        from audit.selectors import register_action_labels
        from membership.portal import Panel, register_portal_panel
        from partyadmin.jobs import register_daily

        from . import selectors, services

        register_subject("scoring.entry", lambda user, subject_id: selectors.entry_get(user=user, pk=subject_id))
        register_subject("scoring.scheme", lambda user, subject_id: selectors.scheme_get(user=user, pk=subject_id))
        register_subject("scoring.appeal", lambda user, subject_id: selectors.appeal_get(user=user, pk=subject_id))
        register_filing_handler(services.VETO_SUBJECT, services.veto_filing_decided)
        register_daily("scoring_attendance", _daily_attendance, "组织生活出勤自动记分",
                       count_labels={"branches": "支部", "created": "新增积分记录"})
        register_daily("scoring_dues", _daily_dues, "按月交纳党费自动记分",
                       count_labels={"branches": "支部", "created": "新增积分记录"})
        register_portal_panel(Panel("scoring", "我的积分", "scoring/_portal_panel.html", _portal_panel, order=30,
                                    title_for_others="积分"))
        register_action_labels(ACTION_LABELS)


ACTION_LABELS = {
    "scoring.scheme.create": "创建积分方案",
    "scoring.scheme.update": "修改积分方案",
    "scoring.scheme.announce": "登记方案通报会议",
    "scoring.scheme.publish": "公布积分方案",
    "scoring.item.add": "增加积分项目",
    "scoring.item.change": "修改积分项目",
    "scoring.item.remove": "删除积分项目",
    "scoring.item.retire": "停用积分项目",
    "scoring.entry.record": "登记积分",
    "scoring.entry.declare": "党员申报积分",
    "scoring.entry.suggest": "党员群众建议积分",
    "scoring.entry.confirm": "认定积分",
    "scoring.entry.reject": "不予认定积分",
    "scoring.entry.compensate": "更正积分",
    "scoring.entry.automatic": "自动记分",
    "scoring.veto.file": "一票否决报基层党委审核",
    "scoring.veto.apply": "一票否决生效",
    "scoring.veto.return": "一票否决审核未通过",
    "scoring.appeal.raise": "提出积分问询异议",
    "scoring.appeal.answer": "答复积分问询异议",
    "scoring.evidence.view": "查看积分证明材料",
}


def _daily_attendance(*, today):  # type: ignore[no-untyped-def]
    from .services import attendance_entries_sync

    return attendance_entries_sync(today=today)


def _daily_dues(*, today):  # type: ignore[no-untyped-def]
    from .services import dues_entries_sync

    return dues_entries_sync(today=today)


def _portal_panel(user, member):  # type: ignore[no-untyped-def]
    """This year's score of the member (own page) or, for an officer, of the member looked at."""
    from partyadmin.workdays import china_today

    from .selectors import person_score, published_scheme_of

    today = china_today()
    scheme = published_scheme_of(member.organization, today.year)
    if scheme is None:
        return None
    score = person_score(person=member.person, scheme=scheme, year=today.year, today=today, with_ranking=False)
    quarter = score.score.quarters[score.quarter].total if score.score else None
    return {"year": today.year, "score": score, "quarter_total": quarter,
            "own": member.person.user_id == getattr(user, "pk", None)}

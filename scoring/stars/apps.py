from django.apps import AppConfig


class StarsConfig(AppConfig):
    """Ranking and stars (DESIGN §6.4–§6.6): the quarterly freeze and ranking, the year-end star
    proposal and decision, consequences, democratic evaluation."""

    name = "scoring.stars"
    label = "stars"
    verbose_name = "排名定星"

    def ready(self) -> None:
        from audit.registry import register_publicity_handler, register_subject
        from audit.selectors import register_action_labels
        from membership.portal import Panel, register_portal_panel
        from partyadmin.jobs import register_daily

        from . import selectors, services

        register_daily("stars_quarter_freeze", services.quarter_freeze_step, "季度积分冻结、排名与公示",
                       count_labels={"frozen": "冻结支部", "publicized": "排名公示"})
        register_daily("stars_year_rollup", services.year_rollup_step, "年度积分定星建议",
                       count_labels={"proposals": "计算定星建议的支部"})
        register_publicity_handler(services.ROW_SUBJECT, services.publicity_objection_upheld)
        register_publicity_handler(services.RESULT_SUBJECT, services.quarter_objection_upheld)
        register_subject("stars.starproposal", lambda user, pk: selectors.proposal_get(user=user, pk=pk))
        register_subject("stars.quarterfreeze", lambda user, pk: selectors.freeze_get(user=user, pk=pk))
        register_subject("stars.consequence",
                         lambda user, pk: selectors.consequence_get(user=user, pk=pk, action=selectors.READ))
        register_subject("stars.democraticevaluation", lambda user, pk: selectors.evaluation_get(user=user, pk=pk))
        register_action_labels({
            "stars.quarter_freeze": "冻结季度积分并排名",
            "stars.quarter_objection": "季度排名异议成立",
            "stars.rollup": "年度积分定星汇总",
            "stars.recompute": "重新计算定星建议",
            "stars.decide": "记录党员大会定星决定",
            "stars.publicize": "公示定星结果",
            "stars.reopen": "定星结果异议成立，重新决定",
            "stars.finalize": "确定定星结果",
            "stars.consequence_resolve": "办结定星后续措施",
            "stars.evaluation_open": "建立民主评议",
            "stars.evaluation_record": "登记民主评议结果",
            "stars.evaluation_close": "完成民主评议",
        })
        register_portal_panel(Panel("stars", "我的星级", "scoring/stars/_portal_panel.html", _portal_panel,
                                    order=35, title_for_others="星级评定"))


def _portal_panel(user, member) -> dict | None:  # type: ignore[no-untyped-def]
    """The member's published and final star results by year, and the latest frozen quarters."""
    from .rules import PolicyError, parse_policy
    from .selectors import my_quarters, my_star_rows

    rows = []
    for row in my_star_rows(person_id=member.person_id)[:5]:
        try:
            label = parse_policy(row.proposal.policy).label_of(row.level)
        except PolicyError:
            label = ""
        rows.append({"year": row.year, "label": label, "total": row.total, "organization": row.organization.name})
    quarters = list(my_quarters(person_id=member.person_id)[:4])
    if not rows and not quarters:
        return None
    return {"rows": rows, "quarters": quarters}

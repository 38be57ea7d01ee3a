"""The checklist rules and the shipped template, against seed 004's 附件 and 备注."""

from decimal import Decimal

import pytest

from branches.standards import registry, rules
from branches.standards.models import ChecklistTemplate
from branches.standards.services import builtin_template, template_load
from branches.standards.templates_data import WUJIN_2016
from partyadmin.errors import RuleViolation

D = Decimal


@pytest.mark.django_db
def test_the_shipped_template_is_the_wujin_table():
    """"组织设置合理 (10分) … 党员管理规范 (30分) … 活动开展有序 (30分) … 保障措施到位 (30分)"."""
    template = builtin_template()
    sections = list(template.sections.order_by("order"))
    assert [(s.title, s.max_points) for s in sections] == [
        ("组织设置合理", D(10)), ("党员管理规范", D(30)), ("活动开展有序", D(30)), ("保障措施到位", D(30))]
    assert sum(s.max_points for s in sections) == D(100) == template.total_points
    assert template.pass_mark == D(85)
    points = {s.title: [i.points for i in s.items.order_by("order")] for s in sections}
    assert points["组织设置合理"] == [2, 2, 3, 3]
    assert points["党员管理规范"] == [3] * 10
    # As printed: 2 + 6 + 6 + 2 + 8 + 8 = 32 under the 30-point heading; the section counts at most 30.
    assert points["活动开展有序"] == [2, 6, 6, 2, 8, 8]
    assert points["保障措施到位"] == [3, 3, 3, 3, 3, 5, 5, 5]
    assert template.items.count() == 28
    first = template.items.get(key="activities.committee_meeting")
    assert first.standard == "每月召开一次支委会，内容形式、到会人数符合要求。"
    assert first.requirement == "落实“三会一课”制度" and first.prefill == "committee_meeting"
    assert [v.text for v in template.vetoes.order_by("order")] == [
        "党支部书记缺职", "党支部书记受党内警告以上处分的，或支委班子成员受党内严重警告以上处分的", "未落实党建工作专项经费的"]
    full = {s.pk: ([i.points for i in s.items.all()], s.max_points) for s in sections}
    assert rules.total_score(full) == D(100)


@pytest.mark.parametrize(("total", "passed"), [(D("84.5"), False), (D("85"), True), (D("85.5"), True)])
def test_pass_mark(total, passed):
    """备注2: "评分在85分及以上,且无一票否决情况"."""
    assert rules.is_pass(total=total, pass_mark=D(85), vetoed=False) is passed


def test_a_veto_fails_any_score():
    assert rules.is_pass(total=D(100), pass_mark=D(85), vetoed=True) is False


def test_discipline_thresholds():
    """备注3: "党支部书记受党内警告以上处分的,或支委班子成员受党内严重警告以上处分的"."""
    assert rules.discipline_veto(seats=[("secretary", "warning")]) == ["secretary"]
    assert rules.discipline_veto(seats=[("organization", "warning")]) == []
    assert rules.discipline_veto(seats=[("organization", "serious_warning")]) == ["organization"]
    assert rules.discipline_veto(seats=[("deputy", "probation"), ("secretary", "")]) == ["deputy"]
    assert rules.secretary_vacant(sitting_posts=["deputy", "organization"]) is True
    assert rules.secretary_vacant(sitting_posts=["secretary"]) is False


def test_section_score_is_capped():
    assert rules.section_score([D(2), D(6), D(6), D(2), D(8), D(8)], max_points=D(30)) == D(30)
    assert rules.section_score([D(2), None, D(6)], max_points=D(30)) == D(8)


@pytest.mark.parametrize("value", [D("-1"), D("3.5"), D("1.2")])
def test_bad_scores(value):
    with pytest.raises(RuleViolation):
        rules.check_score(value, points=D(3))


def test_template_parse_refuses_bad_data():
    keys = registry.known_keys()
    with pytest.raises(RuleViolation, match="JSON对象"):
        rules.parse_template([], known_prefills=keys)
    broken = {**WUJIN_2016, "pass_mark": "120"}
    with pytest.raises(RuleViolation, match="合格分数线"):
        rules.parse_template(broken, known_prefills=keys)
    unknown = {**WUJIN_2016, "sections": [{**WUJIN_2016["sections"][0], "items": [
        {"key": "x", "requirement": "r", "standard": "s", "points": "10", "prefill": "nobody"}]}]}
    with pytest.raises(RuleViolation, match="依据记录"):
        rules.parse_template(unknown, known_prefills=keys)


@pytest.mark.django_db
def test_a_county_loads_and_versions_its_own(county):
    own = {**WUJIN_2016, "code": "ceshi", "name": "测试县细则", "pass_mark": "80"}
    first = template_load(acting_user=None, data=own, county=county)
    assert template_load(acting_user=None, data=own, county=county) == first  # the same data: no new row
    with pytest.raises(RuleViolation, match="已导入"):
        template_load(acting_user=None, data={**own, "pass_mark": "90"}, county=county)
    second = template_load(acting_user=None, data={**own, "version": 2, "pass_mark": "90"}, county=county)
    assert second.pass_mark == D(90) and first.pass_mark == D(80)
    assert ChecklistTemplate.objects.filter(code="ceshi").count() == 2

"""Every step of the cycle and its refusals (seed 000, third document, 三 方法步骤)."""

from datetime import date

import pytest

from audit.filings.models import Filing
from audit.models import Event
from audit.publicity.models import PublicityWindow
from grouping import services
from grouping.models import (
    CycleStatus,
    Evaluation,
    ExemptionStatus,
    PerformanceEntry,
    Placement,
    PlacementStatus,
    PostListRevision,
)
from grouping.selectors import missing_this_month, plan_of
from partyadmin.errors import RuleViolation
from tests.conftest import make_org

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_post_list_starts_from_suggested_posts_and_is_versioned(alice, post_list):
    # "根据工作需要，适时对岗位进行调整"
    assert [p.name for p in post_list.posts.order_by("order")] == ["环境卫生监督岗", "邻里纠纷调解岗"]
    post = services.post_add(acting_user=alice, post_list=post_list, name="绿化苗木维护岗", duties="管护苗木")
    services.post_update(acting_user=alice, post=post, duties="管护村内苗木，制止毁绿")
    post_list.refresh_from_db()
    assert post_list.version == 3
    revisions = list(PostListRevision.objects.filter(post_list=post_list).order_by("version"))
    assert [r.version for r in revisions] == [1, 2, 3]
    assert revisions[-1].posts[-1]["duties"] == "管护村内苗木，制止毁绿"
    assert Event.objects.filter(action="grouping.post_update").count() == 1


def test_post_needs_name_and_duties(alice, post_list):
    # "提出包含岗位名称、职责任务、标准要求等主要内容的党员岗位职责清单"
    with pytest.raises(RuleViolation) as error:
        services.post_add(acting_user=alice, post_list=post_list, name="治安巡逻岗", duties=" ")
    assert error.value.code == "grouping.post_duties"


def test_only_rural_and_community_branches(alice, town):
    organ = make_org(town, "镇机关党支部", "C01T01B09", "branch", domain="organ")
    with pytest.raises(RuleViolation) as error:
        services.post_list_create(acting_user=alice, organization=organ, year=2026)
    assert error.value.code == "grouping.domain"


def test_claims_wait_for_the_general_meeting(alice, post_list, members):
    # "党支部召开党员大会，公布所设立的岗位及岗位职责，组织党员申报认领岗位"
    with pytest.raises(RuleViolation) as error:
        services.claim_create(acting_user=alice, post=post_list.posts.first(), member=members[3], today=TODAY)
    assert error.value.code == "grouping.list_not_published"


def test_office_holder_cannot_claim_or_be_placed(alice, published, members):
    # "在农村（社区）无职党员中推行"
    post = published.posts.first()
    with pytest.raises(RuleViolation) as error:
        services.claim_create(acting_user=alice, post=post, member=members[1], today=TODAY)  # committee seat
    assert error.value.code == "grouping.office_holder"
    services.office_declare(acting_user=alice, member=members[3], title="村委会委员", started_on=date(2024, 1, 1))
    with pytest.raises(RuleViolation) as error:
        services.placement_propose(acting_user=alice, post=post, member=members[3], today=TODAY)
    assert error.value.code == "grouping.office_holder"


def test_ended_office_no_longer_counts(alice, published, members):
    office = services.office_declare(acting_user=alice, member=members[3], title="村民小组长",
                                     started_on=date(2023, 1, 1))
    services.office_end(acting_user=alice, office=office, ended_on=date(2026, 1, 1))
    services.claim_create(acting_user=alice, post=published.posts.first(), member=members[3], today=TODAY)


def test_exemption_needs_approval_and_then_refuses_claims(alice, bob, published, members):
    # "因年龄、身体状况等原因难以胜任岗位要求的党员，经党组织同意，可不参加认岗"
    post = published.posts.first()
    services.claim_create(acting_user=alice, post=post, member=members[7], today=TODAY)
    exemption = services.exemption_request(acting_user=alice, member=members[7], year=2026, reason="age",
                                           detail="年逾八旬")
    services.claim_create(acting_user=alice, post=published.posts.last(), member=members[7], today=TODAY)  # pending
    exemption = services.exemption_decide(acting_user=bob, exemption=exemption, approve=True, opinion="同意")
    assert exemption.status == ExemptionStatus.APPROVED
    assert not post.claims.filter(member=members[7]).exists()  # withdrawn
    with pytest.raises(RuleViolation) as error:
        services.claim_create(acting_user=alice, post=post, member=members[7], today=TODAY)
    assert error.value.code == "grouping.exempt"
    plan = plan_of(post_list=published, on=TODAY)
    assert members[7] in plan.participation.exempted
    assert Event.objects.filter(action="grouping.exemption_decide", actor=bob).exists()


def test_exemption_decided_once(alice, members, published):
    exemption = services.exemption_request(acting_user=alice, member=members[7], year=2026, reason="health")
    services.exemption_decide(acting_user=alice, exemption=exemption, approve=False)
    with pytest.raises(RuleViolation):
        services.exemption_decide(acting_user=alice, exemption=exemption, approve=True)


def test_plan_shows_unclaimed_crowded_posts_and_members_without_claim(alice, published, members):
    # "按照“岗位所需、党员所长，择优配岗、总体平衡”的原则，综合研究提出定岗方案"
    hygiene, mediation = list(published.posts.order_by("order"))
    services.claim_create(acting_user=alice, post=hygiene, member=members[2], today=TODAY)
    services.claim_create(acting_user=alice, post=hygiene, member=members[3], today=TODAY)
    plan = plan_of(post_list=published, on=TODAY)
    rows = {row.post.pk: row for row in plan.rows}
    assert rows[mediation.pk].unclaimed and not rows[hygiene.pk].unclaimed
    assert {m.pk for m in plan.members_without_claim} == {m.pk for m in members[4:]}


def test_member_may_claim_several_posts_and_confirm_both(alice, published, members):
    # "一般一名党员认领一个岗位，有条件和能力的党员可认领多个岗位"
    for post in published.posts.all():
        services.claim_create(acting_user=alice, post=post, member=members[2], today=TODAY)
    assert len(services.placement_draft(acting_user=alice, post_list=published, today=TODAY)) == 2
    assert services.placement_draft(acting_user=alice, post_list=published, today=TODAY) == []  # idempotent
    placement = Placement.objects.filter(member=members[2]).first()
    services.placement_opinion(acting_user=alice, placement=placement, opinion="同意")
    confirmed = services.placement_confirm(acting_user=alice, post_list=published, member=members[2], today=TODAY)
    assert {p.status for p in confirmed} == {PlacementStatus.CONFIRMED} and len(confirmed) == 2


def test_leader_must_be_a_confirmed_member_of_the_group(alice, grouped, members):
    # "把同一岗位的党员编成一个小组，每组挑选一名……党员担任组长"
    hygiene = grouped.posts.order_by("order").first()
    with pytest.raises(RuleViolation) as error:
        services.group_set(acting_user=alice, post=hygiene, leader=members[6])
    assert error.value.code == "grouping.leader_not_member"


def test_cadre_must_be_a_sitting_committee_member(alice, grouped, members):
    # "村（社区）党组织班子成员每人要联系分包一个组或多个组"
    hygiene = grouped.posts.order_by("order").first()
    with pytest.raises(RuleViolation) as error:
        services.group_set(acting_user=alice, post=hygiene, cadre=members[4])
    assert error.value.code == "grouping.cadre_not_committee"


def test_group_without_leader_cannot_be_filed(alice, published, members, leo):
    # "各组岗位清单、定岗方案、编组台账、工作计划等相关资料要及时报乡镇（街道）党（工）委备案"
    post = published.posts.first()
    services.claim_create(acting_user=alice, post=post, member=members[2], today=TODAY)
    services.placement_draft(acting_user=alice, post_list=published, today=TODAY)
    services.placement_confirm(acting_user=alice, post_list=published, member=members[2], today=TODAY)
    with pytest.raises(RuleViolation) as error:
        services.post_list_file(acting_user=alice, post_list=published, today=TODAY)
    assert error.value.code in ("grouping.no_leader", "grouping.group_empty")
    assert not Filing.objects.exists()


def test_unsigned_commitment_blocks_publication(alice, published, members):
    post = published.posts.first()
    services.claim_create(acting_user=alice, post=post, member=members[2], today=TODAY)
    services.placement_draft(acting_user=alice, post_list=published, today=TODAY)
    services.placement_confirm(acting_user=alice, post_list=published, member=members[2], today=TODAY)
    services.group_set(acting_user=alice, post=post, leader=members[2], cadre=members[1])
    services.post_retire(acting_user=alice, post=published.posts.last())
    with pytest.raises(RuleViolation) as error:
        services.group_ledger_publish(acting_user=alice, post_list=published, starts_on=TODAY, today=TODAY)
    assert error.value.code == "grouping.not_signed"


def test_grouped_cycle_is_published_committed_and_filed_with_the_township(alice, grouped, town, working_calendar):
    # "在全体党员和群众代表会议上进行公开承诺"; "进行公布，接受群众监督"; "报乡镇（街道）党（工）委备案"
    services.public_commitment_record(acting_user=alice, post_list=grouped, committed_on=date(2026, 3, 25),
                                      today=TODAY)
    window = services.group_ledger_publish(acting_user=alice, post_list=grouped, starts_on=TODAY, today=TODAY)
    assert isinstance(window, PublicityWindow)
    snapshot = window.entries.first().snapshot
    assert "phone" not in snapshot and "address" not in snapshot and snapshot["post"]
    filing = services.post_list_file(acting_user=alice, post_list=grouped, today=TODAY)
    assert filing.to_organization == town
    assert filing.materials.count() == 3
    grouped.refresh_from_db()
    assert grouped.filing_id == filing.pk and grouped.publicity_window_id == window.pk
    with pytest.raises(RuleViolation):
        services.post_list_file(acting_user=alice, post_list=grouped, today=TODAY)


def test_leader_enters_the_ledger_and_signs_with_the_cadre(grouped, members, leo, bob):
    # "党组织要建立党员履岗记实台账，每月进行更新" — 组长签字、包组干部签字
    hygiene = grouped.posts.order_by("order").first()
    entry = services.entry_record(acting_user=leo, post=hygiene, activity_on=date(2026, 11, 3),
                                  participant_ids=[members[2].pk, members[3].pk], content="清理村口垃圾",
                                  outcome="清运垃圾两车", today=TODAY)
    assert entry.leader_signed_at is not None and entry.cadre_signed_at is None
    entry = services.entry_sign(acting_user=bob, entry=entry)
    assert entry.cadre_signed_at is not None
    with pytest.raises(RuleViolation):
        services.entry_sign(acting_user=bob, entry=entry)


def test_entry_refuses_outsiders_and_future_dates(alice, grouped, members):
    hygiene = grouped.posts.order_by("order").first()
    with pytest.raises(RuleViolation) as error:
        services.entry_record(acting_user=alice, post=hygiene, activity_on=date(2026, 11, 3),
                              participant_ids=[members[6].pk], content="调解", today=TODAY)
    assert error.value.code == "grouping.participant_outside"
    with pytest.raises(RuleViolation) as error:
        services.entry_record(acting_user=alice, post=hygiene, activity_on=date(2026, 11, 30),
                              participant_ids=[members[2].pk], content="巡查", today=TODAY)
    assert error.value.code == "grouping.entry_future"


def test_only_leader_or_cadre_signs(alice, grouped, members):
    hygiene = grouped.posts.order_by("order").first()
    entry = services.entry_record(acting_user=alice, post=hygiene, activity_on=date(2026, 11, 3),
                                  participant_ids=[members[2].pk], content="巡查", today=TODAY)
    with pytest.raises(RuleViolation) as error:
        services.entry_sign(acting_user=alice, entry=entry)
    assert error.value.code == "grouping.not_signer"


def test_monthly_completeness_and_reminders(alice, grouped, members, leo, bob):
    hygiene, mediation = list(grouped.posts.order_by("order"))
    services.entry_record(acting_user=leo, post=hygiene, activity_on=date(2026, 11, 3),
                          participant_ids=[members[2].pk], content="巡查", today=TODAY)
    assert missing_this_month(post_list=grouped, month=TODAY) == [mediation]
    assert services.ledger_reminders(today=date(2026, 11, 5)) == {"reminded": 0}  # before the 20th
    assert services.ledger_reminders(today=date(2026, 11, 20)) == {"reminded": 1}  # bob as mediation's cadre
    assert services.ledger_reminders(today=date(2026, 11, 21)) == {"reminded": 0}  # once a month


def test_training_review_and_evaluation(alice, grouped, members):
    # "每半年进行一次总结、点评"; "各组组长和每位党员应分别述职，接受党员群众评议"
    hygiene = grouped.posts.order_by("order").first()
    services.training_record(acting_user=alice, member=members[2], held_on=date(2026, 4, 1), topic="环境整治政策",
                             kind="policy", today=TODAY)
    services.review_record(acting_user=alice, post=hygiene, half=1, summary="按月巡查", comment="成效明显",
                           reviewed_on=date(2026, 7, 2), today=TODAY)
    with pytest.raises(RuleViolation) as error:
        services.review_record(acting_user=alice, post=hygiene, half=2, summary="x", comment="y",
                               reviewed_on=date(2026, 11, 2), today=TODAY)
    assert error.value.code == "grouping.review_early"
    evaluation = services.evaluation_record(acting_user=alice, post_list=grouped, member=members[2], report="全年巡查",
                                            grade="优秀", evaluated_on=date(2026, 11, 9), today=TODAY)
    assert evaluation.is_leader
    with pytest.raises(RuleViolation) as error:
        services.evaluation_record(acting_user=alice, post_list=grouped, member=members[2], report="x",
                                   grade="合格", evaluated_on=date(2026, 11, 9), today=TODAY)
    assert error.value.code == "grouping.evaluated"
    with pytest.raises(RuleViolation) as error:
        services.evaluation_record(acting_user=alice, post_list=grouped, member=members[1], report="x",
                                   grade="合格", evaluated_on=date(2026, 11, 9), today=TODAY)
    assert error.value.code == "grouping.not_placed"
    with pytest.raises(RuleViolation) as error:
        services.evaluation_record(acting_user=alice, post_list=grouped, member=members[3], report="x",
                                   grade="良好", evaluated_on=date(2026, 11, 9), today=TODAY)
    assert error.value.code == "grouping.grade"


def test_grade_becomes_a_points_entry_of_the_published_scheme(alice, grouped, members):
    # "党员履岗评议结果与党员积分定星管理……结果挂钩" — through scoring.services.source_entry_record
    from scoring import services as scoring_services
    from scoring.models import Entry

    scheme = scoring_services.scheme_create_from_template(acting_user=alice, organization=grouped.organization,
                                                          year=2026, template_code="seed000_jiaozuo")
    scoring_services.scheme_announce(acting_user=alice, scheme=scheme, announced_on=date(2026, 1, 10))
    scoring_services.scheme_publish(acting_user=alice, scheme=scheme)
    evaluation = services.evaluation_record(acting_user=alice, post_list=grouped, member=members[3], report="述职",
                                            grade="优秀", evaluated_on=date(2026, 11, 9), today=TODAY)
    entry = Entry.objects.get(pk=evaluation.score_entry_id)
    assert entry.source == "grouping.post_evaluation"
    assert entry.source_key == f"grouping.evaluation:{evaluation.pk}"
    assert entry.person_id == members[3].person_id and entry.points == 10


def test_grade_is_recorded_without_a_scheme(alice, grouped, members):
    evaluation = services.evaluation_record(acting_user=alice, post_list=grouped, member=members[3], report="述职",
                                            grade="合格", evaluated_on=date(2026, 11, 9), today=TODAY)
    assert evaluation.score_entry_id is None and Evaluation.objects.get().grade == "合格"


def test_publish_refused_twice_and_revisions_keep_claims_of_other_posts(alice, published, members):
    with pytest.raises(RuleViolation):
        services.post_list_publish(acting_user=alice, post_list=published, published_on=date(2026, 3, 5), today=TODAY)
    assert published.status == CycleStatus.PUBLISHED
    hygiene, mediation = list(published.posts.order_by("order"))
    services.claim_create(acting_user=alice, post=hygiene, member=members[2], today=TODAY)
    services.claim_create(acting_user=alice, post=mediation, member=members[3], today=TODAY)
    services.post_retire(acting_user=alice, post=mediation)
    assert hygiene.claims.count() == 1 and mediation.claims.count() == 0
    assert PerformanceEntry.objects.count() == 0


def test_transferred_member_leaves_the_group(alice, grouped, members, branch_b):
    from types import SimpleNamespace

    hygiene = grouped.posts.order_by("order").first()
    member = members[2]  # the leader
    member.organization = branch_b
    member.save(update_fields=["organization"])
    services.member_moved(acting_user=alice, transfer=SimpleNamespace(member=member))
    hygiene.refresh_from_db()
    assert hygiene.leader_id is None
    assert not Placement.objects.filter(member=member).exists()

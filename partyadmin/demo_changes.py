"""Demo changes of members' situations: transfers pending, accepted and refused between two community
branches, a floating member, and an exemption filed and approved. Keyed by the member's state, so a
re-run adds nothing."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from audit.filings import services as filings
from audit.filings.models import Filing
from branches.models import Organization
from membership.changes import services
from membership.changes.models import Exemption, FlowRecord, Transfer
from membership.models import Member, MemberStatus


def build(organizations: dict[str, Organization], today: date) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["dg_shuji", "cg_shenhe"])}
    east, west = organizations["DEMO-CG-DG"], organizations["DEMO-CG-XG"]
    secretary, reviewer = users["dg_shuji"], users["cg_shenhe"]
    if Transfer.objects.exists():
        return
    movers = list(Member.objects.filter(organization=west, is_active=True, status=MemberStatus.FULL)
                  .order_by("pk")[:3])
    pending, accepted, refused = movers
    services.transfer_request(acting_user=None, member=pending, to_organization=east,
                              reason="搬迁至东关社区居住", today=today)
    moved = services.transfer_request(acting_user=None, member=accepted, to_organization=east,
                                      reason="工作单位变动", today=today - timedelta(days=20))
    services.transfer_accept(acting_user=secretary, transfer=moved, today=today - timedelta(days=18))
    turned = services.transfer_request(acting_user=None, member=refused, to_organization=east,
                                       reason="随子女居住", today=today - timedelta(days=10))
    services.transfer_refuse(acting_user=secretary, transfer=turned, reason="该党员不在本社区居住，请核实居住地。",
                             today=today - timedelta(days=8))
    ours = list(Member.objects.filter(organization=east, is_active=True, status=MemberStatus.FULL)
                .select_related("person").order_by("person__birth_date"))
    if not FlowRecord.objects.exists():
        flow = services.flow_register(
            acting_user=secretary, member=ours[-1], direction="flow_out", other_organization="苏州工业园区某公司党委",
            started_on=today - timedelta(days=240), fixed_place=True, place="江苏省苏州市",
            certificate_no="LD2026001", today=today,
        )
        services.flow_report_add(acting_user=secretary, flow=flow, reported_on=today - timedelta(days=60),
                                 content="在务工企业参加党组织活动，按时交纳党费。", today=today)
    if not Exemption.objects.exists():
        exemption = services.exemption_apply(
            acting_user=secretary, member=ours[0], reason_kind="elderly", reason="年逾八旬，行动不便，本人申请。",
            applied_on=today - timedelta(days=30), source="self", today=today,
        )
        exemption = services.exemption_decide(acting_user=secretary, exemption=exemption, agreed=True,
                                              body="committee", decided_on=today - timedelta(days=25), today=today)
        if exemption.filing_id is not None:
            filings.filing_decide(acting_user=reviewer, filing=Filing.objects.get(pk=exemption.filing_id),
                                  decision="approve", opinion="同意备案。")

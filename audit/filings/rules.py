"""Filing rules as pure functions over plain values: who handles a filing, when it is due, what may be uploaded.

Sources of the numbers (DESIGN §4 step table; seed 000 二(一)4, 二(二)3):
* 备案 (record): "党委的备案意见应在一个月内以书面形式通知党支部" (seed 000) → one calendar month.
* 审批 (approve): 《中国共产党发展党员工作细则》第二十九条 (DESIGN §4 step 17): the superior committee
  approves "within 3 months", extendable in special cases to at most 6 months. The seeds cite the
  《细则》 for the steps; the 3/6 months are the national rule, not a seed sentence.
* 审议 (review) and 预审 (pre_review): no time limit in the seeds; a per-tenant policy with a default
  of 15 working days (`audit.filings.policies`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from partyadmin.errors import RuleViolation
from partyadmin.workdays import add_days, add_months


class Kind:
    """Filing kinds (the model's choices use the same codes)."""

    RECORD = "record"  # 备案
    REVIEW = "review"  # 审议
    APPROVE = "approve"  # 审批
    PRE_REVIEW = "pre_review"  # 预审


class OrgKind:
    """Organization kinds as plain strings (`branches.models.OrganizationKind` values)."""

    MUNICIPAL_DEPT = "municipal_dept"
    COUNTY_DEPT = "county_dept"
    COMMITTEE = "committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    PARTY_GROUP = "party_group"


@dataclass(frozen=True)
class Node:
    """What the routing rule needs to know about an organization."""

    id: int
    kind: str
    can_approve_admission: bool = False
    name: str = ""


# --- routing: which superior handles a filing -------------------------------------------------------


def _nearest(ancestors: Sequence[Node], accept: Callable[[Node], bool]) -> Node | None:
    return next((node for node in ancestors if accept(node)), None)


def _is_approver(node: Node) -> bool:
    return node.kind == OrgKind.COMMITTEE and node.can_approve_admission


def route(*, kind: str, origin: Node, ancestors: Sequence[Node]) -> Node:
    """The organization that handles a filing of `kind` sent by `origin`.

    `ancestors` runs from the origin's parent up to the root.

    * A county department files with the municipal department.
    * 审议 goes to the nearest general branch or committee above ("党总支应对党支部确定的入党积极分子
      进行审议"; a rural or community base committee under a township "应对党支部确定的入党积极分子进行
      审议", seed 000 二(一)3–4).
    * 备案, 审批 and 预审 go to the nearest committee with approval power (有审批权的基层党委); general
      branches and base committees without it are passed over ("乡镇（街道）党（工）委所属的农村、社区基层
      党委，不能审批和备案入党积极分子", seed 000 二(一)4).
    * A committee with approval power itself files with the county department: step 18
      "再上一级党委组织部门备案", and seed 003's county pre-review (预审) of the candidates.
    """
    if origin.kind == OrgKind.MUNICIPAL_DEPT:
        raise RuleViolation("filing.no_superior", "市委组织部没有上级党组织可报送。")
    if origin.kind == OrgKind.COUNTY_DEPT:
        target = _nearest(ancestors, lambda n: n.kind == OrgKind.MUNICIPAL_DEPT)
        if target is None:
            raise RuleViolation("filing.no_superior", "该县（市、区）委组织部没有设置上级市委组织部，无法报送。")
        return target
    county = _nearest(ancestors, lambda n: n.kind == OrgKind.COUNTY_DEPT)
    if kind == Kind.REVIEW:
        target = _nearest(ancestors, lambda n: n.kind in (OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE))
        target = target or county
    elif kind in (Kind.RECORD, Kind.APPROVE, Kind.PRE_REVIEW):
        if _is_approver(origin):
            target = county
        else:
            target = _nearest(ancestors, _is_approver)
            if target is None:
                raise RuleViolation(
                    "filing.no_approver",
                    "上级党组织中没有有审批权的基层党委，请先在组织设置中明确审批权。",
                )
    else:
        raise RuleViolation("filing.kind", "报送类别无效。", field="kind")
    if target is None:
        raise RuleViolation("filing.no_superior", "没有可报送的上级党组织。")
    return target


def check_explicit_target(*, target_id: int, ancestors: Sequence[Node]) -> None:
    """A filing addressed by hand must go to a superior of the sender."""
    if target_id not in {node.id for node in ancestors}:
        raise RuleViolation("filing.not_superior", "只能报送上级党组织。", field="to_organization")


# --- due dates ------------------------------------------------------------------------------------

APPROVE_MONTHS = 3  # 《细则》第二十九条: 三个月内审批
APPROVE_MAX_MONTHS = 6  # 特殊情况可以延长审批时间，但不得超过六个月
RECORD_MONTHS = 1  # seed 000: 备案意见应在一个月内以书面形式通知党支部
DEFAULT_REVIEW_PERIOD = {"unit": "working_days", "count": 15}  # policy default for 审议 / 预审

WorkingDaysAdder = Callable[[date, int], date]


def period_end(start: date, period: dict, *, add_working_days: WorkingDaysAdder) -> date:
    """Last day of a policy period {"unit": "working_days"|"days", "count": N} opened on `start`."""
    if period["unit"] == "working_days":
        return add_working_days(start, period["count"])
    return add_days(start, period["count"])


def due_on(*, kind: str, submitted_on: date, review_period: dict, add_working_days: WorkingDaysAdder) -> date:
    """The last day the handling organization has to answer a filing submitted on `submitted_on`.

    `review_period` is the tenant's period for 审议 and 预审 (ignored for 备案 and 审批). Working days are
    counted by the injected calendar function (`partyadmin.workdays.add_working_days`).
    """
    if kind == Kind.RECORD:
        return add_months(submitted_on, RECORD_MONTHS)
    if kind == Kind.APPROVE:
        return add_months(submitted_on, APPROVE_MONTHS)
    if kind in (Kind.REVIEW, Kind.PRE_REVIEW):
        return period_end(submitted_on, review_period, add_working_days=add_working_days)
    raise RuleViolation("filing.kind", "报送类别无效。", field="kind")


def latest_extension(*, kind: str, submitted_on: date) -> date:
    """How far a filing's answer may be put off: 审批 to six months after submission, nothing else."""
    if kind != Kind.APPROVE:
        raise RuleViolation("filing.extension_not_allowed", "只有审批事项可以延长办理期限。")
    return add_months(submitted_on, APPROVE_MAX_MONTHS)


def check_extension(*, kind: str, submitted_on: date, current_deadline: date, until: date) -> None:
    """"特殊情况可以延长审批时间，但不得超过六个月" (《细则》第二十九条)."""
    latest = latest_extension(kind=kind, submitted_on=submitted_on)
    if until <= current_deadline:
        raise RuleViolation("filing.extension_not_later", "延长后的期限须晚于当前期限。", field="until")
    if until > latest:
        raise RuleViolation(
            "filing.extension_too_long",
            f"审批期限最长不得超过六个月（至 {latest:%Y年%m月%d日}）。", field="until",
        )


def is_overdue(*, deadline: date, today: date, pending: bool) -> bool:
    """A pending filing is overdue from the day after its last day."""
    return pending and today > deadline


def check_decision(*, decision: str, opinion: str) -> None:
    """A returned filing must say why (退回须附意见)."""
    if decision not in ("approve", "return"):
        raise RuleViolation("filing.decision", "请选择通过或退回。", field="decision")
    if decision == "return" and not opinion.strip():
        raise RuleViolation("filing.opinion_required", "退回时必须填写意见。", field="opinion")


# --- materials --------------------------------------------------------------------------------------

MAX_MATERIAL_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class MaterialType:
    code: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


MATERIAL_TYPES: dict[str, MaterialType] = {
    t.code: t
    for t in [
        MaterialType("pdf", "PDF", (".pdf",), "application/pdf"),
        MaterialType("jpeg", "JPEG", (".jpg", ".jpeg"), "image/jpeg"),
        MaterialType("png", "PNG", (".png",), "image/png"),
        MaterialType("docx", "DOCX", (".docx",),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        MaterialType("xlsx", "XLSX", (".xlsx",),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]
}
ALLOWED_LABEL = "、".join(t.label for t in MATERIAL_TYPES.values())


def sniff(head: bytes, zip_entries: frozenset[str] | None) -> str | None:
    """The allowed type whose signature (magic bytes) the content carries, or None.

    `zip_entries` is the list of names inside the file when it is a ZIP archive (DOCX and XLSX are
    ZIP packages told apart by their parts), None otherwise.
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04") and zip_entries is not None and "[Content_Types].xml" in zip_entries:
        if "word/document.xml" in zip_entries:
            return "docx"
        if "xl/workbook.xml" in zip_entries:
            return "xlsx"
    return None


def check_material(*, name: str, size: int, detected: str | None) -> MaterialType:
    """Allow-list by content, the name's extension matching the content, and the size limit."""
    if size <= 0:
        raise RuleViolation("filing.material_empty", f"材料“{name}”是空文件。", field="materials")
    if size > MAX_MATERIAL_BYTES:
        raise RuleViolation("filing.material_too_large", f"材料“{name}”超过 10 MB，请压缩后再上传。", field="materials")
    if detected is None:
        raise RuleViolation(
            "filing.material_type",
            f"材料“{name}”的文件类型不受支持，只能上传 {ALLOWED_LABEL} 文件。", field="materials",
        )
    material_type = MATERIAL_TYPES[detected]
    if not name.lower().endswith(material_type.extensions):
        raise RuleViolation(
            "filing.material_extension",
            f"材料“{name}”的扩展名与文件内容（{material_type.label}）不符，请检查后重新上传。", field="materials",
        )
    return material_type

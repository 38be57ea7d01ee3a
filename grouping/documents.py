"""The three forms of seed 000's third document, as PDF and Excel, laid out like its 附件1–3:

* 无职党员岗位清单 (附件1): 岗位名称、职责任务、标准要求;
* 无职党员定岗编组台账 (附件2): 编组名称; 姓名 性别 出生年月 入党时间 联系方式 职责任务 服务承诺 详细住址 备注;
  包组干部; 组长;
* 无职党员履岗记实台账 (附件3): 编组名称, 时间; 活动时间 参与党员 履岗内容 取得成效 备注; 组长签字, 包组干部签字.

Phone and address are masked unless the caller passes `reveal=True` (a viewer with
`Action.VIEW_PERSONAL_DATA`, whose view is audited by the caller).
"""

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from partyadmin.crypto import mask_address, mask_phone
from partyadmin.documents import render_pdf

from . import selectors
from .models import PerformanceEntry, Post, PostList

LEDGER_COLUMNS = ["姓名", "性别", "出生年月", "入党时间", "联系方式", "职责任务", "服务承诺", "详细住址", "备注"]
PERFORMANCE_COLUMNS = ["活动时间", "参与党员", "履岗内容", "取得成效", "备注"]
POST_COLUMNS = ["序号", "岗位名称", "职责任务", "标准要求"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class LedgerGroup:
    name: str
    post: Post
    rows: list[list[str]]
    cadre: str
    leader: str


def _ym(day: date | None) -> str:
    return f"{day.year}.{day.month:02d}" if day else ""


def ledger_groups(post_list: PostList, *, reveal: bool = False) -> list[LedgerGroup]:
    groups = []
    for post in selectors.ledger_groups(post_list):
        rows = []
        for placement in post.members:
            person, member = placement.member.person, placement.member
            phone = person.phone if reveal else mask_phone(person.phone)
            address = person.address if reveal else mask_address(person.address)
            role = "（组长）" if post.leader_id == member.pk else ""
            rows.append([person.name + role, person.get_gender_display(), _ym(person.birth_date), _ym(member.joined_on),
                         phone or "", post.duties, placement.commitment, address or "", placement.remark])
        groups.append(LedgerGroup(
            name=post.group_label, post=post, rows=rows,
            cadre=post.cadre.person.name if post.cadre_id else "", leader=post.leader.person.name if post.leader_id else "",
        ))
    return groups


def _performance_rows(entries: list[PerformanceEntry]) -> list[list[str]]:
    return [[f"{e.activity_on:%Y-%m-%d}", "、".join(m.person.name for m in e.participants.all()), e.content, e.outcome,
             e.remark + (f"（照片{len(e.photos.all())}张）" if e.photos.all() else "")] for e in entries]


# --- PDF ---------------------------------------------------------------------------------------------


def post_list_pdf(post_list: PostList) -> bytes:
    return render_pdf("grouping/documents/post_list.html", {
        "post_list": post_list, "posts": list(selectors.posts_of(post_list)), "title": "无职党员岗位清单",
        "issuer": post_list.organization.name,
    })


def group_ledger_pdf(post_list: PostList, *, today: date, reveal: bool = False) -> bytes:
    return render_pdf("grouping/documents/group_ledger.html", {
        "post_list": post_list, "groups": ledger_groups(post_list, reveal=reveal), "columns": LEDGER_COLUMNS,
        "title": "无职党员定岗编组台账", "issuer": post_list.organization.name, "today": today, "masked": not reveal,
    })


def work_plan_pdf(post_list: PostList) -> bytes:
    return render_pdf("grouping/documents/work_plan.html", {
        "post_list": post_list, "posts": list(selectors.posts_of(post_list)), "title": "无职党员“一编三定”工作计划",
        "issuer": post_list.organization.name,
    })


def performance_context(post: Post, month: date) -> dict[str, Any]:
    entries = list(selectors.entries_of(post, month=month))
    signed_leader = bool(entries) and all(e.leader_signed_at for e in entries)
    signed_cadre = bool(entries) and all(e.cadre_signed_at for e in entries)
    return {
        "post": post, "month": month, "rows": _performance_rows(entries), "columns": PERFORMANCE_COLUMNS,
        "title": "无职党员履岗记实台账", "issuer": post.organization.name,
        "leader": post.leader.person.name if post.leader_id and signed_leader else "",
        "cadre": post.cadre.person.name if post.cadre_id and signed_cadre else "",
    }


def performance_ledger_pdf(post: Post, month: date) -> bytes:
    return render_pdf("grouping/documents/performance_ledger.html", performance_context(post, month))


# --- Excel -------------------------------------------------------------------------------------------

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _title(sheet: Any, text: str, width: int, row: int = 1) -> None:
    sheet.cell(row=row, column=1, value=text).font = Font(size=16, bold=True)
    sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _table(sheet: Any, start: int, header: list[str], rows: list[list[str]]) -> int:
    for col, label in enumerate(header, start=1):
        cell = sheet.cell(row=start, column=col, value=label)
        cell.font, cell.border = Font(bold=True), _BOX
    for r, values in enumerate(rows, start=start + 1):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=col, value=value)
            cell.border, cell.alignment = _BOX, _WRAP
    return start + len(rows) + 1


def _widths(sheet: Any, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width


def _bytes(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def post_list_xlsx(post_list: PostList) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "岗位清单"
    _title(sheet, "无职党员岗位清单", len(POST_COLUMNS))
    sheet.cell(row=2, column=1, value=f"{post_list.organization.name}　{post_list.year}年（第{post_list.version}版）")
    rows = [[str(i), p.name, p.duties, p.standards] for i, p in enumerate(selectors.posts_of(post_list), start=1)]
    _table(sheet, 3, POST_COLUMNS, rows)
    _widths(sheet, [6, 18, 50, 40])
    return _bytes(book)


def group_ledger_xlsx(post_list: PostList, *, reveal: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "定岗编组台账"
    _title(sheet, "无职党员定岗编组台账", len(LEDGER_COLUMNS))
    row = 2
    for group in ledger_groups(post_list, reveal=reveal):
        row += 1
        sheet.cell(row=row, column=1, value=f"编组名称：{group.name}").font = Font(bold=True)
        row = _table(sheet, row + 1, LEDGER_COLUMNS, group.rows)
        for label, value in (("包组干部", group.cadre), ("组  长", group.leader)):
            sheet.cell(row=row, column=1, value=label).border = _BOX
            sheet.cell(row=row, column=2, value=value).border = _BOX
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(LEDGER_COLUMNS))
            row += 1
    _widths(sheet, [12, 6, 10, 10, 14, 30, 30, 24, 12])
    return _bytes(book)


def performance_ledger_xlsx(post: Post, month: date) -> bytes:
    context = performance_context(post, month)
    book = Workbook()
    sheet = book.active
    sheet.title = "履岗记实台账"
    _title(sheet, "无职党员履岗记实台账", len(PERFORMANCE_COLUMNS))
    sheet.cell(row=2, column=1, value=f"编组名称：{post.group_label}")
    sheet.cell(row=2, column=4, value=f"时间：{month.year}年{month.month}月")
    row = _table(sheet, 3, PERFORMANCE_COLUMNS, context["rows"])
    sheet.cell(row=row + 1, column=1, value=f"组长签字：{context['leader']}")
    sheet.cell(row=row + 1, column=4, value=f"包组干部签字：{context['cadre']}")
    sheet.cell(row=row + 2, column=1, value="注：开展活动要注意保留照片等资料。")
    _widths(sheet, [14, 24, 40, 30, 16])
    return _bytes(book)

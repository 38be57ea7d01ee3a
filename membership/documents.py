"""Excel documents of the member register (DESIGN §2.4): the import template and the list export.

The template is small and styled (a normal openpyxl workbook); the export may hold a whole county,
so it is written in openpyxl's write-only mode from an iterator, into a temporary file, with the
ID number, phone and address masked (DESIGN §2.1: exports meant for display carry no personal data
in clear), and recorded in the audit trail (DESIGN §2.7).
"""

import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from typing import IO, Any

from django.contrib.auth.base_user import AbstractBaseUser
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from branches.models import Organization
from partyadmin.crypto import mask_address, mask_id_number, mask_phone

from . import selectors, services
from .imports import COLUMNS, EXAMPLE_VALUES, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, SHEET_NAME, Column
from .models import Education, Flow, Member, MemberStatus

# Exports of up to this many rows are written during the request (about 10 s on 2 cores); larger
# ones by a background job, since 100,000 rows take about a minute.
EXPORT_SYNC_MAX_ROWS = 20_000
EXPORT_CHUNK = 2000
PROGRESS_STEP = 1000

INSTRUCTIONS_SHEET = "填写说明"
BRANCH_SHEET = "党支部列表"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"

_PARTY_RED = "C00000"
_HEADER_FONT = Font(name="宋体", bold=True, color="FFFFFF", size=11)
_HEADER_FILL = PatternFill("solid", fgColor=_PARTY_RED)
_OPTIONAL_FONT = Font(name="宋体", bold=True, color=_PARTY_RED, size=11)
_OPTIONAL_FILL = PatternFill("solid", fgColor="FDE9D9")
_EXAMPLE_FONT = Font(name="宋体", italic=True, color="808080")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


# --- the import template ------------------------------------------------------------------------

def import_template(*, branches: Iterable[Organization], stream: IO[bytes]) -> None:
    """The register sheet to fill in: styled headers, drop-downs for the choice columns, date and
    text formats, an example row, the instructions sheet and the user's branches to pick from."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    _instructions_sheet(workbook)
    branch_rows = _branch_sheet(workbook, branches)
    _register_sheet(sheet, branch_rows=branch_rows)
    workbook.active = 0
    workbook.save(stream)


def _register_sheet(sheet: Any, *, branch_rows: int) -> None:
    last_row = MAX_IMPORT_ROWS + 2  # header, example, then the rows a file may hold
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.alignment, cell.border = _CENTER, _BORDER
        cell.font, cell.fill = (_HEADER_FONT, _HEADER_FILL) if column.required else (_OPTIONAL_FONT, _OPTIONAL_FILL)
        if column.note:
            cell.comment = Comment(("【必填】" if column.required else "") + column.note, "党支部管理")
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.kind == "date":
            dimension.number_format = DATE_FORMAT
        elif column.kind in ("id", "phone", "text", "name", "branch", "group"):
            dimension.number_format = TEXT_FORMAT
        example = sheet.cell(row=2, column=index, value=EXAMPLE_VALUES.get(column.key) or None)
        example.font = _EXAMPLE_FONT
        example.number_format = DATE_FORMAT if column.kind == "date" else TEXT_FORMAT
        validation = _drop_down(column, branch_rows=branch_rows)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last_row}")
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "B2"


def _drop_down(column: Column, *, branch_rows: int) -> DataValidation | None:
    if column.options:
        validation = DataValidation(type="list", formula1=f'"{",".join(column.options)}"', allow_blank=True)
        validation.error = f"请从下拉列表中选择：{'、'.join(column.options)}。"
        validation.errorTitle = column.header
        return validation
    if column.kind == "branch" and branch_rows:
        # A list from the branch sheet; not enforced, since the organization code may be typed too.
        validation = DataValidation(
            type="list", formula1=f"{quote_sheetname(BRANCH_SHEET)}!$A$2:$A${branch_rows + 1}", allow_blank=True,
        )
        validation.showErrorMessage = False
        return validation
    return None


def _branch_sheet(workbook: Workbook, branches: Iterable[Organization]) -> int:
    sheet = workbook.create_sheet(BRANCH_SHEET)
    for index, (header, width) in enumerate((("党支部名称", 36), ("组织代码", 20)), start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _CENTER
        sheet.column_dimensions[get_column_letter(index)].width = width
    count = 0
    for count, branch in enumerate(branches, start=1):
        sheet.cell(row=count + 1, column=1, value=branch.name)
        sheet.cell(row=count + 1, column=2, value=branch.code).number_format = TEXT_FORMAT
    return count


def _instructions_sheet(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["D"].width = 22
    sheet["A1"] = "党员名册导入填写说明"
    sheet["A1"].font = Font(name="宋体", bold=True, size=14)
    notes = (
        f"1. 在“{SHEET_NAME}”工作表中从第3行起每行填写一名党员；第1行为表头，请勿修改列名。",
        f"2. 第2行为示例（姓名 {EXAMPLE_VALUES['name']}），导入时自动跳过，可以保留或删除。",
        "3. 红底白字的表头为必填列，其余可留空；有下拉箭头的列请从下拉列表中选择；表头单元格的批注是该列的填写要求。",
        "4. 日期可填 2020-07-01、2020/7/1、2020年7月1日 或 20200701，也可以是 Excel 日期。",
        "5. 公民身份号码请以文本格式填写，校验位、出生日期须正确；同一身份证号码在表中只能出现一次，已登记的党员不能重复导入。",
        f"6. 所在党支部填写名称或组织代码，只能是您有权登记党员的党支部（见“{BRANCH_SHEET}”工作表）。",
        f"7. 每个文件不超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB、{MAX_IMPORT_ROWS:,} 行。",
        "8. 只要有一处错误，整个文件都不会导入：请按结果页列出的行、列和问题改正后重新上传。",
    )
    for row, note in enumerate(notes, start=3):
        sheet.cell(row=row, column=1, value=note)
    start = len(notes) + 4
    for index, header in enumerate(("列名", "必填", "填写要求", "可选值"), start=1):
        cell = sheet.cell(row=start, column=index, value=header)
        cell.font, cell.fill, cell.alignment, cell.border = _HEADER_FONT, _HEADER_FILL, _CENTER, _BORDER
    for offset, column in enumerate(COLUMNS, start=1):
        values = (column.header, "是" if column.required else "", column.note, "、".join(column.options))
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=start + offset, column=index, value=value)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)


# --- the export ---------------------------------------------------------------------------------

_GENDERS = {"male": "男", "female": "女"}
_EDUCATIONS = dict(Education.choices)
_STATUSES = dict(MemberStatus.choices)
_FLOWS = dict(Flow.choices)


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _export_row(member: Member) -> list[Any]:
    """A member as the template's columns, personal data masked."""
    person = member.person
    values = {
        "name": person.name,
        "gender": _GENDERS.get(person.gender, ""),
        "ethnicity": person.ethnicity,
        "id_number": mask_id_number(person.id_number),
        "birth_date": person.birth_date,
        "education": _EDUCATIONS.get(person.education, ""),
        "phone": mask_phone(person.phone),
        "address": mask_address(person.address),
        "organization": member.organization.name,
        "party_group": member.party_group.name if member.party_group_id else "",
        "status": _STATUSES.get(member.status, ""),
        "joined_on": member.joined_on,
        "full_on": member.full_on,
        "occupation": person.occupation,
        "position": person.position,
        "is_office_holder": "有职" if member.is_office_holder else "无职",
        "is_league_member": _yes_no(person.is_league_member),
        "is_union_member": _yes_no(person.is_union_member),
        "flow": _FLOWS.get(member.flow, ""),
        "flow_organization": member.flow_organization,
        "flow_certificate_no": member.flow_certificate_no,
        "is_exempt": _yes_no(member.is_exempt),
        "exempt_reason": member.exempt_reason,
        "is_leading_cadre": _yes_no(member.is_leading_cadre),
        "remark": member.remark,
    }
    # Empty cells as None: openpyxl skips them, where "" would be written as a string cell.
    return [values[column.key] if values[column.key] != "" else None for column in COLUMNS]


def member_export_workbook(members: Iterable[Member], *, title: str = SHEET_NAME,
                           progress: Callable[[int], None] | None = None) -> tuple[IO[bytes], int]:
    """The members as an .xlsx in a temporary file (rewound), and how many rows it holds.

    Write-only mode keeps memory flat however many rows come; pass an iterator
    (`queryset.iterator(chunk_size=…)`) so the rows are not all loaded at once either.
    `progress(n)` is told every PROGRESS_STEP rows.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill, cell.alignment, cell.border = _HEADER_FONT, _HEADER_FILL, _CENTER, _BORDER
        header.append(cell)
    sheet.append(header)
    count = 0
    for count, member in enumerate(members, start=1):  # noqa: B007 - the count is the result
        sheet.append(_export_row(member))
        if progress is not None and count % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output, count


def member_export(*, acting_user: AbstractBaseUser, filters: dict[str, Any], audited_filters: dict[str, Any],
                  progress: Callable[[int], None] | None = None) -> tuple[IO[bytes], int]:
    """The register as the user sees it under `filters` (`MemberFilterForm.selector_filters()`), as
    a masked workbook; the export is recorded in the audit trail (DESIGN §2.7)."""
    members = selectors.member_list(user=acting_user, **filters).iterator(chunk_size=EXPORT_CHUNK)
    output, count = member_export_workbook(members, progress=progress)
    services.member_export(
        acting_user=acting_user,
        organization=filters.get("organization") or selectors.register_root(user=acting_user),
        count=count,
        filters=audited_filters,
    )
    return output, count


def export_filename(today: date) -> str:
    return f"党员名册_{today:%Y%m%d}.xlsx"

"""Excel export of the 入党志愿书 numbers ledger (DESIGN §2.4). Names, branches and dates: no personal data."""

from collections.abc import Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from branches.models import Domain

from .models import DevelopmentPlan, FormNumber
from .selectors import QuotaUse

HEADERS = ["序号", "入党志愿书编号", "姓名", "领域", "所在党支部", "乡镇（街道）", "编号日期", "状态", "作废原因"]
WIDTHS = [6, 20, 12, 12, 28, 20, 12, 8, 30]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(name="宋体", bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C00000")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_DOMAINS = dict(Domain.choices)


def ledger_workbook(*, plan: DevelopmentPlan, numbers: Sequence[FormNumber], use: QuotaUse | None) -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "入党志愿书编号台账"
    sheet.append([f"{plan.county.name}{plan.year}年度入党志愿书编号台账"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(name="宋体", bold=True, size=14)
    sheet["A1"].alignment = _CENTER
    issued = use.total.issued if use else 0
    sheet.append([f"计划发展 {plan.total_quota} 名，已编号 {issued} 名（不含作废），剩余 {max(0, plan.total_quota - issued)} 名"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    sheet.append(HEADERS)
    for index, width in enumerate(WIDTHS, start=1):
        cell = sheet.cell(row=3, column=index)
        cell.font, cell.fill, cell.alignment, cell.border = _HEADER_FONT, _HEADER_FILL, _CENTER, _BORDER
        sheet.column_dimensions[cell.column_letter].width = width
    for index, number in enumerate(numbers, start=1):
        sheet.append([
            index, number.number, number.person.name, _DOMAINS.get(number.domain, number.domain),
            number.organization.name if number.organization else "",
            number.township.name if number.township else "", number.issued_on,
            "作废" if number.is_void else "有效", number.void_reason,
        ])
        for column in range(1, len(HEADERS) + 1):
            sheet.cell(row=index + 3, column=column).border = _BORDER
        sheet.cell(row=index + 3, column=7).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A4"
    stream = BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def export_filename(plan: DevelopmentPlan) -> str:
    return f"{plan.county.name}{plan.year}年度入党志愿书编号台账.xlsx"

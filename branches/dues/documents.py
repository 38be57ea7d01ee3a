"""Excel export of a branch's unpaid-dues list (DESIGN §2.4). Names only: no personal data."""

from collections.abc import Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from branches.models import Organization

from .selectors import DuesRow

HEADERS = ["序号", "姓名", "入党日期", "每月应交（元）", "本年欠交月数", "本年欠交金额（元）", "往年欠交月数",
           "连续未交月数", "连续未交起始月份", "备注"]
WIDTHS = [6, 12, 12, 14, 14, 16, 14, 14, 18, 30]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(name="宋体", bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C00000")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _remark(row: DuesRow, year: int) -> str:
    notes = []
    if row.monthly_amount is None:
        notes.append("未核定党费基数")
    elif row.base_year != year:
        notes.append(f"按{row.base_year}年基数估算")
    if row.is_lapse_candidate:
        notes.append("连续6个月以上未交纳党费")
    return "；".join(notes)


def unpaid_workbook(*, organization: Organization, rows: Sequence[DuesRow], year: int, up_to_month: int) -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党费欠交名单"
    sheet.append([f"{organization.name}党费欠交名单（截至{year}年{up_to_month}月）" if up_to_month
                  else f"{organization.name}党费欠交名单（截至{year - 1}年12月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(name="宋体", bold=True, size=14)
    sheet["A1"].alignment = _CENTER
    sheet.append(HEADERS)
    for index, width in enumerate(WIDTHS, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.font, cell.fill, cell.alignment, cell.border = _HEADER_FONT, _HEADER_FILL, _CENTER, _BORDER
        sheet.column_dimensions[cell.column_letter].width = width
    for number, row in enumerate(rows, start=1):
        sheet.append([
            number, str(row.member), row.member.joined_on,
            float(row.monthly_amount) if row.monthly_amount is not None else None,
            row.owed_in_year,
            float(row.amount_owed_in_year) if row.amount_owed_in_year is not None else None,
            row.owed_before, row.unpaid_run,
            f"{row.run_since:%Y年%m月}" if row.run_since and row.unpaid_run else "",
            _remark(row, year),
        ])
        for column in range(1, len(HEADERS) + 1):
            sheet.cell(row=number + 2, column=column).border = _BORDER
        sheet.cell(row=number + 2, column=3).number_format = "yyyy-mm-dd"
        sheet.cell(row=number + 2, column=4).number_format = "0.00"
        sheet.cell(row=number + 2, column=6).number_format = "0.00"
    sheet.freeze_panes = "A3"
    stream = BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def export_filename(organization: Organization, year: int, up_to_month: int) -> str:
    return f"{organization.name}党费欠交名单_{year}年{up_to_month}月.xlsx"

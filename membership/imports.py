"""Excel import of the member register: the sheet a branch already keeps (DESIGN §2.4).

Nothing is written unless every row is good:

1. `read_sheet(file)`: the upload is really an .xlsx within the size and row limits and has the
   needed columns; gives the raw rows.
2. `validate_rows(user=, sheet=)`: every cell is parsed and checked (the cell rules of
   `membership.rules`, the branch within the user's CHANGE_MEMBER scope, duplicates within the file
   and against the register), then every row that parsed is put through
   `services.member_validate`, the very checks `member_create` makes. Each problem is a
   `CellError` (row, column, value, message in Chinese).
3. `write_rows(user=, rows=)`: one transaction, `services.member_create` per row, so one audit
   event per member. A row refused at that point (someone registered the same person meanwhile)
   rolls everything back and is reported like any other bad cell.

`member_import` runs the three steps. Values shown back in error reports have the ID number,
phone and address masked: reports are kept (in the job record) and shown in pages (DESIGN §2.1).
"""

import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from audit.services import appending_in_batch
from branches.models import Organization
from partyadmin.crypto import blind_index, mask_address, mask_id_number, mask_phone
from partyadmin.errors import RuleViolation

from . import rules, selectors, services
from .models import Education, Flow, MemberStatus

MAX_IMPORT_BYTES = 10 * 1024 * 1024
# The write is one transaction that holds the county's audit-chain lock throughout (one head write
# for the batch): 10,000 rows ≈ 66 s on 2 busy cores (tests/benchmarks/bench_import.py), linear in
# the rows. Larger files are split, so that one import does not block the county's writers longer.
MAX_IMPORT_ROWS = 10_000
# A 10 MB .xlsx of plain cells unpacks to well under this; more means a zip bomb, not a register.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
# Up to this many data rows are imported during the request; more go to a background job.
SYNC_MAX_ROWS = 500
# The result page lists at most this many problems (a file this bad is better fixed in parts).
MAX_LISTED_ERRORS = 10_000
HEADER_SEARCH_ROWS = 10
PROGRESS_STEP = 200

SHEET_NAME = "党员名册"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) container

Progress = Callable[[int], None]

# --- columns ------------------------------------------------------------------------------------

YES_NO = (("是", True), ("否", False))
EDUCATION_ALIASES = (
    ("研究生", Education.GRADUATE), ("博士", Education.GRADUATE), ("硕士", Education.GRADUATE),
    ("博士研究生", Education.GRADUATE), ("硕士研究生", Education.GRADUATE),
    ("大学本科", Education.BACHELOR), ("本科", Education.BACHELOR),
    ("大学专科", Education.COLLEGE), ("大专", Education.COLLEGE), ("专科", Education.COLLEGE),
    ("中专/高中", Education.SECONDARY), ("高中", Education.SECONDARY), ("中专", Education.SECONDARY),
    ("中技", Education.SECONDARY), ("职高", Education.SECONDARY),
    ("初中及以下", Education.JUNIOR_OR_BELOW), ("初中", Education.JUNIOR_OR_BELOW),
    ("小学", Education.JUNIOR_OR_BELOW), ("小学及以下", Education.JUNIOR_OR_BELOW),
)


@dataclass(frozen=True)
class Column:
    """One column of the register sheet: its header, how its cells are read, and the template's help."""

    header: str
    key: str
    kind: str  # text, name, id, phone, date, choice, branch, group
    required: bool = False
    max_length: int = 0
    choices: tuple[tuple[str, Any], ...] = ()  # accepted text → value; those in `options` are the drop-down
    options: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other spellings of the header found in branches' own sheets
    width: int = 12
    note: str = ""
    example: Any = ""


COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", "name", required=True, width=10, note="2个以上汉字，少数民族姓名可用“·”分隔。",
           example="张建国"),
    Column("性别", "gender", "choice", choices=(("男", "male"), ("女", "female")), options=("男", "女"),
           width=6, note="男或女；可留空，按公民身份号码确定。须与公民身份号码一致。", example="男"),
    Column("民族", "ethnicity", "text", max_length=20, width=8, note="如 汉族、回族；留空按汉族。", example="汉族"),
    Column("公民身份号码", "id_number", "id", required=True, aliases=("身份证号码", "身份证号", "公民身份证号码"),
           width=22, note="18位，末位可为X。请以文本格式填写（数字格式会丢失末几位）。"),
    Column("出生日期", "birth_date", "date", width=12, note="可留空，按公民身份号码确定；填写的须与之一致。"),
    Column("学历", "education", "choice", choices=EDUCATION_ALIASES,
           options=tuple(label for _, label in Education.choices), aliases=("文化程度",), width=12,
           note="研究生、大学本科、大学专科、中专/高中、初中及以下（也可填 本科、大专、高中、初中 等）。",
           example="大学本科"),
    Column("手机号码", "phone", "phone", aliases=("联系电话", "手机号", "电话"), width=14,
           note="11位手机号码，或带区号的固定电话（如 0371-12345678）。"),
    Column("家庭住址", "address", "text", max_length=200, aliases=("住址", "现居住地"), width=30,
           example="河南省焦作市解放区民主路12号"),
    Column("所在党支部", "organization", "branch", required=True, aliases=("党支部", "所在支部"), width=24,
           note="填写党支部名称或组织代码，须为您有权登记党员的党支部（见“党支部列表”）。"),
    Column("党小组", "party_group", "group", aliases=("所在党小组",), width=12, note="所在党支部下的党小组名称；可留空。"),
    Column("党员类别", "status", "choice", required=True,
           choices=(("正式党员", MemberStatus.FULL), ("预备党员", MemberStatus.PROBATIONARY),
                    ("正式", MemberStatus.FULL), ("预备", MemberStatus.PROBATIONARY)),
           options=("正式党员", "预备党员"), aliases=("人员类别",), width=10, example="正式党员"),
    Column("入党日期", "joined_on", "date", required=True, aliases=("入党时间",), width=12,
           note="须在年满十八岁之后。"),
    Column("转正日期", "full_on", "date", aliases=("转正时间",), width=12,
           note="正式党员必填，须在入党日期一年以后；预备党员留空。"),
    Column("职业", "occupation", "text", max_length=100, width=12, example="教师"),
    Column("职务", "position", "text", max_length=100, width=12, example=""),
    Column("有职/无职", "is_office_holder", "choice",
           choices=(("有职", True), ("无职", False), *YES_NO), options=("有职", "无职"),
           aliases=("有职无职", "是否有职"), width=10, note="有职或无职；留空按无职。", example="无职"),
    Column("共青团员", "is_league_member", "choice", choices=YES_NO, options=("是", "否"), width=9,
           note="是或否；留空按否。", example="否"),
    Column("工会会员", "is_union_member", "choice", choices=YES_NO, options=("是", "否"), width=9,
           note="是或否；留空按否。", example="是"),
    Column("流动情况", "flow", "choice",
           choices=(("非流动党员", Flow.NONE), ("否", Flow.NONE), ("无", Flow.NONE), ("流出", Flow.FLOW_OUT),
                    ("流入", Flow.FLOW_IN), ("流出党员", Flow.FLOW_OUT), ("流入党员", Flow.FLOW_IN)),
           options=("非流动党员", "流出", "流入"), aliases=("是否流动党员",), width=11,
           note="非流动党员、流出或流入；留空按非流动党员。", example="非流动党员"),
    Column("流入/流出党组织", "flow_organization", "text", max_length=100, aliases=("流入流出党组织",), width=20,
           note="流动党员必填。"),
    Column("流动党员活动证号", "flow_certificate_no", "text", max_length=40, width=16),
    Column("免于积分评星", "is_exempt", "choice", choices=YES_NO, options=("是", "否"), width=12,
           note="年老体弱、长期患病等经本人申请、党支部同意的填“是”；留空按否。", example="否"),
    Column("免于积分评星原因", "exempt_reason", "text", max_length=200, aliases=("免评原因",), width=18,
           note="免于积分评星的必填。"),
    Column("领导干部", "is_leading_cadre", "choice", choices=YES_NO, options=("是", "否"), width=9,
           note="是或否；留空按否。", example="否"),
    Column("备注", "remark", "text", max_length=200, width=20),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_HEADERS = tuple(column.header for column in COLUMNS if column.required)
# Values the service derives when a cell is empty (from the ID number or the model default).
_OMIT_WHEN_EMPTY = frozenset({"gender", "birth_date", "ethnicity"})
_EMPTY_DEFAULTS = {"is_office_holder": False, "is_league_member": False, "is_union_member": False,
                   "flow": Flow.NONE, "is_exempt": False, "is_leading_cadre": False, "education": ""}
_MASKS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}

# The template's example row: recognised by this name and ID number and skipped on import.
EXAMPLE_NAME = "张建国"
EXAMPLE_ID_FIRST17 = "11010119900307123"
EXAMPLE_ID_NUMBER = EXAMPLE_ID_FIRST17 + rules.check_digit(EXAMPLE_ID_FIRST17)
EXAMPLE_VALUES: dict[str, Any] = {
    **{column.key: column.example for column in COLUMNS},
    "name": EXAMPLE_NAME, "id_number": EXAMPLE_ID_NUMBER, "birth_date": date(1990, 3, 7),
    "phone": "13812345678", "joined_on": date(2015, 7, 1), "full_on": date(2016, 7, 1),
}


def _normalize_header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value or ""))
    text = text.replace("（", "(").replace("）", ")").replace("*", "").replace("＊", "")
    return re.sub(r"\((必填|选填)\)$", "", text)


_HEADER_KEYS = {
    _normalize_header(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)
}


# --- results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CellError:
    """One bad cell: the sheet row (as Excel numbers it), the column header, the value as entered
    (personal data masked) and what is wrong, in Chinese."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class SheetRows:
    """The raw content of a register sheet: per data row, the Excel row number and key → cell value."""

    columns: list[str]  # keys of the columns present, in COLUMNS order
    rows: list[tuple[int, dict[str, Any]]]
    skipped: int = 0  # the template's example row, when left in


@dataclass(frozen=True)
class ImportRow:
    row: int
    organization: Organization
    fields: dict[str, Any]


@dataclass
class Validation:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did: how many members were created, or every problem found."""

    rows: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[CellError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (the job record keeps it for the result page)."""
        return {
            "rows": self.rows, "created": self.created, "skipped": self.skipped, "error_count": self.error_count,
            "errors": [[error.row, error.column, error.value, error.message] for error in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ImportResult":
        return cls(
            rows=data.get("rows", 0), created=data.get("created", 0), skipped=data.get("skipped", 0),
            errors=[CellError(*item) for item in data.get("errors", [])], error_count=data.get("error_count", 0),
        )


class RowRefused(Exception):  # noqa: N818 - a refusal, reported as a cell error
    def __init__(self, error: CellError) -> None:
        super().__init__(error.message)
        self.error = error


# --- step 1: the file ---------------------------------------------------------------------------

def _file_refused(code: str, message: str) -> RuleViolation:
    return RuleViolation(f"import.{code}", message, field="file")


def _size_of(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    file.seek(0)
    return int(size)


def _check_container(file: IO[bytes]) -> None:
    """An .xlsx is a zip holding xl/workbook.xml; its first bytes and its parts tell, not its name."""
    size = _size_of(file)
    if size == 0:
        raise _file_refused("empty", "上传的文件是空的。")
    if size > MAX_IMPORT_BYTES:
        raise _file_refused("too_large", f"文件超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB，请分成几个文件导入。")
    head = file.read(len(_OLE_MAGIC))
    file.seek(0)
    if head.startswith(_OLE_MAGIC):
        raise _file_refused("xls", "这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后再导入。")
    if not head.startswith(_ZIP_MAGIC):
        raise _file_refused("not_xlsx", "文件不是 Excel（.xlsx）格式，请使用下载的模板填写后上传。")
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _file_refused("not_xlsx", "文件不是 Excel（.xlsx）格式，请使用下载的模板填写后上传。") from None
    finally:
        file.seek(0)
    if "xl/workbook.xml" not in names:
        raise _file_refused("not_xlsx", "文件不是 Excel（.xlsx）格式，请使用下载的模板填写后上传。")
    if unpacked > MAX_UNPACKED_BYTES:
        raise _file_refused("too_large", "文件解压后内容过大，不像党员名册，请检查文件。")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_row(rows: Iterator[tuple[Any, ...]]) -> tuple[int, dict[int, str]]:
    """The first row (within the first few) naming the 姓名 column: its number and index → key."""
    for number, values in enumerate(rows, start=1):
        keys: dict[int, str] = {}
        for index, value in enumerate(values):
            key = _HEADER_KEYS.get(_normalize_header(value))
            if key is not None and key not in keys.values():
                keys[index] = key
        if "name" in keys.values():
            return number, keys
        if number >= HEADER_SEARCH_ROWS:
            break
    raise _file_refused("missing_columns", f"找不到表头：表中须有“{'”“'.join(REQUIRED_HEADERS)}”等列，请使用下载的模板。")


def read_sheet(file: IO[bytes]) -> SheetRows:
    """The data rows of the register sheet (the sheet named 党员名册, else the first one).

    Raises RuleViolation (field "file") for an empty, oversized or non-xlsx file, a sheet without
    the required columns, no data rows, or more than MAX_IMPORT_ROWS rows.
    """
    _check_container(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign workbook
        raise _file_refused("not_xlsx", "文件无法作为 Excel 工作簿打开，可能已损坏；请用 Excel 另存为 .xlsx 后再试。") from None
    try:
        sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_number, keys = _header_row(rows)
        missing = [COLUMNS_BY_KEY[key].header for key in COLUMNS_BY_KEY
                   if COLUMNS_BY_KEY[key].required and key not in keys.values()]
        if missing:
            raise _file_refused("missing_columns", f"缺少必需的列：{'、'.join(missing)}。请使用下载的模板。")
        result = SheetRows(columns=[key for key in COLUMNS_BY_KEY if key in keys.values()], rows=[])
        for number, values in enumerate(rows, start=header_number + 1):
            cells = {key: values[index] if index < len(values) else None for index, key in keys.items()}
            if all(_is_blank(value) for value in cells.values()):
                continue
            if _is_example(cells):
                result.skipped += 1
                continue
            result.rows.append((number, cells))
            if len(result.rows) > MAX_IMPORT_ROWS:
                raise _file_refused("too_many_rows", f"数据超过 {MAX_IMPORT_ROWS:,} 行，请分成几个文件导入。")
    finally:
        workbook.close()
    if not result.rows:
        raise _file_refused("no_rows", "表中没有党员数据：请从表头下一行起每行填写一名党员。")
    return result


def _is_example(cells: dict[str, Any]) -> bool:
    return (str(cells.get("id_number") or "").strip().upper() == EXAMPLE_ID_NUMBER
            and str(cells.get("name") or "").strip() == EXAMPLE_NAME)


# --- step 2: the cells and the rows -------------------------------------------------------------

class _BadCell(Exception):  # noqa: N818 - internal: one cell's message
    pass


_DATE_PARTS = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
# A date stored as a plain number: Excel's day count, 3000 (1908-03-18) up to 9999-12-31. Smaller
# numbers are more likely a bare year (2020) than a date, and are refused.
EXCEL_SERIALS = (3000, 2_958_466)
_DATE_HELP = "日期格式不正确，请填写如 2020-07-01、2020/7/1、2020年7月1日 或 20200701。"


def parse_date(value: Any) -> date | None:
    """An Excel date, or text as branches write it (2020-07-01, 2020/7/1, 2020.7.1, 2020年7月1日, 20200701)."""
    if _is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _BadCell(_DATE_HELP)
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and 19000101 <= number <= 99991231:
            digits = str(int(number))
            return _date_of(digits[:4], digits[4:6], digits[6:])
        if EXCEL_SERIALS[0] <= number < EXCEL_SERIALS[1]:
            return from_excel(number).date()
        raise _BadCell(_DATE_HELP)
    text = str(value).strip()
    match = _DATE_PARTS.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if match is None:
        raise _BadCell(_DATE_HELP)
    return _date_of(*match.groups())


def _date_of(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _BadCell(f"“{year}年{int(month)}月{int(day)}日”不是有效日期。") from None


def _text(value: Any) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return f"{value:%Y-%m-%d}"
    return str(value).strip()


def _choice(column: Column, value: Any) -> Any:
    if isinstance(value, bool) and column.choices == YES_NO:
        return value
    text = re.sub(r"\s+", "", _text(value))
    if not text:
        return _EMPTY_DEFAULTS.get(column.key)
    for label, choice in column.choices:
        if text == label:
            return choice
    raise _BadCell(f"请填写：{'、'.join(column.options)}。")


def _parse_cell(column: Column, value: Any, *, today: date) -> Any:
    """The cell's value for the service; _BadCell for what no row check could fix."""
    kind = column.kind
    if column.required and _is_blank(value):
        raise _BadCell(f"“{column.header}”必须填写。")
    if kind == "date":
        return parse_date(value)
    if kind == "choice":
        return _choice(column, value)
    if kind == "id":
        if _is_blank(value):
            return ""
        if isinstance(value, int | float):
            raise _BadCell("公民身份号码须以文本格式填写：数字格式会把18位号码的末几位变成0。")
        return _rule(lambda: rules.validate_id_number(str(value), today=today).number)
    if kind == "phone":
        text = _text(value)
        return _rule(lambda: rules.normalize_phone(text)) if text else ""
    if kind == "name":
        return _rule(lambda: rules.check_name(_text(value)))
    text = _text(value)
    if column.max_length and len(text) > column.max_length:
        raise _BadCell(f"不能超过 {column.max_length} 个字（现有 {len(text)} 个）。")
    return text


def _rule(check: Callable[[], Any]) -> Any:
    try:
        return check()
    except RuleViolation as violation:
        raise _BadCell(violation.message) from None


def shown_value(key: str, value: Any) -> str:
    """A cell's value as the result page shows it: personal data masked."""
    text = _text(value)
    mask = _MASKS.get(key)
    return mask(text) if mask else text[:100]


@dataclass
class _ParsedRow:
    row: int
    cells: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    organization: Organization | None = None

    def error(self, key: str, message: str) -> None:
        column = COLUMNS_BY_KEY[key]
        self.errors.append(CellError(self.row, column.header, shown_value(key, self.cells.get(key)), message))


def _parse_rows(sheet: SheetRows, *, today: date) -> list[_ParsedRow]:
    parsed = []
    for number, cells in sheet.rows:
        row = _ParsedRow(row=number, cells=cells)
        for key in sheet.columns:
            column = COLUMNS_BY_KEY[key]
            try:
                value = _parse_cell(column, cells.get(key), today=today)
            except _BadCell as bad:
                row.error(key, str(bad))
                continue
            if key in ("organization", "party_group"):
                continue  # resolved against the user's scope below
            if key in _OMIT_WHEN_EMPTY and value in (None, ""):
                continue
            row.fields[key] = value
        parsed.append(row)
    return parsed


def _resolve_branches(user: AbstractBaseUser, parsed: list[_ParsedRow]) -> None:
    """所在党支部 by code or name, only among the branches where the user may enter members. An
    unknown branch and a branch outside the user's scope get the same message."""
    labels = {_text(row.cells.get("organization")) for row in parsed} - {""}
    branches = selectors.branches_for_change_named(user=user, labels=labels)
    by_code = {branch.code: branch for branch in branches}
    by_name: dict[str, list[Organization]] = defaultdict(list)
    for branch in branches:
        by_name[branch.name].append(branch)
    group_names = {_text(row.cells.get("party_group")) for row in parsed} - {""}
    groups: dict[tuple[str, str], Organization] = {}
    for group in selectors.party_groups_for_change_named(user=user, names=group_names):
        groups[(group.path[: -Organization.steplen], group.name)] = group
    for row in parsed:
        label = _text(row.cells.get("organization"))
        if not label:
            continue
        named = by_name.get(label, [])
        branch = by_code.get(label) or by_code.get(label.upper()) or (named[0] if len(named) == 1 else None)
        if branch is None:
            if len(named) > 1:
                row.error("organization", f"有 {len(named)} 个党支部名为“{label}”，请改填组织代码。")
            else:
                row.error("organization", f"党支部“{label}”不存在或无权限。")
            continue
        row.organization = branch
        group_name = _text(row.cells.get("party_group"))
        if group_name:
            group = groups.get((branch.path, group_name))
            if group is None:
                row.error("party_group", f"“{branch.name}”下没有名为“{group_name}”的党小组。")
            else:
                row.fields["party_group"] = group


def _check_duplicates(parsed: list[_ParsedRow]) -> None:
    """The same ID number twice in the file flags every such row; one already in the register (found
    by its blind index, never by decrypting) flags its row."""
    rows_by_id: dict[str, list[_ParsedRow]] = defaultdict(list)
    for row in parsed:
        if row.fields.get("id_number"):
            rows_by_id[row.fields["id_number"]].append(row)
    for rows in rows_by_id.values():
        if len(rows) > 1:
            for row in rows:
                others = "、".join(str(other.row) for other in rows if other is not row)
                row.error("id_number", f"与第 {others} 行的公民身份号码重复。")
    digests = {blind_index(number): number for number in rows_by_id}
    for digest in selectors.id_numbers_registered(digests=digests):
        for row in rows_by_id[digests[digest]]:
            row.error("id_number", "该身份证号码已登记。")


def validate_rows(*, user: AbstractBaseUser, sheet: SheetRows, today: date | None = None,
                  progress: Progress | None = None) -> Validation:
    """Every row checked, nothing written: the rows ready to write, or every problem found."""
    today = today or timezone.localdate()
    parsed = _parse_rows(sheet, today=today)
    _resolve_branches(user, parsed)
    _check_duplicates(parsed)
    result = Validation()
    for index, row in enumerate(parsed, start=1):
        if not row.errors and row.organization is not None:
            try:
                services.member_validate(organization=row.organization, **row.fields)
            except RuleViolation as violation:
                row.error(_column_key(violation), violation.message)
        if row.errors:
            result.errors.extend(row.errors)
        elif row.organization is not None:
            result.rows.append(ImportRow(row=row.row, organization=row.organization, fields=row.fields))
        if progress is not None and index % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    if progress is not None and len(parsed) % PROGRESS_STEP:
        progress(len(parsed) % PROGRESS_STEP)
    order = {column.header: position for position, column in enumerate(COLUMNS)}
    result.errors.sort(key=lambda error: (error.row, order.get(error.column, len(order))))
    return result


def _column_key(violation: RuleViolation) -> str:
    """The column a service's rule violation belongs to (its form field name is the column key)."""
    return violation.field if violation.field in COLUMNS_BY_KEY else "name"


# --- step 3: the write --------------------------------------------------------------------------

def write_rows(*, user: AbstractBaseUser, rows: list[ImportRow], progress: Progress | None = None) -> int:
    """All rows in one transaction through `services.member_create` (one audit event per member).

    A row the service refuses now raises RowRefused after the whole transaction rolled back.
    The audit events share one chain-head lock and one head write (`appending_in_batch`).
    """
    with appending_in_batch():
        for index, row in enumerate(rows, start=1):
            try:
                services.member_create(acting_user=user, organization=row.organization, **row.fields)
            except RuleViolation as violation:
                key = _column_key(violation)
                value = row.fields.get(key, row.organization.name if key == "organization" else "")
                raise RowRefused(CellError(row.row, COLUMNS_BY_KEY[key].header, shown_value(key, value),
                                           violation.message)) from None
            if progress is not None and index % PROGRESS_STEP == 0:
                progress(PROGRESS_STEP)
    if progress is not None and len(rows) % PROGRESS_STEP:
        progress(len(rows) % PROGRESS_STEP)
    return len(rows)


def member_import(*, acting_user: AbstractBaseUser, sheet: SheetRows, progress: Progress | None = None) -> ImportResult:
    """Validate every row; write them all in one transaction only if none is bad."""
    result = ImportResult(rows=len(sheet.rows), skipped=sheet.skipped)
    checked = validate_rows(user=acting_user, sheet=sheet, progress=progress)
    if checked.errors:
        result.error_count = len(checked.errors)
        result.errors = checked.errors[:MAX_LISTED_ERRORS]
        return result
    try:
        result.created = write_rows(user=acting_user, rows=checked.rows, progress=progress)
    except RowRefused as refused:
        result.errors, result.error_count = [refused.error], 1
    return result

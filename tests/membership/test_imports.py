"""Excel import of the member register: every bad input is reported per cell and writes nothing;
a good file writes every row in one transaction with one audit event per member (DESIGN §2.4)."""

import threading
from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import Event
from branches.models import OrganizationKind
from membership import imports, tasks
from membership.imports import COLUMNS, ImportResult, parse_date
from membership.models import Gender, Member, Person
from membership.services import member_validate
from partyadmin.errors import RuleViolation
from partyadmin.models import JobRun
from tests.conftest import make_org

from .factories import MemberFactory, id_number_for

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in COLUMNS]


def excel_date(year: int, month: int, day: int) -> datetime:
    """What openpyxl gives for a date cell: a naive datetime (Excel knows no time zones)."""
    return datetime(year, month, day)  # noqa: DTZ001


def id_number(serial: int, *, born: date = date(1985, 3, 2), gender: str = Gender.FEMALE) -> str:
    return id_number_for(born, gender, serial)


def sheet_row(branch, serial: int = 1, **overrides: Any) -> dict[str, Any]:
    """A good row for `branch`, by column header; `overrides` by header too (use the dict form for
    headers that are not identifiers)."""
    row = {
        "姓名": "李红梅", "性别": "女", "民族": "汉族", "公民身份号码": id_number(serial), "出生日期": "1985-03-02",
        "学历": "大学本科", "手机号码": f"1390000{serial:04d}", "家庭住址": "河南省焦作市解放区民主路8号",
        "所在党支部": branch.name, "党员类别": "正式党员", "入党日期": "2010-07-01", "转正日期": "2011-07-01",
        "职业": "教师", "有职/无职": "无职", "共青团员": "否", "工会会员": "是", "流动情况": "非流动党员",
        "免于积分评星": "否", "领导干部": "否",
    }
    row.update(overrides)
    return row


def workbook_bytes(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党员名册"
    headers = headers or HEADERS
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(content: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=imports.XLSX_CONTENT_TYPE)


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Member.objects.count(), Event.objects.exclude(action__startswith="auth.").count()


def post_import(client, content: bytes, name: str = "名册.xlsx"):
    return client.post(reverse("membership:import"), {"file": upload(content, name)}, follow=True)


def result_of(response) -> ImportResult:
    assert response.status_code == 200
    return response.context["result"]


def the_error(response) -> imports.CellError:
    result = result_of(response)
    assert result.created == 0
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- a good file ---------------------------------------------------------------------------

def test_good_file_writes_every_row_and_one_audit_event_per_member(client_for, alice, branch_a):
    rows = [sheet_row(branch_a, serial) for serial in range(1, 4)]
    response = post_import(client_for(alice), workbook_bytes(rows))
    result = result_of(response)
    assert (result.created, result.errors) == (3, [])
    assert "已导入 <strong>3</strong> 名党员" in response.content.decode()
    assert Member.objects.filter(organization=branch_a).count() == 3
    events = Event.objects.filter(action="member.create")
    assert events.count() == 3 and set(events.values_list("actor", flat=True)) == {alice.pk}
    assert set(events.values_list("subject_id", flat=True)) == {str(pk) for pk in Member.objects.values_list("pk", flat=True)}


def test_imported_values_land_in_the_register(client_for, alice, branch_a):
    group = make_org(branch_a, "第一党小组", "C01T01B01G1", OrganizationKind.PARTY_GROUP)
    row = sheet_row(branch_a, **{"党小组": "第一党小组", "有职/无职": "有职", "流动情况": "流出",
                                 "流入/流出党组织": "上海市某街道党工委", "免于积分评星": "是",
                                 "免于积分评星原因": "长期患病", "备注": "2023年转入"})
    result_of(post_import(client_for(alice), workbook_bytes([row])))
    member = Member.objects.get()
    person = member.person
    assert (person.name, person.gender, person.birth_date, person.id_number) == (
        "李红梅", "female", date(1985, 3, 2), id_number(1))
    assert (person.phone, person.is_union_member, person.is_league_member) == ("13900000001", True, False)
    assert (member.party_group, member.status, member.joined_on, member.full_on) == (
        group, "full", date(2010, 7, 1), date(2011, 7, 1))
    assert (member.is_office_holder, member.flow, member.flow_organization) == (True, "flow_out", "上海市某街道党工委")
    assert (member.is_exempt, member.exempt_reason, member.remark) == (True, "长期患病", "2023年转入")


def test_branch_may_be_given_by_organization_code(client_for, alice, branch_a):
    result = result_of(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"所在党支部": branch_a.code})])))
    assert result.created == 1 and Member.objects.get().organization == branch_a


def test_gender_and_birth_date_may_be_left_to_the_id_number(client_for, alice, branch_a):
    row = sheet_row(branch_a, **{"性别": None, "出生日期": None, "民族": None})
    result_of(post_import(client_for(alice), workbook_bytes([row])))
    person = Person.objects.get()
    assert (person.gender, person.birth_date, person.ethnicity) == ("female", date(1985, 3, 2), "汉族")


def test_probationary_member_without_full_date(client_for, alice, branch_a):
    row = sheet_row(branch_a, **{"党员类别": "预备党员", "入党日期": "2025-07-01", "转正日期": None})
    result_of(post_import(client_for(alice), workbook_bytes([row])))
    assert (Member.objects.get().status, Member.objects.get().full_on) == ("probationary", None)


def test_columns_may_come_in_any_order_with_extra_columns_and_header_aliases(client_for, alice, branch_a):
    headers = ["序号", "入党时间", "姓名", "身份证号码", "党支部", "人员类别", "转正时间"]
    row = {"序号": 1, "入党时间": "2010-07-01", "姓名": "李红梅", "身份证号码": id_number(1),
           "党支部": branch_a.name, "人员类别": "正式党员", "转正时间": "2011-07-01"}
    result = result_of(post_import(client_for(alice), workbook_bytes([row], headers=headers)))
    assert result.created == 1


def test_blank_rows_between_members_are_ignored(client_for, alice, branch_a):
    rows = [sheet_row(branch_a, 1), {}, sheet_row(branch_a, 2)]
    assert result_of(post_import(client_for(alice), workbook_bytes(rows))).created == 2


@pytest.mark.parametrize("value", [
    "2020-07-01", "2020/7/1", "2020.7.1", "2020年7月1日", "20200701", 20200701, excel_date(2020, 7, 1),
    date(2020, 7, 1), 44013, "2020-07-01 00:00:00",
])
def test_dates_are_read_as_excel_dates_or_as_branches_write_them(value):
    assert parse_date(value) == date(2020, 7, 1)


@pytest.mark.parametrize("value", ["2020-13-01", "2020年2月30日", "去年七月", "2020.07", 2020, True])
def test_dates_that_are_no_dates_are_refused(value):
    with pytest.raises(imports._BadCell):
        parse_date(value)


def test_excel_date_cells_and_yes_no_and_gender_words_are_accepted(client_for, alice, branch_a):
    row = sheet_row(branch_a, **{"性别": "女", "出生日期": excel_date(1985, 3, 2), "入党日期": excel_date(2010, 7, 1),
                                 "转正日期": "2011年7月1日", "共青团员": "是", "工会会员": "否", "学历": "大专"})
    result_of(post_import(client_for(alice), workbook_bytes([row])))
    person = Person.objects.get()
    assert (person.is_league_member, person.is_union_member, person.education) == (True, False, "college")


# --- bad cells: reported, nothing written -------------------------------------------------

def test_bad_check_digit_is_reported_and_nothing_written(client_for, alice, branch_a):
    """GB 11643-1999: the 18th character is the check character of the first 17."""
    good = id_number(2)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = counts()
    rows = [sheet_row(branch_a, 1), sheet_row(branch_a, 2, **{"公民身份号码": bad})]
    error = the_error(post_import(client_for(alice), workbook_bytes(rows)))
    assert (error.row, error.column) == (3, "公民身份号码")
    assert "校验位" in error.message
    assert counts() == before


def test_birth_date_that_disagrees_with_the_id_number_is_reported(client_for, alice, branch_a):
    before = counts()
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"出生日期": "1985-03-03"})])))
    assert (error.row, error.column, error.value) == (2, "出生日期", "1985-03-03")
    assert "身份号码" in error.message
    assert counts() == before


def test_missing_required_cell_is_reported(client_for, alice, branch_a):
    before = counts()
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"入党日期": None})])))
    assert (error.column, error.value, error.message) == ("入党日期", "", "“入党日期”必须填写。")
    assert counts() == before


def test_date_text_that_is_no_date_is_reported(client_for, alice, branch_a):
    before = counts()
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"入党日期": "2010年七月"})])))
    assert (error.column, error.value) == ("入党日期", "2010年七月")
    assert "日期格式不正确" in error.message
    assert counts() == before


def test_joining_before_eighteen_is_reported(client_for, alice, branch_a):
    """党章第一条: "年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子……可以申请加入中国共产党"."""
    before = counts()
    row = sheet_row(branch_a, **{"入党日期": "2003-03-01", "转正日期": "2004-03-01"})
    error = the_error(post_import(client_for(alice), workbook_bytes([row])))
    assert error.column == "入党日期" and "十八岁" in error.message
    assert counts() == before


def test_full_member_without_full_date_is_reported(client_for, alice, branch_a):
    """党章第七条: "预备党员的预备期为一年" — a full member has a conversion date."""
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"转正日期": None})])))
    assert (error.column, error.message) == ("转正日期", "正式党员须填写转正日期。")
    assert not Member.objects.exists()


def test_choice_outside_the_list_is_reported_with_the_allowed_values(client_for, alice, branch_a):
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"性别": "男性"})])))
    assert (error.column, error.value, error.message) == ("性别", "男性", "请填写：男、女。")
    assert not Member.objects.exists()


def test_id_number_typed_as_a_number_is_reported(client_for, alice, branch_a):
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"公民身份号码": 410802198503020020})])))
    assert error.column == "公民身份号码" and "文本格式" in error.message
    assert not Member.objects.exists()


def test_same_id_number_twice_in_the_file_flags_both_rows(client_for, alice, branch_a):
    before = counts()
    rows = [sheet_row(branch_a, 1), sheet_row(branch_a, 2), sheet_row(branch_a, 1, **{"姓名": "王芳"})]
    result = result_of(post_import(client_for(alice), workbook_bytes(rows)))
    assert [(error.row, error.column, error.message) for error in result.errors] == [
        (2, "公民身份号码", "与第 4 行的公民身份号码重复。"),
        (4, "公民身份号码", "与第 2 行的公民身份号码重复。"),
    ]
    assert counts() == before


def test_id_number_already_in_the_register_is_reported(client_for, alice, branch_a, branch_b):
    existing = MemberFactory(organization=branch_b)
    before = counts()
    row = sheet_row(branch_a, **{"公民身份号码": existing.person.id_number, "出生日期": None, "性别": None,
                                 "入党日期": existing.joined_on, "转正日期": existing.full_on})
    error = the_error(post_import(client_for(alice), workbook_bytes([row])))
    assert (error.column, error.message) == ("公民身份号码", "该身份证号码已登记。")
    assert counts() == before


def test_unknown_branch_is_reported(client_for, alice, branch_a):
    before = counts()
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"所在党支部": "南街社区党支部"})])))
    assert (error.column, error.message) == ("所在党支部", "党支部“南街社区党支部”不存在或无权限。")
    assert counts() == before


def test_foreign_branch_gets_the_same_message_as_an_unknown_one(client_for, alice, branch_a, branch_b, other_county):
    other_town = make_org(other_county, "邻县城关镇党委", "C02T01", OrganizationKind.COMMITTEE)
    foreign_county_branch = make_org(other_town, "南街社区党支部", "C02T01B01", OrganizationKind.BRANCH)
    before = counts()
    messages = {}
    for label in (branch_b.name, branch_b.code, foreign_county_branch.name, "不存在的党支部"):
        error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"所在党支部": label})])))
        messages[label] = error.message.replace(label, "…")
    assert set(messages.values()) == {"党支部“…”不存在或无权限。"}
    assert counts() == before


def test_a_town_is_not_a_branch(client_for, alice, branch_a, town):
    """Members are entered in branches only; a committee's name reads like an unknown branch."""
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"所在党支部": town.name})])))
    assert error.message == f"党支部“{town.name}”不存在或无权限。"


def test_unknown_party_group_is_reported(client_for, alice, branch_a):
    error = the_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"党小组": "第九党小组"})])))
    assert (error.column, error.message) == ("党小组", f"“{branch_a.name}”下没有名为“第九党小组”的党小组。")
    assert not Member.objects.exists()


def test_every_bad_cell_of_every_row_is_listed(client_for, alice, branch_a):
    rows = [
        sheet_row(branch_a, 1, **{"姓名": "A", "手机号码": "12345", "入党日期": "某日"}),
        sheet_row(branch_a, 2),
        sheet_row(branch_a, 3, **{"所在党支部": "无此支部", "有职/无职": "有"}),
    ]
    result = result_of(post_import(client_for(alice), workbook_bytes(rows)))
    assert [(error.row, error.column) for error in result.errors] == [
        (2, "姓名"), (2, "手机号码"), (2, "入党日期"), (4, "所在党支部"), (4, "有职/无职"),
    ]
    assert result.error_count == 5 and not Member.objects.exists()


def test_result_page_lists_row_column_value_and_problem_with_personal_data_masked(client_for, alice, branch_a):
    bad = id_number(1)[:17] + ("0" if id_number(1)[17] != "0" else "1")
    response = post_import(client_for(alice), workbook_bytes([sheet_row(branch_a, **{"公民身份号码": bad})]))
    content = response.content.decode()
    for heading in ("<th scope=\"col\">行</th>", "<th scope=\"col\">列</th>", "<th scope=\"col\">值</th>",
                    "<th scope=\"col\">问题</th>"):
        assert heading in content
    assert "未导入任何数据" in content and "校验位" in content
    assert bad not in content and bad[:3] + "*" * 11 + bad[-4:] in content
    assert bad not in str(JobRun.objects.get().result)


# --- bad files -----------------------------------------------------------------------------

def file_error(response) -> str:
    assert response.status_code == 200
    return response.context["form"].errors["file"][0]


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"%PDF-1.7 not a sheet", "名册.xlsx", "文件不是 Excel（.xlsx）格式"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "名册.xls", "旧版 Excel（.xls）"),
    (b"PK\x03\x04 a broken zip", "名册.xlsx", "文件不是 Excel（.xlsx）格式"),
    (b"", "名册.xlsx", "空"),
])
def test_wrong_file_type_is_refused_in_chinese_and_nothing_written(client_for, alice, branch_a, content, name, message):
    before = counts()
    assert message in file_error(post_import(client_for(alice), content, name))
    assert counts() == before and not JobRun.objects.exists()


def test_a_zip_that_is_no_workbook_is_refused(client_for, alice, branch_a):
    import zipfile

    stream = BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "不是 Excel" in file_error(post_import(client_for(alice), stream.getvalue()))


def test_missing_columns_are_named(client_for, alice, branch_a):
    before = counts()
    headers = [header for header in HEADERS if header not in ("公民身份号码", "入党日期")]
    message = file_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a)], headers=headers)))
    assert message == "缺少必需的列：公民身份号码、入党日期。请使用下载的模板。"
    assert counts() == before


def test_sheet_without_a_header_row_is_refused(client_for, alice, branch_a):
    message = file_error(post_import(client_for(alice), workbook_bytes([{"a": 1}], headers=["a", "b"])))
    assert message.startswith("找不到表头")


def test_too_many_rows_are_refused(client_for, alice, branch_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 3)
    before = counts()
    rows = [sheet_row(branch_a, serial) for serial in range(1, 5)]
    assert file_error(post_import(client_for(alice), workbook_bytes(rows))) == "数据超过 3 行，请分成几个文件导入。"
    assert counts() == before


def test_too_large_a_file_is_refused(client_for, alice, branch_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 1024)
    before = counts()
    assert "文件超过" in file_error(post_import(client_for(alice), workbook_bytes([sheet_row(branch_a)])))
    assert counts() == before


def test_sheet_with_a_header_only_is_refused(client_for, alice, branch_a):
    assert "没有党员数据" in file_error(post_import(client_for(alice), workbook_bytes([])))


# --- one transaction -----------------------------------------------------------------------

def test_a_row_refused_during_the_write_rolls_back_every_row(alice, branch_a):
    """Someone registers a person between the check and the write: the whole file is rolled back."""
    rows = [sheet_row(branch_a, serial) for serial in range(1, 4)]
    sheet = imports.read_sheet(BytesIO(workbook_bytes(rows)))
    checked = imports.validate_rows(user=alice, sheet=sheet)
    assert not checked.errors and len(checked.rows) == 3
    MemberFactory(organization=branch_a, person__id_number=id_number(3),
                  person__id_number_index=imports.blind_index(id_number(3)))
    before = counts()
    with pytest.raises(imports.RowRefused) as refused:
        imports.write_rows(user=alice, rows=checked.rows)
    assert (refused.value.error.row, refused.value.error.message) == (4, "该身份证号码已登记。")
    assert counts() == before


def test_member_validate_checks_like_create_and_writes_nothing(branch_a, member_fields):
    before = counts()
    member_validate(organization=branch_a, **member_fields)
    with pytest.raises(RuleViolation) as violation:
        member_validate(organization=branch_a, **{**member_fields, "joined_on": date(1990, 1, 1)})
    assert violation.value.code == "member.joined_under_18"
    assert counts() == before


# --- permissions ---------------------------------------------------------------------------

def test_outsider_cannot_import_into_a_foreign_branch(client_for, charlie, branch_a, branch_b):
    before = counts()
    error = the_error(post_import(client_for(charlie), workbook_bytes([sheet_row(branch_a)])))
    assert error.message == f"党支部“{branch_a.name}”不存在或无权限。"
    assert counts() == before


@pytest.mark.parametrize("user", ["rita", "mary"])
def test_users_without_change_member_may_not_import(client_for, request, branch_a, user):
    visitor = request.getfixturevalue(user)
    client = client_for(visitor)
    before = counts()
    assert client.get(reverse("membership:import")).status_code == 403
    assert client.get(reverse("membership:import_template")).status_code == 403
    assert client.post(reverse("membership:import"), {"file": upload(workbook_bytes([sheet_row(branch_a)]))}).status_code == 403
    assert counts() == before


def test_import_result_of_another_user_is_404(client_for, alice, bob, charlie, branch_a):
    response = post_import(client_for(alice), workbook_bytes([sheet_row(branch_a)]))
    run = JobRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("membership:import_result", args=[run.pk])
    for user in (bob, charlie):
        assert client_for(user).get(reverse("membership:import_result", args=[run.pk])).status_code == 404
    assert client_for(alice).get(reverse("membership:import_result", args=[run.pk + 1000])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    for name in ("membership:import", "membership:import_template"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the template --------------------------------------------------------------------------

def download_template(client) -> Workbook:
    response = client.get(reverse("membership:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_template_has_the_columns_an_example_row_and_instructions(client_for, alice, branch_a, branch_b):
    workbook = download_template(client_for(alice))
    assert workbook.sheetnames == ["党员名册", "填写说明", "党支部列表"]
    sheet = workbook["党员名册"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["A2"].value == imports.EXAMPLE_NAME and sheet["D2"].value == imports.EXAMPLE_ID_NUMBER
    assert sheet["A1"].font.bold and sheet.column_dimensions["D"].width == 22
    assert sheet.column_dimensions["L"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["D"].number_format == "@"
    drop_downs = {str(validation.sqref).split(":")[0]: validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert drop_downs["B2"] == '"男,女"' and drop_downs["K2"] == '"正式党员,预备党员"' and drop_downs["Q2"] == '"是,否"'
    assert drop_downs["I2"].startswith("'党支部列表'!$A$2")
    instructions = " ".join(str(cell.value) for row in workbook["填写说明"].iter_rows() for cell in row if cell.value)
    assert "党员名册导入填写说明" in instructions and "2020年7月1日" in instructions
    branches = [row[0] for row in workbook["党支部列表"].iter_rows(min_row=2, values_only=True)]
    assert branches == [branch_a.name]  # only branches the user may enter members in


def test_template_round_trips(client_for, alice, branch_a):
    client = client_for(alice)
    workbook = download_template(client)
    sheet = workbook["党员名册"]
    for serial in range(1, 4):
        row = sheet_row(branch_a, serial, **{"出生日期": excel_date(1985, 3, 2), "入党日期": excel_date(2010, 7, 1)})
        sheet.append([row.get(header) for header in HEADERS])
    stream = BytesIO()
    workbook.save(stream)
    result = result_of(post_import(client, stream.getvalue()))
    assert (result.created, result.skipped, result.errors) == (3, 1, [])  # the example row is skipped
    assert not Person.objects.filter(name=imports.EXAMPLE_NAME).exists()


# --- large files: a background job -------------------------------------------------------

@pytest.fixture
def small_sync_limit(monkeypatch, settings, tmp_path):
    """Files of more than one row go to the job, which runs in-process; uploads are kept in tmp_path."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(imports, "SYNC_MAX_ROWS", 1)
    monkeypatch.setattr(tasks.member_import, "delay", tasks.member_import)


def test_large_file_is_imported_by_a_job_with_progress(client_for, alice, branch_a, small_sync_limit,
                                                      django_capture_on_commit_callbacks):
    rows = [sheet_row(branch_a, serial) for serial in range(1, 4)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(alice).post(reverse("membership:import"), {"file": upload(workbook_bytes(rows))})
    run = JobRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("membership:import_result", args=[run.pk])
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.result["created"]) == ("succeeded", 6, 6, 3)
    assert Member.objects.count() == 3 and Event.objects.filter(action="member.create").count() == 3
    assert not default_storage.listdir(tasks.IMPORT_DIR)[1]  # the stored upload is gone
    page = client_for(alice).get(response.url).content.decode()
    assert "已导入 <strong>3</strong> 名党员" in page


def test_job_with_a_bad_row_writes_nothing_and_keeps_the_errors(client_for, alice, branch_a, small_sync_limit,
                                                               django_capture_on_commit_callbacks):
    rows = [sheet_row(branch_a, 1), sheet_row(branch_a, 2, **{"入党日期": "无"})]
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(reverse("membership:import"), {"file": upload(workbook_bytes(rows))})
    assert counts()[:2] == before[:2]
    result = client_for(alice).get(response.url).context["result"]
    assert [(error.row, error.column) for error in result.errors] == [(3, "入党日期")]


def test_running_the_job_twice_imports_once(alice, branch_a, small_sync_limit, django_capture_on_commit_callbacks):
    content = workbook_bytes([sheet_row(branch_a, serial) for serial in range(1, 3)])
    sheet = imports.read_sheet(BytesIO(content))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = tasks.member_import_start(acting_user=alice, upload=upload(content), sheet=sheet)
    callbacks[0]()
    callbacks[0]()
    run.refresh_from_db()
    assert (run.status, run.result["created"]) == ("succeeded", 2)
    assert Member.objects.count() == 2


def test_running_page_shows_the_progress_while_the_job_runs(client_for, alice, branch_a, small_sync_limit,
                                                           django_capture_on_commit_callbacks):
    content = workbook_bytes([sheet_row(branch_a, serial) for serial in range(1, 3)])
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(alice).post(reverse("membership:import"), {"file": upload(content)})
    run = JobRun.objects.get()
    page = client_for(alice).get(response.url)
    assert page.context["result"] is None
    assert f'hx-get="{reverse("job_progress", args=[run.pk])}"' in page.content.decode()
    assert "window.location.reload" in page.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite has one writer: progress moves only outside the transaction there")
@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_write_transaction_is_visible_at_once(alice):
    """The polling page reads the run on its own connection: the count must commit at once."""
    run = JobRun.objects.create(name=tasks.IMPORT_JOB, total=10, triggered_by=alice)
    advance = tasks._progress(run)
    seen = []
    with transaction.atomic():
        advance(4)
        reader = threading.Thread(target=lambda: (seen.append(JobRun.objects.get(pk=run.pk).done),
                                                  connections.close_all()))
        reader.start()
        reader.join()
    assert seen == [4]


def test_a_crash_during_a_small_import_ends_the_run_as_failed(alice, branch_a, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "member_import", crash)
    content = workbook_bytes([sheet_row(branch_a)])
    with pytest.raises(RuntimeError):
        tasks.member_import_start(acting_user=alice, upload=upload(content), sheet=imports.read_sheet(BytesIO(content)))
    run = JobRun.objects.get()
    assert (run.status, run.error) == ("failed", tasks.SYSTEM_ERROR)


def test_a_crash_during_an_import_job_ends_the_run_as_failed_and_removes_the_file(
        alice, branch_a, small_sync_limit, monkeypatch, django_capture_on_commit_callbacks):
    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "member_import", crash)
    content = workbook_bytes([sheet_row(branch_a, serial) for serial in range(1, 3)])
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.member_import_start(acting_user=alice, upload=upload(content),
                                        sheet=imports.read_sheet(BytesIO(content)))
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", tasks.SYSTEM_ERROR)
    assert not default_storage.listdir(tasks.IMPORT_DIR)[1]
    assert not Member.objects.exists()

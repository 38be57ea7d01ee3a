"""Excel import of the member register at 10,000 rows (a benchmark, not a test: it prints numbers).

    createdb -h 127.0.0.1 -U postgres pa_imp_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pa_imp_bench TESTING=1 \\
        .venv/bin/python -m tests.benchmarks.bench_import --rows 10000

Builds (once) a county with one township of 50 branches and a township secretary, then builds a
workbook of --rows good rows (fresh ID numbers on every run, branches named half by name, half by
code) and times the three steps of `membership.imports`: parse (read the .xlsx), validate (every
cell and row, nothing written) and write (one transaction, `member_create` per row with its audit
event). Also times the masked Excel export of the register, and with --export-members N of a
register filled (in bulk) to N members.
"""

import argparse
import os
import sys
import time
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING

import django

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

BRANCHES = 50


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyadmin.settings")
    os.environ.setdefault("TESTING", "1")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_tree() -> None:
    from django.contrib.auth import get_user_model

    from branches import services
    from branches.models import Organization
    from branches.scoping import Role

    if Organization.objects.filter(code="IMPB").exists():
        return
    county = services.organization_create(acting_user=None, parent=None, name="导入基准县委组织部", code="IMPB",
                                          kind="county_dept")
    town = services.organization_create(acting_user=None, parent=county, name="导入基准镇党委", code="IMPB-T",
                                        kind="committee", domain="rural")
    for number in range(BRANCHES):
        town.refresh_from_db()
        services.organization_create(acting_user=None, parent=town, name=f"导入基准{number}村党支部",
                                     code=f"IMPB-{number:03d}", kind="branch", domain="rural")
    user = get_user_model().objects.create_user("import_secretary", password="Bench-pass-1")
    services.grant_role(acting_user=None, user=user, organization=town, role=Role.SECRETARY)


def build_workbook(rows: int, first_serial: int) -> bytes:
    from openpyxl import Workbook

    from branches.models import Organization
    from membership.imports import COLUMNS
    from tests.membership.factories import birth_date_for, chinese_name, id_number_for

    branches = list(Organization.objects.filter(code__startswith="IMPB-", kind="branch").order_by("code"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员名册")
    headers = [column.header for column in COLUMNS]
    sheet.append(headers)
    for index in range(rows):
        serial = first_serial + index
        born = birth_date_for(serial)
        gender = "male" if serial % 2 else "female"
        joined = date(born.year + 30, born.month, 1)
        branch = branches[index % len(branches)]
        values = {
            "姓名": chinese_name(serial), "性别": "男" if gender == "male" else "女", "民族": "汉族",
            "公民身份号码": id_number_for(born, gender, serial), "出生日期": f"{born:%Y-%m-%d}", "学历": "高中",
            "手机号码": f"13{serial % 1_000_000_000:09d}", "家庭住址": f"基准县基准镇{index % 50}村{index}号",
            "所在党支部": branch.name if index % 2 else branch.code, "党员类别": "正式党员",
            "入党日期": f"{joined:%Y年%-m月%-d日}", "转正日期": date(joined.year + 1, joined.month, 1),
            "职业": "农民", "有职/无职": "无职", "共青团员": "否", "工会会员": "否", "流动情况": "非流动党员",
            "免于积分评星": "否", "领导干部": "否",
        }
        sheet.append([values.get(header) for header in headers])
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def fill_register(total: int) -> None:
    """Rows written in bulk (no audit events) until the benchmark's branches hold `total` members,
    to time the export of a large register."""
    from branches.models import Organization
    from membership.models import Member, Person
    from partyadmin.crypto import blind_index
    from tests.membership.factories import birth_date_for, chinese_name, id_number_for

    branches = list(Organization.objects.filter(code__startswith="IMPB-", kind="branch").order_by("code"))
    missing = total - Member.objects.filter(organization__in=branches).count()
    started, serial = time.perf_counter(), 5_000_000 + Person.objects.count()
    while missing > 0:
        batch = min(missing, 5000)
        people, members = [], []
        for index in range(batch):
            serial += 1
            born, gender = birth_date_for(serial), "male" if serial % 2 else "female"
            number, phone = id_number_for(born, gender, serial), f"15{serial % 1_000_000_000:09d}"
            branch = branches[index % len(branches)]
            person = Person(name=chinese_name(serial), gender=gender, birth_date=born, id_number=number,
                            id_number_index=blind_index(number), phone=phone, phone_index=blind_index(phone),
                            address=f"基准县基准镇{index % 50}村{serial}号", county_id=branch.county_id)
            people.append(person)
            members.append(Member(person=person, organization=branch, county_id=branch.county_id, status="full",
                                  joined_on=date(born.year + 30, born.month, 1),
                                  full_on=date(born.year + 31, born.month, 1), category="rural"))
        Person.objects.bulk_create(people, batch_size=1000)
        Member.objects.bulk_create(members, batch_size=1000)
        missing -= batch
    print(f"register filled to {total} members in {time.perf_counter() - started:.1f} s")


def time_export(user: "AbstractBaseUser") -> None:
    from membership import documents, selectors

    members = selectors.member_list(user=user).iterator(chunk_size=2000)
    started = time.perf_counter()
    output, count = documents.member_export_workbook(members)
    size = output.seek(0, 2)
    print(f"export   {time.perf_counter() - started:7.2f} s   ({count} rows, masked, {size / 1024 / 1024:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--export-members", type=int, default=0,
                        help="also fill the register to this many members (in bulk) and time their export")
    args = parser.parse_args()
    setup()
    build_tree()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from membership import imports
    from membership.models import Member, Person

    user = get_user_model().objects.get(username="import_secretary")
    content = build_workbook(args.rows, first_serial=Person.objects.count() + 1_000_000)
    print(f"{connection.vendor}: {Member.objects.count()} members before; workbook {args.rows} rows, "
          f"{len(content) / 1024 / 1024:.1f} MB")

    started = time.perf_counter()
    sheet = imports.read_sheet(BytesIO(content))
    parsed = time.perf_counter()
    checked = imports.validate_rows(user=user, sheet=sheet)
    validated = time.perf_counter()
    if checked.errors:
        print(f"{len(checked.errors)} errors, first: {checked.errors[:3]}")
        sys.exit(1)
    created = imports.write_rows(user=user, rows=checked.rows)
    written = time.perf_counter()
    print(f"parse    {parsed - started:7.2f} s")
    print(f"validate {validated - parsed:7.2f} s")
    print(f"write    {written - validated:7.2f} s   ({created} members, {created} audit events, one transaction)")
    print(f"total    {written - started:7.2f} s   ({created / (written - started):.0f} rows/s)")
    time_export(user)
    if args.export_members:
        fill_register(args.export_members)
        time_export(user)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

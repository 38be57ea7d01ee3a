"""Creates a county with N members and a year of confirmed points, fast, for the ranking and stars
benchmark: persons, members, one published scheme per branch and `--entries` entries per member, all
written with PostgreSQL COPY. No audit events: this is test data for a benchmark database only.

    python manage.py generate_scoring_tenant --members 100000 --entries 20 --code BENCH1
"""

import csv
import io
import json
import random
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from branches.models import Organization, OrganizationKind
from branches.services import organization_create
from membership.models import Member, MemberStatus, Person
from scoring.models import Entry, Item, Scheme, SchemeStatus, SectionKind
from scoring.stars.presets import star_policy

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志宏海燕文斌鹏辉晓东春雪"


_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.DecimalField, models.BooleanField,
          models.DateField, models.ForeignKey)


def _is_plain(field: models.Field) -> bool:
    """A Django field whose value is written as it is (no encryption or other preparation)."""
    return isinstance(field, _PLAIN) and type(field).__module__.startswith("django.db.models.fields")


def _text(field: models.Field, value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False)
    if not _is_plain(field):
        value = field.get_db_prep_save(value, connection)  # encrypted and other custom fields
        if value is None:
            return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def copy_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """COPY rows into the model's table; missing fields take their defaults (auto_now: now). Each field's
    default is computed once, and plain fields skip the per-value database preparation."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    defaults: dict[str, str] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = _text(f, now)
        else:
            defaults[f.attname] = _text(f, f.get_default())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        values = []
        for f in fields:
            if f.attname in row:
                values.append(_text(f, row[f.attname]))
            elif f.name in row:
                values.append(_text(f, row[f.name]))
            else:
                values.append(defaults[f.attname])
        writer.writerow(values)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _ids(model: type[models.Model], **filters: Any) -> list[int]:
    return list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))


class Command(BaseCommand):
    help = "Creates a county with N members and a year of confirmed points (benchmark data, PostgreSQL)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--members", type=int, default=1000)
        parser.add_argument("--entries", type=int, default=20, help="confirmed entries per member")
        parser.add_argument("--branch-size", type=int, default=30)
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument("--code", default="BENCH1", help="organization code of the new county")
        parser.add_argument("--policy", default="seed001_threshold")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("需要 PostgreSQL。")
        code, year, n = opts["code"], opts["year"], opts["members"]
        if Organization.objects.filter(code=code).exists():
            raise CommandError(f"组织代码 {code} 已存在。")
        rng = random.Random(opts["seed"])  # noqa: S311 - reproducible test data
        started = time.monotonic()
        county = organization_create(acting_user=None, parent=None, name=f"基准测试县{code}", code=code,
                                     kind=OrganizationKind.COUNTY_DEPT)
        branches_n = max(1, -(-n // opts["branch_size"]))
        towns = []
        for t in range(-(-branches_n // 100)):
            towns.append(organization_create(acting_user=None, parent=county, name=f"第{t + 1}镇党委",
                                             code=f"{code}T{t:03d}", kind=OrganizationKind.COMMITTEE,
                                             domain="rural", can_approve_admission=True))
        branches = []
        with transaction.atomic():
            for b in range(branches_n):
                town = towns[b // 100]
                branches.append(Organization(
                    name=f"第{b + 1}村党支部", code=f"{code}B{b:05d}", kind=OrganizationKind.BRANCH, domain="rural",
                    county=county, depth=town.depth + 1, numchild=0,
                    path=Organization._get_path(town.path, town.depth + 1, b % 100 + 1)))
            Organization.objects.bulk_create(branches, batch_size=2000)
            for i, town in enumerate(towns):
                Organization.objects.filter(pk=town.pk).update(numchild=min(100, branches_n - i * 100))
        branch_ids = _ids(Organization, county=county, kind=OrganizationKind.BRANCH)
        self.stdout.write(f"organizations: {len(branch_ids)} branches, {len(towns)} towns "
                          f"({time.monotonic() - started:.1f}s)")
        with transaction.atomic():
            copy_rows(Person, [{
                "name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)],
                "gender": "male" if i % 2 else "female",
                "birth_date": date(1950, 1, 1) + timedelta(days=(i * 97) % 18000),
                "county_id": county.pk,
            } for i in range(n)])
        person_ids = _ids(Person, county=county)
        with transaction.atomic():
            copy_rows(Member, [{
                "person_id": pid, "organization_id": branch_ids[i // opts["branch_size"]], "county_id": county.pk,
                "status": MemberStatus.PROBATIONARY if i % 40 == 0 else MemberStatus.FULL,
                "joined_on": date(1980, 1, 1) + timedelta(days=(i * 37) % 15000), "category": "rural",
                "full_on": None if i % 40 == 0 else date(1981, 1, 1) + timedelta(days=(i * 37) % 15000),
            } for i, pid in enumerate(person_ids)])
        self.stdout.write(f"people and members: {n} ({time.monotonic() - started:.1f}s)")
        now = timezone.now()
        with transaction.atomic():
            copy_rows(Scheme, [{
                "organization_id": bid, "county_id": county.pk, "year": year, "title": "党员积分方案",
                "status": SchemeStatus.PUBLISHED, "mode": "cumulative", "star_policy_key": opts["policy"],
                "star_policy": star_policy(opts["policy"]), "published_at": now, "section_caps": {},
            } for bid in branch_ids])
            scheme_of = dict(Scheme.objects.filter(organization_id__in=branch_ids, year=year)
                             .values_list("organization_id", "pk"))
            copy_rows(Item, [{
                "scheme_id": sid, "code": section, "name": label, "section": section, "points": Decimal(2),
                "order": k, "value_points": {},
            } for sid in scheme_of.values()
                for k, (section, label) in enumerate(SectionKind.choices) if section != SectionKind.VETO])
        items: dict[int, dict[str, int]] = {}
        for pk, scheme_id, section in Item.objects.filter(scheme_id__in=scheme_of.values()).values_list(
                "pk", "scheme_id", "section"):
            items.setdefault(scheme_id, {})[section] = pk
        members = list(Member.objects.filter(county=county).values_list("person_id", "organization_id"))
        start = date(year, 1, 1)
        sections = [(SectionKind.BASE, 0.75), (SectionKind.BONUS, 0.9), (SectionKind.DEDUCTION, 1.0)]
        chunk = 20000
        for offset in range(0, len(members), chunk):
            rows = []
            for person_id, org_id in members[offset:offset + chunk]:
                scheme_id = scheme_of[org_id]
                for _ in range(opts["entries"]):
                    roll = rng.random()
                    section = next(s for s, p in sections if roll < p)
                    points = Decimal(rng.choice((2, 3, 4, 5))) * (-1 if section == SectionKind.DEDUCTION else 1)
                    on = start + timedelta(days=rng.randrange(365))
                    stamp = datetime(on.year, on.month, on.day, 2, tzinfo=UTC)
                    rows.append({
                        "scheme_id": scheme_id, "organization_id": org_id, "county_id": county.pk,
                        "person_id": person_id, "item_id": items[scheme_id][section], "section": section,
                        "points": points, "occurred_on": on, "status": "confirmed", "origin": "clerk",
                        "proposed_at": stamp, "confirmed_at": stamp, "confirm_body": "committee",
                    })
            with transaction.atomic():
                copy_rows(Entry, rows)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE scoring_entry; ANALYZE membership_member; ANALYZE membership_person; "
                           "ANALYZE scoring_scheme; ANALYZE scoring_item; ANALYZE branches_organization")
        self.stdout.write(self.style.SUCCESS(
            f"county {code} (id {county.pk}): {len(branch_ids)} branches, {n} members, "
            f"{n * opts['entries']} entries in {time.monotonic() - started:.1f}s"))

"""Page and API timings on a large register (a benchmark, not a test: it prints numbers).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyadmin_bench TESTING=1 \
        .venv/bin/python -m tests.benchmarks.bench_pages --members 100000

Builds (once) a county with 10 townships and --members members spread over 200-member branches,
then times, in-process with the test client, the pages a secretary and a county reviewer open most.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date

import django


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyadmin.settings")
    os.environ.setdefault("TESTING", "1")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(members: int) -> None:
    from django.contrib.auth import get_user_model

    from branches import services
    from branches.models import Organization
    from branches.scoping import Role
    from membership.models import Member, Person
    from partyadmin.crypto import blind_index

    if Organization.objects.filter(code="BENCH").exists():
        return
    started = time.perf_counter()
    county = services.organization_create(acting_user=None, parent=None, name="基准县委组织部", code="BENCH",
                                          kind="county_dept")
    per_branch, branches = 200, []
    townships = [services.organization_create(acting_user=None, parent=county, name=f"基准{t}镇党委",
                                              code=f"BENCH-{t}", kind="committee", domain="rural")
                 for t in range(10)]
    for b in range(members // per_branch):
        town = townships[b % 10]
        town.refresh_from_db()
        branches.append(services.organization_create(
            acting_user=None, parent=town, name=f"基准{b}村党支部", code=f"BENCH-{b % 10}-{b}", kind="branch",
            domain="rural"))
    serial = 0
    for branch in branches:
        people = []
        for _ in range(per_branch):
            serial += 1
            id_number = f"41089919800101{serial:04d}"[:17] + "X"
            people.append(Person(name=f"党员{serial}", gender="male", birth_date=date(1980, 1, 1),
                                 id_number=id_number, id_number_index=blind_index(f"{serial}-{id_number}"),
                                 phone=f"139{serial:08d}", phone_index=blind_index(f"139{serial:08d}"),
                                 address="基准县", county=county))
        Person.objects.bulk_create(people, batch_size=1000)
        Member.objects.bulk_create([
            Member(person=p, organization=branch, county=county, status="full", joined_on=date(2005, 7, 1),
                   full_on=date(2006, 7, 1), category="rural") for p in people
        ], batch_size=1000)
    user_model = get_user_model()
    secretary = user_model.objects.create_user("bench_secretary", password="Bench-pass-1")
    reviewer = user_model.objects.create_user("bench_reviewer", password="Bench-pass-1")
    services.grant_role(acting_user=None, user=secretary, organization=branches[len(branches) // 2],
                        role=Role.SECRETARY)
    services.grant_role(acting_user=None, user=reviewer, organization=county, role=Role.REVIEWER)
    print(f"built {Member.objects.count()} members in {len(branches)} branches in "
          f"{time.perf_counter() - started:.1f} s")


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return statistics.mean(times), times[int(len(times) * 0.95) - 1], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup()
    build(args.members)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from branches.models import Organization
    from membership.models import Member

    branch = Member.objects.filter(organization__code__startswith="BENCH").order_by("-pk").first().organization
    pages = {
        "bench_secretary": ["/", "/organizations/", "/members/", "/members/?q=党员1", "/api/v1/members/"],
        "bench_reviewer": ["/", "/organizations/", "/members/", f"/members/?organization={branch.pk}",
                           "/api/v1/members/", "/api/v1/organizations/?kind=branch"],
    }
    print(f"{Member.objects.count()} members, {Organization.objects.count()} organizations")
    print(f"{'user':<16} {'url':<44} {'mean ms':>8} {'p95 ms':>8} {'queries':>8}")
    for username, urls in pages.items():
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for url in urls:
            mean, p95, queries = measure(client, url, args.runs)
            print(f"{username:<16} {url:<44} {mean:8.1f} {p95:8.1f} {queries:8d}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Concurrent numbering: the plan row lock makes requests queue, so no number is issued twice and none
beyond the quota (PostgreSQL row locks; each thread has its own connection)."""

import threading

import pytest
from django.db import connection

from branches.models import Domain
from partyadmin.errors import RuleViolation
from recruitment.plans import services
from recruitment.plans.models import FormNumber

from .conftest import TODAY, YEAR, candidate

ON_POSTGRES = connection.vendor == "postgresql"
QUOTA = 5
ATTEMPTS_PER_WRITER = 4


def _race(county, people_by_writer: list[list]) -> tuple[list[FormNumber], list[RuleViolation], list[BaseException]]:
    start = threading.Barrier(len(people_by_writer))
    issued: list[FormNumber] = []
    refused: list[RuleViolation] = []
    errors: list[BaseException] = []

    def write(people: list) -> None:
        try:
            start.wait(timeout=10)
            for person in people:
                try:
                    issued.append(services.form_number_issue(acting_user=None, county=county, year=YEAR,
                                                             person=person, domain=Domain.COMMUNITY, today=TODAY))
                except RuleViolation as violation:
                    refused.append(violation)
        except BaseException as error:  # noqa: BLE001 (asserted empty below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(people,)) for people in people_by_writer]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return issued, refused, errors


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks on the plan need PostgreSQL; SQLite has one writer")
def test_two_writers_at_once_never_exceed_the_quota_nor_repeat_a_number(transactional_db, county, town):
    services.plan_create(acting_user=None, county=county, year=YEAR, total_quota=QUOTA)
    people = [[candidate(county) for _ in range(ATTEMPTS_PER_WRITER)] for _writer in range(2)]

    issued, refused, errors = _race(county, people)

    assert errors == []
    assert len(issued) == QUOTA
    assert {violation.code for violation in refused} == {"form_number.quota_exhausted"}
    assert len(refused) == 2 * ATTEMPTS_PER_WRITER - QUOTA
    seqs = sorted(FormNumber.objects.filter(county=county, year=YEAR).values_list("seq", flat=True))
    assert seqs == list(range(1, QUOTA + 1))
    assert len({number.number for number in issued}) == QUOTA


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks on the plan need PostgreSQL; SQLite has one writer")
def test_two_writers_numbering_the_same_person_issue_once(transactional_db, county, town):
    services.plan_create(acting_user=None, county=county, year=YEAR, total_quota=QUOTA)
    person = candidate(county)

    issued, refused, errors = _race(county, [[person], [person]])

    assert errors == []
    assert len(issued) == 1
    assert [violation.code for violation in refused] == ["form_number.already_issued"]
    assert FormNumber.objects.filter(person=person).count() == 1

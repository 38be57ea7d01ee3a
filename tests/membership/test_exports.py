"""Excel export of the filtered member list: the same scope and filters as the page, personal data
masked (DESIGN §2.1), every export audited (DESIGN §2.7), bounded queries."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from membership import documents, tasks
from membership.documents import member_export_workbook
from membership.imports import COLUMNS, XLSX_CONTENT_TYPE
from membership.models import Member
from membership.services import EXPORT_ACTION
from partyadmin.models import JobRun

from .factories import MemberFactory

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in COLUMNS]


def export(client, **filters) -> list[dict]:
    response = client.get(reverse("membership:export"), filters)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    # Read-only sheets drop the empty cells at the end of a row.
    return [dict(zip(HEADERS, [*row, *[None] * (len(HEADERS) - len(row))], strict=True)) for row in rows[1:]]


def names(rows: list[dict]) -> set[str]:
    return {row["姓名"] for row in rows}


def test_export_holds_the_filtered_rows_in_scope_only(client_for, rita, branch_a, branch_b):
    in_a = MemberFactory.create_batch(2, organization=branch_a)
    MemberFactory(organization=branch_b)
    rows = export(client_for(rita), organization=branch_a.pk)
    assert names(rows) == {member.person.name for member in in_a}
    assert {row["所在党支部"] for row in rows} == {branch_a.name}


def test_export_masks_id_number_phone_and_address(client_for, alice, member_a):
    person = member_a.person
    [row] = export(client_for(alice))
    assert row["公民身份号码"] == person.id_number[:3] + "*" * 11 + person.id_number[-4:]
    assert row["手机号码"] == person.phone[:3] + "****" + person.phone[-4:]
    assert row["家庭住址"] == person.address[:6] + "****"
    assert (row["性别"], row["党员类别"], row["有职/无职"]) == (person.get_gender_display(), "正式党员", "无职")
    assert row["入党日期"].date() == member_a.joined_on


def test_export_applies_the_office_flow_and_exemption_filters(client_for, alice, branch_a):
    office = MemberFactory(organization=branch_a, is_office_holder=True)
    floating = MemberFactory(organization=branch_a, flow="flow_in", flow_organization="某县某村党支部")
    exempt = MemberFactory(organization=branch_a, is_exempt=True, exempt_reason="年老体弱")
    plain = MemberFactory(organization=branch_a)
    client = client_for(alice)
    assert names(export(client, office="yes")) == {office.person.name}
    assert names(export(client, office="no")) == {m.person.name for m in (floating, exempt, plain)}
    assert names(export(client, flow="floating")) == {floating.person.name}
    assert names(export(client, flow="flow_out")) == set()
    assert names(export(client, exempt="yes")) == {exempt.person.name}


def test_export_is_audited_with_count_and_filters(client_for, alice, branch_a, member_a):
    MemberFactory(organization=branch_a, status="probationary", full_on=None)
    export(client_for(alice), status="probationary", organization=branch_a.pk)
    event = Event.objects.get(action=EXPORT_ACTION)
    assert (event.actor, event.organization, event.result) == (alice, branch_a, "success")
    assert event.changes == {"count": [None, 1], "filters": [None, {"status": "probationary",
                                                                   "organization": branch_a.pk}]}


def test_unfiltered_export_is_recorded_at_the_top_of_the_users_scope(client_for, rita, town, member_a):
    export(client_for(rita))
    assert Event.objects.get(action=EXPORT_ACTION).organization == town


def test_search_for_an_id_number_is_recorded_masked(client_for, alice, member_a):
    id_number = member_a.person.id_number
    rows = export(client_for(alice), q=id_number)
    assert names(rows) == {member_a.person.name}
    event = Event.objects.get(action=EXPORT_ACTION)
    assert id_number not in str(event.changes)
    assert event.changes["filters"][1]["q"] == id_number[:3] + "*" * 11 + id_number[-4:]


def test_outsider_export_holds_only_its_own_rows(client_for, charlie, member_a, member_b):
    assert names(export(client_for(charlie))) == {member_b.person.name}


@pytest.mark.parametrize("user", ["charlie", "oscar"])
def test_outsider_filtering_on_a_foreign_branch_gets_404_and_no_file(client_for, request, branch_a, member_a, user):
    outsider = request.getfixturevalue(user)
    response = client_for(outsider).get(reverse("membership:export"), {"organization": branch_a.pk})
    assert response.status_code == 404
    assert member_a.person.name not in response.content.decode()
    assert not Event.objects.filter(action=EXPORT_ACTION).exists()


def test_member_role_has_no_register_to_export(client_for, mary, member_a):
    assert client_for(mary).get(reverse("membership:export")).status_code == 404
    assert not Event.objects.filter(action=EXPORT_ACTION).exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("membership:export"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_empty_list_exports_the_header_only(client_for, alice, branch_a):
    assert export(client_for(alice)) == []
    assert Event.objects.get(action=EXPORT_ACTION).changes["count"] == [None, 0]


def _export_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("membership:export"))
        b"".join(response.streaming_content)
    return len(queries)


def test_export_query_count_does_not_grow_with_members(client_for, rita, branch_a, branch_b,
                                                       django_assert_max_num_queries):
    client = client_for(rita)
    MemberFactory.create_batch(3, organization=branch_a)
    few = _export_queries(client)
    MemberFactory.create_batch(40, organization=branch_a)
    MemberFactory.create_batch(20, organization=branch_b, party_group=None)
    assert _export_queries(client) == few
    # session (read, save), user, grants, the count (sync or job), the rows, the audit root,
    # the audit event (savepoints, chain head, insert, head update)
    with django_assert_max_num_queries(17):
        client.get(reverse("membership:export"))


def test_workbook_is_written_from_an_iterator_with_chunked_fetches(branch_a, django_assert_max_num_queries):
    MemberFactory.create_batch(25, organization=branch_a)
    members = Member.objects.select_related("person", "organization", "party_group").order_by("pk")
    with django_assert_max_num_queries(3):
        output, count = member_export_workbook(members.iterator(chunk_size=10))
    assert count == 25
    assert len(list(load_workbook(output, read_only=True).active.iter_rows())) == 26


# --- a long list: a background job ---------------------------------------------------------

@pytest.fixture
def small_sync_limit(monkeypatch, settings, tmp_path):
    """Lists of more than one row go to the job, which runs in-process; files are kept in tmp_path."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(documents, "EXPORT_SYNC_MAX_ROWS", 1)
    monkeypatch.setattr(tasks.member_export, "delay", tasks.member_export)


def start_export_job(client, django_capture_on_commit_callbacks, **filters) -> JobRun:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("membership:export"), filters)
    run = JobRun.objects.get(name=tasks.EXPORT_JOB)
    assert response.status_code == 302 and response.url == reverse("membership:export_result", args=[run.pk])
    run.refresh_from_db()
    return run


def test_long_list_is_exported_by_a_job_and_downloaded_once(client_for, alice, branch_a, small_sync_limit,
                                                           django_capture_on_commit_callbacks):
    members = MemberFactory.create_batch(3, organization=branch_a)
    client = client_for(alice)
    run = start_export_job(client, django_capture_on_commit_callbacks, status="full")
    assert (run.status, run.total, run.done, run.result["count"]) == ("succeeded", 3, 3, 3)
    page = client.get(reverse("membership:export_result", args=[run.pk])).content.decode()
    download = reverse("membership:export_download", args=[run.pk])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active.iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == {member.person.name for member in members}
    assert all(member.person.id_number not in str(rows) for member in members)
    assert client.get(download).status_code == 404  # handed out once, then gone from the server
    event = Event.objects.get(action=EXPORT_ACTION)
    assert (event.actor, event.changes["count"], event.changes["filters"]) == (alice, [None, 3], [None, {"status": "full"}])


def test_export_job_and_its_file_are_404_for_everyone_else(client_for, alice, bob, charlie, branch_a,
                                                          small_sync_limit, django_capture_on_commit_callbacks):
    MemberFactory.create_batch(2, organization=branch_a)
    run = start_export_job(client_for(alice), django_capture_on_commit_callbacks)
    for user in (bob, charlie):
        client = client_for(user)
        assert client.get(reverse("membership:export_result", args=[run.pk])).status_code == 404
        assert client.get(reverse("membership:export_download", args=[run.pk])).status_code == 404
    assert client_for(alice).get(reverse("membership:export_download", args=[run.pk])).status_code == 200


def test_export_job_runs_once_when_queued_twice(alice, branch_a, small_sync_limit, django_capture_on_commit_callbacks):
    MemberFactory.create_batch(2, organization=branch_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = tasks.member_export_start(acting_user=alice, query="")
    callbacks[0]()
    callbacks[0]()
    run.refresh_from_db()
    assert (run.status, run.result["count"]) == ("succeeded", 2)
    assert Event.objects.filter(action=EXPORT_ACTION).count() == 1


def test_export_job_page_shows_the_progress_while_it_runs(client_for, alice, branch_a, small_sync_limit,
                                                          django_capture_on_commit_callbacks):
    MemberFactory.create_batch(2, organization=branch_a)
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.get(reverse("membership:export"))
    run = JobRun.objects.get(name=tasks.EXPORT_JOB)
    page = client.get(response.url).content.decode()
    assert f'hx-get="{reverse("job_progress", args=[run.pk])}"' in page
    assert reverse("membership:export_download", args=[run.pk]) not in page
    assert client.get(reverse("membership:export_download", args=[run.pk])).status_code == 404
    assert not Event.objects.filter(action=EXPORT_ACTION).exists()

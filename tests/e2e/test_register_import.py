"""A secretary imports the branch's Excel register in a real browser: one bad row, nothing written,
every bad cell listed; the corrected file then imports."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from membership.models import Member
from tests.conftest import PASSWORD
from tests.membership.test_imports import id_number, sheet_row, workbook_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))


def login(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_import_with_a_bad_row_writes_nothing_then_the_fixed_file_imports(page, live_server, tmp_path, alice,
                                                                          branch_a):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    good = sheet_row(branch_a, 1, 姓名="王建华")
    bad_id = id_number(2)[:-1] + ("0" if id_number(2)[-1] != "0" else "1")  # a wrong check character
    bad = sheet_row(branch_a, 2, 姓名="赵淑芬", 公民身份号码=bad_id)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(workbook_bytes([good, bad]))

    login(page, live_server, "alice")
    page.goto(live_server.url + reverse("membership:import"))
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state("networkidle")
    cells = page.locator("table tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "公民身份号码"  # sheet row 3: row 1 is the header
    assert page.locator("table tbody tr").count() == 1
    assert Member.objects.count() == 0
    page.screenshot(path=str(ARTIFACTS / "import-bad-row.png"), full_page=True)

    path.write_bytes(workbook_bytes([good, sheet_row(branch_a, 2, 姓名="赵淑芬")]))
    page.goto(live_server.url + reverse("membership:import"))
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state("networkidle")
    assert set(Member.objects.values_list("person__name", flat=True)) == {"王建华", "赵淑芬"}
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)

"""发展党员全程记实表 (seed 000 二(三)2): every step with its date, handler and signer, printable at any time."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpResponse

from partyadmin.documents import pdf_response, render_pdf
from partyadmin.workdays import china_today

from . import rules, selectors, services
from .models import RecruitmentFile

TEMPLATE = "recruitment/documents/record_sheet.html"


def record_sheet_context(file: RecruitmentFile) -> dict[str, Any]:
    person = file.person
    today = china_today()
    return {
        "title": "发展党员全程记实表",
        "issuer": file.organization.name,
        "file": file,
        "person": person,
        "age": rules.age_on(person.birth_date, today),
        "rows": selectors.step_rows(selectors.steps_of(file)),
        "contacts": [c.member.person.name for c in file.contact_persons.select_related("member__person")],
        "introducers": [i.member.person.name for i in file.introducers.select_related("member__person")],
        "printed_on": today,
    }


def record_sheet_pdf(file: RecruitmentFile) -> bytes:
    return render_pdf(TEMPLATE, record_sheet_context(file))


def record_sheet_response(*, file: RecruitmentFile, user: AbstractBaseUser) -> HttpResponse:
    services.record_printed(acting_user=user, file=file)
    return pdf_response(TEMPLATE, record_sheet_context(file), filename=f"发展党员全程记实表-{file.person.name}.pdf")

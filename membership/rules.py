"""Member-register rules as pure functions over plain values (no ORM, no I/O).

Each violation raises `RuleViolation(code, Chinese message, field=...)`; the field names are those
of the member form, so a form can show the message where it belongs.
"""

import re
from dataclasses import dataclass
from datetime import date

from partyadmin.errors import RuleViolation

MALE = "male"
FEMALE = "female"
FLOW_NONE = "none"
STATUS_PROBATIONARY = "probationary"
STATUS_FULL = "full"

# GB 11643-1999 公民身份号码: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for
# men, even for women), 1 check character computed over the first 17 digits (ISO 7064 MOD 11-2).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_EARLIEST_BIRTH = date(1900, 1, 1)

# Mainland mobile numbers, and landlines written with their area code (0371-12345678).
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_PHONE_SEPARATORS = re.compile(r"[\s()（）]")

# Names: Chinese characters, with the middle dot of transcribed minority names (阿依古丽·买买提).
_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·]{2,50}")


@dataclass(frozen=True)
class IdNumber:
    """A checked ID number and what it says about its holder."""

    number: str
    birth_date: date
    gender: str


def check_digit(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_id_number(value: str, *, today: date | None = None) -> IdNumber:
    """An 18-character ID number (GB 11643-1999): shape, birth date, check character.

    A lower-case x is accepted and normalized to X.
    """
    number = (value or "").strip().upper()
    if not _ID_SHAPE.fullmatch(number):
        raise RuleViolation("id_number.format", "公民身份号码应为18位：17位数字加1位数字或X。", field="id_number")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise RuleViolation(
            "id_number.birth_date", "公民身份号码中的出生日期不是有效日期。", field="id_number"
        ) from None
    if born < _EARLIEST_BIRTH or (today is not None and born > today):
        raise RuleViolation("id_number.birth_date", "公民身份号码中的出生日期不合理。", field="id_number")
    if check_digit(number[:17]) != number[17]:
        raise RuleViolation("id_number.checksum", "公民身份号码校验位不正确，请核对。", field="id_number")
    gender = MALE if int(number[16]) % 2 == 1 else FEMALE
    return IdNumber(number=number, birth_date=born, gender=gender)


def check_matches_id_number(id_number: IdNumber, *, birth_date: date | None, gender: str | None) -> None:
    """The birth date and gender entered must be those the ID number encodes."""
    if birth_date is not None and birth_date != id_number.birth_date:
        raise RuleViolation(
            "person.birth_date_mismatch",
            f"出生日期与公民身份号码不一致（身份证为 {id_number.birth_date:%Y-%m-%d}）。",
            field="birth_date",
        )
    if gender and gender != id_number.gender:
        label = "男" if id_number.gender == MALE else "女"
        raise RuleViolation("person.gender_mismatch", f"性别与公民身份号码不一致（身份证为{label}）。", field="gender")


def normalize_phone(value: str) -> str:
    """A mainland mobile number (11 digits) or a landline with area code; returns the normalized form."""
    phone = _PHONE_SEPARATORS.sub("", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if _MOBILE.fullmatch(phone):
        return phone
    if _LANDLINE.fullmatch(phone):
        return phone if "-" in phone else _split_landline(phone)
    raise RuleViolation(
        "phone.format", "联系电话应为11位手机号码（如 13812345678）或带区号的固定电话（如 0371-12345678）。",
        field="phone",
    )


def _split_landline(digits: str) -> str:
    # Three-digit area codes are 010 and 02x; all others have four digits.
    cut = 3 if digits[1] in "12" else 4
    return f"{digits[:cut]}-{digits[cut:]}"


def check_name(value: str) -> str:
    name = (value or "").strip()
    if not _NAME.fullmatch(name):
        raise RuleViolation("person.name", "姓名应为2个以上汉字（少数民族姓名可用“·”分隔）。", field="name")
    return name


def anniversary(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February falls on 28 February in a common year
    (《民法典》第二百零三条: a period with no corresponding day ends on the month's last day)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_joined_on(*, birth_date: date, joined_on: date, today: date) -> None:
    """党章第一条: "年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子……可以申请加入中国共产党"."""
    if joined_on > today:
        raise RuleViolation("member.joined_in_future", "入党日期不能晚于今天。", field="joined_on")
    if joined_on < anniversary(birth_date, 18):
        raise RuleViolation(
            "member.joined_under_18",
            "入党日期早于年满十八岁之日：党章规定年满十八岁方可申请入党。",
            field="joined_on",
        )


def check_full_on(*, status: str, joined_on: date, full_on: date | None, today: date) -> None:
    """党章第七条: "预备党员的预备期为一年" — a full member has a conversion date at least a year after joining."""
    if status == STATUS_FULL and full_on is None:
        raise RuleViolation("member.full_on_required", "正式党员须填写转正日期。", field="full_on")
    if status == STATUS_PROBATIONARY and full_on is not None:
        raise RuleViolation("member.full_on_for_probationary", "预备党员尚未转正，不应填写转正日期。", field="full_on")
    if full_on is None:
        return
    if full_on <= joined_on:
        raise RuleViolation("member.full_on_before_joined", "转正日期必须晚于入党日期。", field="full_on")
    if full_on < anniversary(joined_on, 1):
        raise RuleViolation(
            "member.probation_too_short", "转正日期距入党日期不足一年：预备党员的预备期为一年。", field="full_on"
        )
    if full_on > today:
        raise RuleViolation("member.full_on_in_future", "转正日期不能晚于今天。", field="full_on")


def check_flow(*, flow: str, flow_organization: str) -> None:
    """A floating member (流动党员) names the organization they flow to or from (seed 001)."""
    if flow != FLOW_NONE and not flow_organization.strip():
        raise RuleViolation(
            "member.flow_organization_required", "流动党员须填写流入或流出的党组织。", field="flow_organization"
        )


def check_exemption(*, is_exempt: bool, exempt_reason: str) -> None:
    """Seed 000: "年老体弱、长期患病、行动不便等有特殊情况的党员，经本人申请、党支部研究同意，可不参加"."""
    if is_exempt and not exempt_reason.strip():
        raise RuleViolation(
            "member.exempt_reason_required", "免于积分评星须写明原因（如年老体弱、长期患病）。", field="exempt_reason"
        )

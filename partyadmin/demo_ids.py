"""Synthetic resident ID numbers for the demo: checksum-valid (GB 11643) but in made-up area codes."""

from datetime import date

from membership.rules import check_digit

REGISTER_AREA = "410899"  # the member register's people (河南省焦作市 range, not a real county)
APPLICANT_AREA = "410898"  # people met in recruitment, kept apart from the register's numbers


def synthetic_id_number(birth: date, male: bool, serial: int, *, area: str = REGISTER_AREA) -> str:
    sequence = (serial % 499) * 2 + (1 if male else 2)  # odd = male, even = female
    first17 = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)

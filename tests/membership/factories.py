"""Synthetic people and members: valid Chinese names and valid (fictitious) ID numbers.

Factories write rows directly (no audit event); tests of the services call the services.
"""

from datetime import date, timedelta

import factory
from factory.django import DjangoModelFactory

from membership import rules
from membership.models import Gender, Member, MemberStatus, Person
from partyadmin.crypto import blind_index

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志宏海燕文斌鹏辉晓东春雪"
ADDRESS_CODE = "410802"  # 焦作市解放区: the address part of a synthetic ID number


def chinese_name(n: int) -> str:
    """A deterministic two- or three-character name."""
    surname = SURNAMES[n % len(SURNAMES)]
    first = GIVEN[(n * 7) % len(GIVEN)]
    if n % 3 == 0:
        return surname + first
    return surname + first + GIVEN[(n * 13 + 5) % len(GIVEN)]


def id_number_for(birth_date: date, gender: str, serial: int) -> str:
    """A GB 11643-1999 number with a correct check character; the sequence code's parity is the gender."""
    sequence = (serial % 499) * 2 + (1 if gender == Gender.MALE else 2)
    first17 = f"{ADDRESS_CODE}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + rules.check_digit(first17)


def birth_date_for(n: int) -> date:
    return date(1955, 1, 1) + timedelta(days=(n * 97) % 14000)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        serial = factory.Sequence(lambda n: n)

    name = factory.LazyAttribute(lambda o: chinese_name(o.serial))
    gender = factory.LazyAttribute(lambda o: Gender.MALE if o.serial % 2 else Gender.FEMALE)
    birth_date = factory.LazyAttribute(lambda o: birth_date_for(o.serial))
    id_number = factory.LazyAttribute(lambda o: id_number_for(o.birth_date, o.gender, o.serial))
    id_number_index = factory.LazyAttribute(lambda o: blind_index(o.id_number) if o.id_number else "")
    phone = factory.LazyAttribute(lambda o: f"138{o.serial:08d}")
    phone_index = factory.LazyAttribute(lambda o: blind_index(o.phone) if o.phone else "")
    address = factory.LazyAttribute(lambda o: f"河南省焦作市解放区民主路{o.serial + 1}号")


class MemberFactory(DjangoModelFactory):
    """`MemberFactory(organization=branch)`: a full member of that branch, joined at 30."""

    class Meta:
        model = Member

    organization = None  # required: the branch
    person = factory.SubFactory(PersonFactory, county=factory.SelfAttribute("..organization.county"))
    county = factory.SelfAttribute("organization.county")
    status = MemberStatus.FULL
    joined_on = factory.LazyAttribute(lambda o: o.person.birth_date.replace(year=o.person.birth_date.year + 30, day=1))
    full_on = factory.LazyAttribute(
        lambda o: o.joined_on.replace(year=o.joined_on.year + 1) if o.status == MemberStatus.FULL else None
    )
    category = factory.SelfAttribute("organization.domain")

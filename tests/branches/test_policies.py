"""Per-tenant policies: nearest setting up the tree wins, else the default."""

import pytest

from branches import services
from branches.policies import PUBLICITY_PERIOD, policy_value
from partyadmin.errors import RuleViolation

pytestmark = pytest.mark.django_db

SEVEN_DAYS = {"unit": "days", "count": 7}


def test_default_is_five_working_days(branch_a):
    """seed 000: "公示期限一般为5个工作日。" """
    assert policy_value(branch_a, PUBLICITY_PERIOD) == {"unit": "working_days", "count": 5}


def test_county_setting_applies_to_its_branches(county, branch_a):
    """seed 003 (a tenant variant): "公示时间不少于7天。" """
    services.policy_set(acting_user=None, organization=county, key=PUBLICITY_PERIOD, value=SEVEN_DAYS)
    assert policy_value(branch_a, PUBLICITY_PERIOD) == SEVEN_DAYS


def test_nearest_setting_wins(county, town, branch_a, branch_b):
    services.policy_set(acting_user=None, organization=county, key=PUBLICITY_PERIOD, value=SEVEN_DAYS)
    services.policy_set(acting_user=None, organization=branch_a, key=PUBLICITY_PERIOD,
                        value={"unit": "working_days", "count": 6})
    assert policy_value(branch_a, PUBLICITY_PERIOD)["count"] == 6
    assert policy_value(branch_b, PUBLICITY_PERIOD) == SEVEN_DAYS


def test_other_county_is_unaffected(county, other_county):
    services.policy_set(acting_user=None, organization=county, key=PUBLICITY_PERIOD, value=SEVEN_DAYS)
    assert policy_value(other_county, PUBLICITY_PERIOD)["unit"] == "working_days"


def test_invalid_value_is_refused_with_a_chinese_message(county):
    with pytest.raises(RuleViolation) as error:
        services.policy_set(acting_user=None, organization=county, key=PUBLICITY_PERIOD,
                            value={"unit": "weeks", "count": 1})
    assert "working_days" in error.value.message and error.value.code == "policy.invalid"


def test_setting_a_policy_is_audited(county):
    from audit.models import Event

    services.policy_set(acting_user=None, organization=county, key=PUBLICITY_PERIOD, value=SEVEN_DAYS)
    assert Event.objects.get(action="policy.set").changes == {PUBLICITY_PERIOD: [None, SEVEN_DAYS]}

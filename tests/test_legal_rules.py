"""Legal rules as dated data (core.rules): the rule in force on a date for a unit, the
refusal when none is, and the officer's list of every rule in force today."""
from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone, translation

from core.errors import RuleNotInForce
from core.models import LegalRule
from core.roles import CASE_OFFICER, UNIT_ADMIN
from core.rules import RULES, rule_in_force, rule_value, rules_declare
from tests import factories
from tests.tax_factories import defaults_ensure

pytestmark = pytest.mark.django_db
KEY = "test.fee"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def rule(value, start: str, end: str | None = None, unit=None, verified=True) -> LegalRule:
    return LegalRule.objects.create(
        key=KEY, value=value, unit=unit, valid_from=date.fromisoformat(start),
        valid_to=date.fromisoformat(end) if end else None, act="ustawa testowa",
        article="art. 1", journal="Dz.U. 2026 poz. 1", verified=verified)


# (case, asked on, expected value; None: refused)
PERIODS = [
    ("the first period's first day", "2025-01-01", "10"),
    ("the first period's last day (valid_to is inclusive)", "2025-12-31", "10"),
    ("the second period", "2026-07-01", "12"),
    ("before any rule: refused, never the earliest figure", "2024-12-31", None),
    ("after the last period ended: refused, never the last figure", "2027-01-01", None),
]


@pytest.mark.parametrize("case, on, value", PERIODS, ids=[p[0] for p in PERIODS])
def test_the_rule_in_force_on_a_date(case, on, value):
    rule("10", "2025-01-01", "2025-12-31")
    rule("12", "2026-01-01", "2026-12-31")

    if value is None:
        with pytest.raises(RuleNotInForce) as refused:
            rule_value(key=KEY, on=date.fromisoformat(on))
        assert refused.value.detail == {"rule": KEY, "date": on, "unit": ""}, case
    else:
        assert rule_value(key=KEY, on=date.fromisoformat(on)) == value, case


def test_a_units_own_rule_wins_and_other_units_inherit_the_national_one():
    unit = factories.unit()
    other = factories.unit("026201_1", "Bolesławiec")
    rule("10", "2025-01-01")
    rule("4", "2025-01-01", unit=unit)

    assert rule_value(key=KEY, on=date(2025, 6, 1), unit=unit) == "4"
    assert rule_value(key=KEY, on=date(2025, 6, 1), unit=other) == "10"
    assert rule_in_force(key=KEY, on=date(2025, 6, 1)).source == (
        "ustawa testowa, art. 1, Dz.U. 2026 poz. 1")


def test_the_refusal_names_the_rule_the_date_and_the_unit_for_the_officer():
    rules_declare("test", {KEY: "test fee [zł]"})
    unit = factories.unit()

    with translation.override("en"), pytest.raises(RuleNotInForce) as refused:
        rule_value(key=KEY, on=date(2027, 1, 1), unit=unit)

    assert str(refused.value.message).startswith(
        "No rule “test fee [zł]” is entered in force on 2027-01-01 for Legnica (026101_1).")
    assert refused.value.status == 409
    RULES.pop(KEY)


def _in_force_page(client):
    return client.get("/admin/core/legalrule/in-force/")


def test_the_officer_lists_every_rule_in_force_today_with_its_source_and_verified_flag(client):
    # given the seeded tax rules and one unverified rule of the unit
    defaults_ensure()
    unit = factories.unit()
    today = timezone.localdate()
    rule("7", today.replace(month=1, day=1).isoformat(), unit=unit, verified=False)
    client.force_login(factories.staff(unit, CASE_OFFICER, "urzednik"))

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _in_force_page(client)

    assert response.status_code == 200
    rows = response.context["rows"]
    mine = [r for r in rows if r.name == KEY]
    assert [(r.value, r.verified, r.source) for r in mine] == [
        ("7", False, "ustawa testowa, art. 1, Dz.U. 2026 poz. 1")]
    # the national tables are there with their sources, the year's tax rates too
    names = {r.name for r in rows}
    assert {"soil classes exempt from the agricultural tax",
            "land use (OFU) → tax and conversion group"} <= names
    assert any(r.area == "tax" and r.valid_from == date(today.year, 1, 1) for r in rows
               if "usable floor area" in r.name)
    assert response.context["unverified"] == sum(1 for r in rows if not r.verified) > 0
    assert b"NOT VERIFIED" in response.content


def test_another_units_staff_does_not_see_a_units_own_rule(client):
    defaults_ensure()
    unit = factories.unit()
    other = factories.unit("026201_1", "Bolesławiec")
    rule("7", "2020-01-01", unit=unit)
    client.force_login(factories.staff(other, CASE_OFFICER, "obcy"))

    response = _in_force_page(client)

    assert response.status_code == 200
    assert not [r for r in response.context["rows"] if r.name == KEY]


@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_the_list_is_closed_to_anonymous_users_and_residents(client, who):
    if who == "resident":
        client.force_login(factories.user("mieszkaniec"))

    response = _in_force_page(client)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_unit_administrator_changes_the_units_rule_but_not_the_national_one(client):
    unit = factories.unit()
    national = rule("10", "2025-01-01")
    own = rule("4", "2025-01-01", unit=unit)
    client.force_login(factories.staff(unit, UNIT_ADMIN, "adminjst"))

    assert client.get(f"/admin/core/legalrule/{national.pk}/change/").status_code == 200
    data = {"key": "tax.rye_price", "value": '"50.00"', "unit": unit.pk,
            "valid_from": "2025-01-01", "valid_to": "", "act": "uchwała rady gminy",
            "article": "§ 1", "journal": "Dz.Urz. Woj. 2024 poz. 1", "verified": "on",
            "note": ""}
    denied = client.post(f"/admin/core/legalrule/{national.pk}/change/",
                         {**data, "unit": ""})
    changed = client.post(f"/admin/core/legalrule/{own.pk}/change/", data)

    assert denied.status_code in (200, 403)
    national.refresh_from_db()
    assert (national.key, national.value) == (KEY, "10")
    assert changed.status_code == 302
    own.refresh_from_db()
    assert (own.key, own.value, own.act) == ("tax.rye_price", "50.00", "uchwała rady gminy")

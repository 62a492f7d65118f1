"""The rules that were constants, as dated and sourced rows: public holidays (deadlines),
conversion hectare factors and finding severity (reconciliation), the WZ decision terms by
project type, and the in-force list naming what is not entered. Each case cites its source.
"""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from cadastre_sync.models import ConversionFactor, LandUsePiece, TaxFinding
from cadastre_sync.tax import rules as tax_rules
from cadastre_sync.tax.reconcile import finding_severity, reconcile
from core.errors import InvalidInput, RuleNotInForce
from core.models import AdministrativeUnit, LegalRule
from core.rules import rules_in_force
from permits import deadlines, legal
from permits.wz.forms import WzForm
from permits.wz.models import WzApplication
from tests import factories
from tests.permits_factories import tree_rules_ensure
from tests.tax_factories import box_parcel, tax_unit

pytestmark = pytest.mark.django_db

# (case and its source, day, a public holiday?)
HOLIDAYS = [
    ("24 December 2025: free from 2025 (ustawa o dniach wolnych od pracy art. 1 pkt 1 lit. "
     "ka, Dz.U. 2020 poz. 1920 t.j. as amended by the act of 6 December 2024)",
     date(2025, 12, 24), True),
    ("24 December 2024: not yet free (the amendment applies from 2025)",
     date(2024, 12, 24), False),
    ("6 January (art. 1 pkt 1 lit. b)", date(2026, 1, 6), True),
    ("Easter Monday 2026, 6 April (art. 1 pkt 1 lit. d)", date(2026, 4, 6), True),
    ("Corpus Christi 2026, 4 June: Easter + 60 days (art. 1 pkt 1 lit. h)",
     date(2026, 6, 4), True),
    ("15 August (art. 1 pkt 1 lit. i)", date(2026, 8, 15), True),
    ("11 November (art. 1 pkt 1 lit. k)", date(2026, 11, 11), True),
    ("31 December is a working day (not in art. 1)", date(2026, 12, 31), False),
    ("Good Friday is a working day (not in art. 1)", date(2026, 4, 3), False),
]


@pytest.mark.parametrize("case, day, holiday", HOLIDAYS, ids=[h[0][:40] for h in HOLIDAYS])
def test_public_holidays_come_from_the_dated_rule(case, day, holiday):
    tree_rules_ensure()
    assert (day in deadlines.public_holidays(day.year)) is holiday, case


def test_a_change_of_the_holidays_act_is_a_new_row_from_its_day():
    """A term ending on a day the act makes free from 2027 moves to the next working day
    (KPA art. 57 § 4), while the same day in 2026 stays a working day."""
    tree_rules_ensure()
    current = LegalRule.objects.get(key=legal.PUBLIC_HOLIDAYS, unit=None,
                                     valid_from=date(2025, 1, 1))
    LegalRule.objects.filter(pk=current.pk).update(valid_to=date(2026, 12, 31))
    LegalRule.objects.create(
        key=legal.PUBLIC_HOLIDAYS, valid_from=date(2027, 1, 1), act=current.act,
        article="art. 1 pkt 1", value={**current.value,
                                       "fixed": [*current.value["fixed"], "08-02"]})

    assert deadlines.term_end(date(2026, 7, 27), 7) == date(2026, 8, 3)  # a Monday
    assert deadlines.term_end(date(2027, 7, 26), 7) == date(2027, 8, 3)  # Monday 2nd free


def test_a_day_no_holiday_rule_covers_is_refused_naming_the_rule():
    tree_rules_ensure()
    with pytest.raises(RuleNotInForce) as refused:
        deadlines.term_end(date(2009, 3, 2), 7)
    assert refused.value.detail["rule"] == legal.PUBLIC_HOLIDAYS
    assert refused.value.detail["date"].startswith("2009-03")


# WZ terms by the application's project type (planning act art. 64 ust. 1 pkt 1).
WZ_TERMS = [
    ("detached single-family house up to 2 storeys and 70 m² for own needs: 21 days "
     "(u.p.z.p. art. 64 ust. 1 pkt 1)", WzApplication.HOUSE_OWN_NEEDS, 21),
    ("agricultural biogas plant: 65 days (u.p.z.p. art. 64 ust. 1 pkt 1)",
     WzApplication.AGRICULTURAL_BIOGAS, 65),
    ("another development: 90 days (u.p.z.p. art. 64 ust. 1 pkt 1)",
     WzApplication.OTHER_PROJECT, 90),
    ("an application filed before the type was asked: 90 days", None, 90),
]


@pytest.mark.parametrize("case, project, days", WZ_TERMS, ids=[t[0][:40] for t in WZ_TERMS])
def test_the_wz_decision_term_follows_the_project_type(case, project, days):
    tree_rules_ensure()
    payload = {"project_type": project} if project else {}

    rule = deadlines.rule_for(unit=factories.unit(), kind_code="wz", procedure="",
                              state="registered", on=date(2026, 12, 7), payload=payload)

    assert (rule.days, rule.counted_from) == (days, "submitted"), case
    assert "art. 64 ust. 1 pkt 1" in rule.source


@pytest.mark.parametrize(("changes", "wrong"), [
    ({"storeys": 3}, "more than 2 storeys"),
    ({"built_up_area_m2": "95"}, "built-up area over 70 m²"),
    ({"function": "services"}, "not single-family housing"),
    ({"buildings": 2}, "more than one building"),
])
def test_the_21_day_term_is_refused_for_a_development_that_does_not_fit(changes, wrong):
    """Art. 64 ust. 1 pkt 1: only a detached single-family house of up to 2 storeys and
    70 m² built-up area qualifies; the form names what does not fit."""
    data = {"project_type": WzApplication.HOUSE_OWN_NEEDS, "function": "single_family",
            "description": "dom", "buildings": 1, "height_m": "8", "storeys": 2,
            "built_up_area_m2": "68", "water": "network", "sewage": "network",
            "road_access": "direct", "applicant_name": "Jan Kowalski",
            "applicant_address": "ul. Piastowska 2", "site_geometry": "POINT(0 0)", **changes}

    with translation.override("en"):
        form = WzForm(data)
        form.is_valid()

    assert wrong in " ".join(form.errors.get("project_type", []))


# Reconciliation: a parcel of internal road (dr, other land) of 0.09 ha pays 900 m² × 0.73 =
# 657 zł in 2025 (UPOL art. 5 ust. 1 pkt 1 lit. c, the 2025 maximum).
def _untaxed_road():
    parcel = box_parcel("1", factories.ORIGIN[0])
    LandUsePiece.objects.create(parcel=parcel, ofu="dr", area_ha=Decimal("0.0900"))
    return parcel


@pytest.mark.parametrize(("own_row", "severity"), [
    (None, "high"),  # the product's default: 500 zł a year or more is high
    ({"high_from": "1000", "medium_from": "100"}, "medium"),
    ({"high_from": "5000", "medium_from": "1000"}, "low"),
])
def test_finding_severity_follows_the_rule_in_force_for_the_unit(own_row, severity):
    unit = tax_unit()
    _untaxed_road()
    if own_row:
        LegalRule.objects.create(key=tax_rules.FINDING_SEVERITY_RULE, unit=unit,
                                 valid_from=date(2024, 1, 1), act="zarządzenie wójta",
                                 value={**tax_rules.FINDING_SEVERITY, **own_row})

    reconcile(unit=unit, year=2025)

    found = TaxFinding.objects.get(unit=unit, category="parcel_untaxed")
    assert (found.estimate, found.severity) == (Decimal("657.00"), severity)


def test_a_severity_row_that_makes_no_sense_is_refused_naming_the_rule():
    unit = tax_unit()
    LegalRule.objects.create(key=tax_rules.FINDING_SEVERITY_RULE, unit=unit,
                             valid_from=date(2024, 1, 1), act="zarządzenie",
                             value={"high_from": "10", "medium_from": "50", "fixed": {}})
    with pytest.raises(InvalidInput) as refused:
        finding_severity(unit, date(2026, 12, 7))
    assert refused.value.detail["rule"] == tax_rules.FINDING_SEVERITY_RULE


def test_conversion_factors_are_taken_from_the_table_in_force_in_the_tax_year():
    """Podatek rolny art. 4 ust. 1: a farm of R IIIa in district II pays 2.5 q of rye per
    conversion ha; a changed table from 2026 (here 1.20 instead of 1.50) applies to 2026
    only, and a year no table covers refuses."""
    unit = tax_unit()
    parcel = box_parcel("1", factories.ORIGIN[0])
    LandUsePiece.objects.create(parcel=parcel, ofu="R", ozu="R", ozk="IIIa",
                                area_ha=Decimal("2.0000"))
    # the 2026 wood price was not found when the rules were seeded: the office enters one
    LegalRule.objects.create(key=tax_rules.WOOD_PRICE, value="280.00", act="test entry",
                             valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    ConversionFactor.objects.filter(valid_to__isnull=True).update(valid_to=date(2025, 12, 31))
    ConversionFactor.objects.create(land_group="arable", soil_class="IIIa", district=2,
                                    factor=Decimal("1.20"), valid_from=date(2026, 1, 1),
                                    act="ustawa o podatku rolnym", article="art. 4 ust. 1")

    def estimate(year: int) -> Decimal:
        reconcile(unit=unit, year=year)
        return TaxFinding.objects.get(unit=unit, category="parcel_untaxed").estimate

    assert estimate(2025) == (Decimal("2") * Decimal("1.50") * Decimal("2.5")
                              * Decimal("86.34")).quantize(Decimal("0.01"))
    assert estimate(2026) == (Decimal("2") * Decimal("1.20") * Decimal("2.5")
                              * Decimal("66.42")).quantize(Decimal("0.01"))
    ConversionFactor.objects.filter(valid_from=date(2026, 1, 1)).update(
        valid_to=date(2026, 12, 31))
    ConversionFactor.objects.filter(valid_to=date(2025, 12, 31), district=2).delete()
    with pytest.raises(RuleNotInForce) as refused:
        reconcile(unit=unit, year=2025)
    assert refused.value.detail["rule"] == "conversion_factors"


def test_the_in_force_list_names_what_is_not_entered_as_not_verified():
    """On 7 December 2026 the 2026 wood price (komunikat Prezesa GUS, October 2025) and the
    2027 maxima (obwieszczenie MF, 2026) were not found: listed as not entered, unverified."""
    tax_unit()
    tree_rules_ensure()
    with translation.override("en"):
        rows = rules_in_force(on=date(2026, 12, 7), units=AdministrativeUnit.objects.all())

    missing = {r.name: r for r in rows if r.value == "not entered"}
    wood = [r for name, r in missing.items() if "wood" in name]
    maxima = [r for name, r in missing.items() if "2027" in name]
    assert wood and maxima and not any(r.verified for r in missing.values())
    holidays = [r for r in rows if r.admin_url.startswith("/admin/core/legalrule/")
                and "12-24" in r.value]
    assert holidays and holidays[0].verified and "Dz.U. 2020 poz. 1920" in holidays[0].source


# (rule, in force on, what its source must name, verified)
SOURCES = [
    (legal.PUBLIC_HOLIDAYS, date(2026, 12, 7), "Dz.U. 2020 poz. 1920", True),
    (legal.PUBLIC_HOLIDAYS, date(2020, 1, 6), "Dz.U. 1951 nr 4 poz. 28", True),
    (legal.DECISION_MONTHS, date(2026, 12, 7), "art. 35 § 3", True),
    (legal.WZ_TERM_HOUSE_DAYS, date(2026, 12, 7), "art. 64 ust. 1 pkt 1", True),
    (tax_rules.KST_TAX_RULE, date(2026, 12, 7), "Dz.U. 2024 poz. 1757", False),
    (tax_rules.FINDING_SEVERITY_RULE, date(2026, 12, 7), "no statute", True),
]


@pytest.mark.parametrize("key, on, cites, verified", SOURCES, ids=[s[0] for s in SOURCES])
def test_each_rule_row_names_its_source(key, on, cites, verified):
    """The officer sees the act, article and journal position of each rule, and whether it
    was read in the act; the KŚT table stays unverified (the product's reading)."""
    tree_rules_ensure()
    tax_unit()
    row = LegalRule.objects.get(key=key, unit=None, valid_from__lte=on,
                                valid_to__gte=on) if key == legal.PUBLIC_HOLIDAYS and \
        on.year < 2025 else LegalRule.objects.filter(key=key, unit=None,
                                                     valid_from__lte=on).latest("valid_from")

    assert cites in row.source, row.source
    assert row.verified is verified


@pytest.mark.parametrize("value", [{"fixed": ["13-40"], "easter": []}, {"fixed": ["01-01"]},
                                   {"fixed": "01-01", "easter": ["x"]}])
def test_a_holiday_row_an_administrator_got_wrong_is_refused_naming_it(value):
    tree_rules_ensure()
    LegalRule.objects.filter(key=legal.PUBLIC_HOLIDAYS, valid_from=date(2025, 1, 1)).update(
        value=value)

    with pytest.raises(InvalidInput) as refused:
        deadlines.term_end(date(2026, 3, 2), 7)

    assert refused.value.detail == {"rule": legal.PUBLIC_HOLIDAYS, "valid_from": "2025-01-01"}

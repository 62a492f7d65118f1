"""Tax rules as dated data: each corrected case, by the statute it comes from.

Each case puts one untaxed parcel in an empty gmina (tax district II) and reads the tax
the run expects for it from the parcel-without-a-tax-object finding; exempt land gives
no finding at all.
"""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import translation

from cadastre_sync.models import (
    LandUsePiece,
    ReconciliationRun,
    RegisterUnit,
    TaxFinding,
    TaxRate,
)
from cadastre_sync.tax import rules
from cadastre_sync.tax.reconcile import rates_for, reconcile
from cadastre_sync.tax.services import reconciliation_submit
from core.errors import RuleNotInForce
from core.models import LegalRule
from tests import factories
from tests.tax_factories import box_parcel, tax_unit

pytestmark = pytest.mark.django_db

RYE_2025, RYE_2026 = Decimal("86.34"), Decimal("66.42")
OTHER_LAND_2025, OTHER_LAND_2026 = Decimal("0.73"), Decimal("0.77")
CENT = Decimal("0.01")


def zl(amount: Decimal) -> Decimal:
    """Rounded to the grosz as the database rounds (half up)."""
    return amount.quantize(CENT, ROUND_HALF_UP)


def pieces(parcel, *rows, register_unit=None) -> None:
    """rows: (OFU, OZU, OZK, area in ha)."""
    for ofu, ozu, ozk, area in rows:
        LandUsePiece.objects.create(parcel=parcel, ofu=ofu, ozu=ozu, ozk=ozk,
                                    area_ha=Decimal(area))
    if register_unit is not None:
        type(parcel).objects.filter(pk=parcel.pk).update(register_unit=register_unit)


def expected_tax(unit, year: int) -> dict[str, Decimal]:
    reconcile(unit=unit, year=year)
    return {f.parcel_ref: f.estimate for f in TaxFinding.objects.filter(
        unit=unit, category="parcel_untaxed")}


# (case and its source, land-use pieces, tax expected for 2025; None: exempt, no finding)
CASES = [
    ("farm over 1 ha pays 2.5 q of rye per conversion ha (podatek rolny art. 2 ust. 1, "
     "art. 4 ust. 1; R IIIa district II factor 1.50)",
     [("R", "R", "IIIa", "1.2000")], Decimal("1.2") * Decimal("1.50") * Decimal("2.5") * RYE_2025),
    ("agricultural plot of 1 ha or less pays 5 q of rye per physical ha "
     "(podatek rolny art. 2 ust. 1 a contrario, art. 4 ust. 1)",
     [("R", "R", "IIIa", "0.5000")], Decimal("0.5") * 5 * RYE_2025),
    ("farm by conversion ha only: 0.8 ha of R I (factor 1.80) is 1.44 conversion ha "
     "(podatek rolny art. 2 ust. 1)",
     [("R", "R", "I", "0.8000")], Decimal("0.8") * Decimal("1.80") * Decimal("2.5") * RYE_2025),
    ("class VI arable land is exempt (podatek rolny art. 12 ust. 1 pkt 1)",
     [("R", "R", "VI", "2.0000")], None),
    ("class V meadow is exempt (podatek rolny art. 12 ust. 1 pkt 1)",
     [("Ł", "Ł", "V", "2.0000")], None),
    ("class VIz is a valid class and exempt (podatek rolny art. 12 ust. 1 pkt 1)",
     [("Ps", "Ps", "VIz", "2.0000")], None),
    ("Lz wooded and bushy land is exempt unless used for business (UPOL art. 7 ust. 1 pkt 10)",
     [("Lz", "", "", "0.0900")], None),
    ("nieużytki are exempt unless used for business (UPOL art. 7 ust. 1 pkt 10)",
     [("N", "", "", "0.0900")], None),
    ("dr internal roads are other land (UPOL art. 5 ust. 1 pkt 1 lit. c)",
     [("dr", "", "", "0.0900")], Decimal("900") * OTHER_LAND_2025),
    ("Br on meadow III takes the grassland III factor 1.15 of district II, not arable "
     "IIIa 1.50 (podatek rolny art. 4)",
     [("Br", "Ł", "III", "1.2000")], Decimal("1.2") * Decimal("1.15") * Decimal("2.5") * RYE_2025),
    ("S orchard on pasture IV takes the grassland IV factor 0.70 (podatek rolny art. 4)",
     [("S", "Ps", "IV", "2.0000")], Decimal("2.0") * Decimal("0.70") * Decimal("2.5") * RYE_2025),
    ("the exempt class counts toward the farm but pays nothing (podatek rolny art. 2 ust. 1, "
     "art. 12 ust. 1 pkt 1): 0.8 ha of R IIIa with 0.5 ha of R VI is a farm",
     [("R", "R", "IIIa", "0.8000"), ("R", "R", "VI", "0.5000")],
     Decimal("0.8") * Decimal("1.50") * Decimal("2.5") * RYE_2025),
]


@pytest.mark.parametrize("case, rows, tax", CASES, ids=[c[0][:60] for c in CASES])
def test_tax_expected_by_the_cadastre(case, rows, tax):
    unit = tax_unit()
    parcel = box_parcel("60", factories.ORIGIN[0])
    pieces(parcel, *rows)

    found = expected_tax(unit, 2025)

    assert found == ({} if tax is None else {parcel.parcel_id: zl(tax)}), case


def test_a_farm_is_the_register_units_land_together_podatek_rolny_art_2_ust_1():
    """Two plots of 0.6 ha in one register unit make a 1.2 ha farm: both pay per
    conversion hectare, not per physical hectare."""
    unit = tax_unit()
    ru = RegisterUnit.objects.create(unit=unit, register_id="G-FARM", group=7)
    first = box_parcel("61", factories.ORIGIN[0])
    second = box_parcel("62", factories.ORIGIN[0] + 100)
    for parcel in (first, second):
        pieces(parcel, ("R", "R", "IIIa", "0.6000"), register_unit=ru)

    found = expected_tax(unit, 2025)

    each = zl(Decimal("0.6") * Decimal("1.50") * Decimal("2.5") * RYE_2025)
    assert found == {first.parcel_id: each, second.parcel_id: each}


def _price_entered(key: str, year: int, value: str, unit=None) -> None:
    LegalRule.objects.create(key=key, unit=unit, value=value, valid_from=date(year, 1, 1),
                             valid_to=date(year, 12, 31), act="test entry", verified=True)


def test_a_2026_run_uses_the_2026_maxima_and_rye_price_obwieszczenie_mfig_2026():
    """2026: other land 0.77 zł/m², rye 66.42 zł/q (komunikat GUS 17.10.2025); the wood
    price of 2026 is entered by the office (it was not found when the rules were seeded)."""
    unit = tax_unit()
    _price_entered(rules.WOOD_PRICE, 2026, "280.00")
    road = box_parcel("63", factories.ORIGIN[0])
    pieces(road, ("dr", "", "", "0.0900"))
    plot = box_parcel("64", factories.ORIGIN[0] + 100)
    pieces(plot, ("R", "R", "IIIa", "0.5000"))

    found = expected_tax(unit, 2026)

    assert found == {road.parcel_id: zl(Decimal("900") * OTHER_LAND_2026),
                     plot.parcel_id: zl(Decimal("0.5") * 5 * RYE_2026)}
    assert rates_for(unit, 2026)["forest"] == Decimal("280.00") * Decimal("0.220")


def test_a_2026_run_without_the_2026_wood_price_refuses_and_names_it():
    unit = tax_unit()

    with translation.override("en"), pytest.raises(RuleNotInForce) as refused:
        reconciliation_submit(unit=unit, year=2026)

    assert "2026-01-01" in str(refused.value.message)
    assert refused.value.detail["rule"] == rules.WOOD_PRICE
    assert not ReconciliationRun.objects.filter(unit=unit).exists()


def test_a_year_with_no_rates_refuses_with_a_clear_message_and_runs_nothing():
    """The 2027 maxima (obwieszczenie MF for 2027) were not found: a 2027 run must say so,
    never tax at the 2026 rates."""
    unit = tax_unit()

    with translation.override("en"), pytest.raises(RuleNotInForce) as refused:
        reconciliation_submit(unit=unit, year=2027)

    message = str(refused.value.message)
    assert message.startswith("No 2027 tax rates are entered for: land used for business")
    assert refused.value.detail["year"] == 2027
    assert not ReconciliationRun.objects.filter(unit=unit).exists()


def test_the_councils_lower_rye_price_wins_over_the_national_podatek_rolny_art_6_ust_3():
    unit = tax_unit()
    _price_entered(rules.RYE_PRICE, 2025, "50.00", unit=unit)
    other = factories.unit("026102_2", "Other")

    assert rates_for(unit, 2025)["agricultural"] == Decimal("125.0000")
    assert rates_for(unit, 2025)["agricultural_other"] == Decimal("250.00")
    assert rates_for(other, 2025)["agricultural"] == Decimal("2.5") * RYE_2025


# (year, rate key, statutory maximum, source)
MAXIMA = [
    (2025, "land_water", "6.84", "obwieszczenie MF 2025 (UPOL art. 5 ust. 1 pkt 1 lit. b)"),
    (2025, "land_other", "0.73", "obwieszczenie MF 2025 (UPOL art. 5 ust. 1 pkt 1 lit. c)"),
    (2025, "land_business", "1.38", "obwieszczenie MF 2025 (UPOL art. 5 ust. 1 pkt 1 lit. a)"),
    (2025, "building_residential", "1.19", "obwieszczenie MF 2025 (art. 5 ust. 1 pkt 2 a)"),
    (2025, "building_business", "34.00", "obwieszczenie MF 2025 (art. 5 ust. 1 pkt 2 b)"),
    (2026, "land_business", "1.45", "obwieszczenie MFiG 1.08.2025 for 2026"),
    (2026, "land_water", "7.15", "obwieszczenie MFiG 1.08.2025 for 2026"),
    (2026, "land_other", "0.77", "obwieszczenie MFiG 1.08.2025 for 2026"),
    (2026, "building_residential", "1.25", "obwieszczenie MFiG 1.08.2025 for 2026"),
    (2026, "building_business", "35.53", "obwieszczenie MFiG 1.08.2025 for 2026"),
]


@pytest.mark.parametrize("year, key, maximum, source", MAXIMA,
                         ids=[f"{m[0]}-{m[1]}" for m in MAXIMA])
def test_the_seeded_statutory_maxima(year, key, maximum, source):
    tax_unit()

    row = TaxRate.objects.get(unit=None, year=year, key=key)
    assert row.rate == Decimal(maximum), source
    assert row.source.startswith("obwieszczenie")


def test_agricultural_and_forest_rates_follow_the_years_prices():
    """2025: 2.5 q x 86.34 = 215.85 per conversion ha, 5 q = 431.70 per ha (M.P. 2024
    poz. 891); forest 0.220 m³ x 277.35 = 61.017 per ha (podatek leśny art. 4 ust. 1)."""
    tax_unit()

    rates = rates_for(None, 2025)

    assert (rates["agricultural"], rates["agricultural_other"], rates["forest"]) == (
        Decimal("215.850"), Decimal("431.70"), Decimal("61.01700"))

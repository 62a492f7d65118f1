"""Tree removal rules as tables: verdict (nothing / notification / permit) and the fee."""
from decimal import Decimal

import pytest
from django.utils import translation

from permits.trees.rules import (
    NOTHING,
    NOTIFICATION,
    PERMIT,
    Holder,
    Rate,
    ShrubIn,
    SpeciesInfo,
    TreeIn,
    assess,
    effective_circumference,
)

# The regulation's rates (Dz.U. 2017 poz. 1330), as the seed migration writes them.
RATES = [Rate("tree", g, b, Decimal(r)) for g, b, r in [
    ("A", 0, "12"), ("A", 101, "15"), ("B", 0, "25"), ("B", 101, "30"),
    ("C", 0, "55"), ("C", 101, "70"), ("D", 0, "170"), ("D", 101, "210")]] + [
    Rate("shrub", "invasive", 0, Decimal(10)), Rate("shrub", "other", 0, Decimal(40)),
    Rate("shrub", "other", 101, Decimal(50))]

POPLAR = SpeciesInfo("poplar", "A", "other", 80)
CHESTNUT = SpeciesInfo("horse chestnut", "A", "other", 65)
LIME = SpeciesInfo("lime", "B", "other", 50)
OAK = SpeciesInfo("pedunculate oak", "C", "other", 50)
YEW = SpeciesInfo("yew", "D", "other", 50)
LILAC = SpeciesInfo("lilac", "D", "other", 50)
ROSA = SpeciesInfo("Japanese rose", "D", "invasive", 50)

BUSINESS = Holder(natural_person=False, own_land=True, business=True)
PRIVATE = Holder(natural_person=True, own_land=True, business=False)
TENANT = Holder(natural_person=True, own_land=False, business=False)


@pytest.mark.parametrize(("species", "c5", "holder", "verdict"), [
    (POPLAR, 80, PRIVATE, NOTHING),  # threshold 80: not above
    (POPLAR, 81, PRIVATE, NOTIFICATION),
    (CHESTNUT, 65, PRIVATE, NOTHING),  # threshold 65
    (CHESTNUT, 66, PRIVATE, NOTIFICATION),
    (LIME, 50, PRIVATE, NOTHING),  # other species: 50
    (LIME, 51, PRIVATE, NOTIFICATION),
    (LIME, 51, BUSINESS, PERMIT),
    (LIME, 51, TENANT, PERMIT),  # not own land: a permit
    (LIME, 50, BUSINESS, NOTHING),  # below the threshold nobody needs anything
    (POPLAR, 79, BUSINESS, NOTHING),
])
def test_tree_verdict_by_threshold_at_5_cm(species, c5, holder, verdict):
    # given one tree; when assessed; then the verdict follows the species' threshold
    result = assess([TreeIn(species, c5, [c5 - 10])], [], holder, RATES)
    assert result.verdict == verdict


@pytest.mark.parametrize(("species", "stems", "fee"), [
    (POPLAR, [100], Decimal("1200.00")),  # group A, band ≤100: 100 × 12
    (POPLAR, [101], Decimal("1515.00")),  # group A, band ≥101: 101 × 15
    (LIME, [100], Decimal("2500.00")),  # B: 25
    (LIME, [150], Decimal("4500.00")),  # B: 150 × 30
    (OAK, [60], Decimal("3300.00")),  # C: 60 × 55
    (OAK, [200], Decimal("14000.00")),  # C: 200 × 70
    (YEW, [40], Decimal("6800.00")),  # other species: 40 × 170
    (YEW, [120], Decimal("25200.00")),  # other: 120 × 210
    # multi-stem: the largest plus half of each other: 80 + 40/2 + 30/2 = 115 → band ≥101
    (LIME, [40, 80, 30], Decimal("3450.00")),
    (OAK, [60, 20], Decimal("3850.00")),  # 60 + 10 = 70 × 55
])
def test_permit_fee_by_group_band_and_stems(species, stems, fee):
    result = assess([TreeIn(species, 200, stems)], [], BUSINESS, RATES)
    assert (result.verdict, result.fee) == (PERMIT, fee)


def test_multi_stem_circumference_is_largest_plus_half_of_others():
    assert effective_circumference([40, 80, 30]) == Decimal("115")
    assert effective_circumference([]) == Decimal(0)


@pytest.mark.parametrize(("species", "area", "holder", "verdict", "fee"), [
    (LILAC, Decimal("25"), BUSINESS, NOTHING, Decimal(0)),  # up to 25 m²: no permit
    (LILAC, Decimal("30"), BUSINESS, PERMIT, Decimal("1200.00")),  # 30 × 40
    (LILAC, Decimal("120"), BUSINESS, PERMIT, Decimal("6000.00")),  # ≥101 m²: 120 × 50
    (ROSA, Decimal("40"), BUSINESS, PERMIT, Decimal("400.00")),  # invasive: 40 × 10
    (LILAC, Decimal("300"), PRIVATE, NOTHING, Decimal(0)),  # own land, no business
])
def test_shrubs(species, area, holder, verdict, fee):
    result = assess([], [ShrubIn(species, area)], holder, RATES)
    assert (result.verdict, result.fee) == (verdict, fee)


def test_notification_has_no_fee_and_explains_why():
    with translation.override("en"):
        result = assess([TreeIn(LIME, 51, [40])], [], PRIVATE, RATES)
    assert (result.verdict, result.fee) == (NOTIFICATION, Decimal(0))
    assert result.lines == ("Tree 1 (lime): 51 cm at 5 cm is above 50 cm, a notification is "
                            "needed (no fee).",)


def test_fee_explanation_shows_the_computation():
    with translation.override("en"):
        result = assess([TreeIn(LIME, 200, [80, 40, 30])], [], BUSINESS, RATES)
    assert result.lines == ("Tree 1 (lime, group B): 80 + 40/2 + 30/2 = 115 cm × 30.00 zł/cm = "
                            "3450.00 zł",)
    with translation.override("pl"):
        polish = assess([TreeIn(LIME, 200, [80, 41])], [], BUSINESS, RATES)
    assert polish.lines == ("Drzewo 1 (lime, grupa B): 80 + 41/2 = 100,5 cm × 25,00 zł/cm = "
                            "2512,50 zł",)


def test_the_strictest_verdict_wins():
    trees = [TreeIn(LIME, 30, [20]), TreeIn(LIME, 120, [100])]
    assert assess(trees, [], BUSINESS, RATES).verdict == PERMIT
    assert assess([], [], BUSINESS, RATES).verdict == NOTHING


def test_a_units_own_rates_replace_the_regulations_for_that_group(db):
    from permits.trees.models import FeeRate
    from permits.trees.services import rates_for
    from tests import factories

    unit = factories.unit()
    FeeRate.objects.create(unit=unit, subject="tree", group="B", band_from=0, rate=Decimal(5))
    rates = rates_for(unit)
    b = [r for r in rates if r.group == "B"]
    assert [(r.band_from, r.rate) for r in b] == [(0, Decimal("5.00"))]
    result = assess([TreeIn(LIME, 200, [150])], [], BUSINESS, rates)
    assert result.fee == Decimal("750.00")
    a = sorted((r.band_from, r.rate) for r in rates if r.group == "A")
    assert a == [(0, Decimal("12.00")), (101, Decimal("15.00"))]

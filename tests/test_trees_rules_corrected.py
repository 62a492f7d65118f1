"""Trees and shrubs as the act in force reads (ustawa o ochronie przyrody, Dz.U. 2023
poz. 1336): when nothing is needed (art. 83f ust. 1), the notification route (art. 83f
ust. 1 pkt 3a, ust. 4), the fee exemptions of art. 86 ust. 1, the shrub groups of the
rates regulation (Dz.U. 2017 poz. 1330) and the dated terms."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from core.models import LegalRule
from permits import deadlines, legal
from permits.trees.models import EXEMPTION_BASIS, EXEMPTION_KIND, Species
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
)
from tests import factories
from tests import permits_factories as pf

RATES = [Rate("tree", "B", 0, Decimal(25)), Rate("tree", "B", 101, Decimal(30)),
         Rate("tree", "C", 0, Decimal(55)), Rate("tree", "C", 101, Decimal(70)),
         Rate("shrub", "invasive", 0, Decimal(10)), Rate("shrub", "other", 0, Decimal(40)),
         Rate("shrub", "other", 101, Decimal(50))]
LIME = SpeciesInfo("lime", "B", "other", 50)
APPLE = SpeciesInfo("apple", "C", "other", 50, fruit=True)
LILAC = SpeciesInfo("lilac", "D", "other", 50)

COMPANY = Holder(natural_person=False, own_land=True, business=True)
OWNER = Holder(natural_person=True, own_land=True, business=False)
PARENTS_LAND = Holder(natural_person=True, own_land=False, business=False,
                      land_of_natural_persons=True)
BUSINESS_ON_PRIVATE_LAND = Holder(natural_person=True, own_land=False, business=True,
                                  land_of_natural_persons=True)
MONUMENT = Holder(natural_person=False, own_land=True, business=True, protected_site=True)
ROAD = Holder(natural_person=False, own_land=True, business=True, road_strip=True)


def tree(species=LIME, c5=200, stems=(150,), code=""):
    return TreeIn(species, c5, list(stems), code, EXEMPTION_KIND.get(code, ""),
                  EXEMPTION_BASIS.get(code, ""))


def shrub(area, species=LILAC, code=""):
    return ShrubIn(species, Decimal(area), code, EXEMPTION_KIND.get(code, ""),
                   EXEMPTION_BASIS.get(code, ""))


# (case and source, trees, shrubs, holder, verdict, fee)
CASES = [
    ("fruit tree outside monuments and green areas needs nothing (art. 83f ust. 1)",
     [tree(APPLE)], [], COMPANY, NOTHING, "0"),
    ("fruit tree on a registered monument or green area needs a permit (art. 83f ust. 1)",
     [tree(APPLE, stems=(100,))], [], MONUMENT, PERMIT, "5500.00"),
    ("plantation needs nothing (art. 83f ust. 1)",
     [tree(code="plantation")], [], COMPANY, NOTHING, "0"),
    ("shrubs up to 25 m² need nothing (art. 83f ust. 1 pkt 1)",
     [], [shrub("25")], COMPANY, NOTHING, "0"),
    ("shrubs up to 25 m² in a road strip need a permit (art. 83f ust. 1 pkt 1)",
     [], [shrub("20")], ROAD, PERMIT, "800.00"),
    ("shrubs up to 25 m² on a monument or green area need a permit (art. 83f ust. 1 pkt 1)",
     [], [shrub("20")], MONUMENT, PERMIT, "800.00"),
    ("shrubs over 25 m² need a permit (art. 83f ust. 1 pkt 1)",
     [], [shrub("26")], COMPANY, PERMIT, "1040.00"),
    ("natural persons' land outside business: trees above the threshold are notified "
     "(art. 83f ust. 1 pkt 3a, ust. 4)", [tree()], [], PARENTS_LAND, NOTIFICATION, "0"),
    ("natural persons' land outside business: shrubs need nothing (art. 83f ust. 1 pkt 3a)",
     [], [shrub("300")], PARENTS_LAND, NOTHING, "0"),
    ("natural persons' land used for business: a permit with its fee (art. 83, art. 84)",
     [tree()], [], BUSINESS_ON_PRIVATE_LAND, PERMIT, "4500.00"),
    ("threat to people or property: permit, no fee (art. 86 ust. 1 pkt 4)",
     [tree(code="safety")], [], COMPANY, PERMIT, "0"),
    ("threat to road, rail or shipping safety: no fee (art. 86 ust. 1 pkt 5)",
     [tree(code="traffic")], [], COMPANY, PERMIT, "0"),
    ("public road or railway reconstruction: no fee (art. 86 ust. 1 pkt 6)",
     [tree(code="road_works")], [], COMPANY, PERMIT, "0"),
    ("renewal of trees on a registered monument: no fee (art. 86 ust. 1 pkt 1a)",
     [tree(code="monument")], [], COMPANY, PERMIT, "0"),
    ("restoring unused land, shrubs up to 50 m²: no fee (art. 86 ust. 1 pkt 8)",
     [], [shrub("40", code="restore_shrub")], COMPANY, PERMIT, "0"),
    ("care works: no fee (art. 86 ust. 1 pkt 9)",
     [tree(code="care")], [], COMPANY, PERMIT, "0"),
    ("an exempt tree beside a charged one: only the other pays (art. 86 ust. 1)",
     [tree(code="safety"), tree(stems=(100,))], [], COMPANY, PERMIT, "2500.00"),
]


@pytest.mark.parametrize("case, trees, shrubs, holder, verdict, fee", CASES,
                         ids=[c[0][:70] for c in CASES])
def test_what_a_removal_needs_and_pays(case, trees, shrubs, holder, verdict, fee):
    result = assess(trees, shrubs, holder, RATES)

    assert (result.verdict, result.fee) == (verdict, Decimal(fee)), case


def test_the_owner_files_the_notification_art_83f_ust_4():
    with translation.override("en"):
        parents = assess([tree()], [], PARENTS_LAND, RATES)
        own = assess([tree()], [], OWNER, RATES)

    assert parents.lines[-1] == ("The notification is filed by the owner of the land "
                                 "(art. 83f ust. 4).")
    assert not any("owner of the land" in line for line in own.lines)


def test_a_fee_exemption_names_its_point_of_art_86():
    with translation.override("en"):
        result = assess([tree(code="traffic")], [], COMPANY, RATES)

    assert result.lines == ("Tree 1 (lime): no fee (art. 86 ust. 1 pkt 5).",)


INVASIVE = ["Cornus sericea", "Rosa rugosa", "Rhus typhina", "Spiraea tomentosa",
            "Amelanchier spicata"]


def test_the_10_zl_shrub_group_is_the_regulations_short_list_dz_u_2017_poz_1330(db):
    pf.tree_rules_ensure()

    invasive = set(Species.objects.filter(shrub_group="invasive")
                   .values_list("latin_name", flat=True))

    assert invasive == set(INVASIVE)
    assert Species.objects.get(latin_name="Amorpha fruticosa").shrub_group == "other"
    assert set(Species.objects.filter(fruit=True).values_list("latin_name", flat=True)) >= {
        "Malus", "Pyrus"}


# (term and source, key, seeded value)
TERMS = [
    ("inspection within 21 days of the notification (art. 83f ust. 5)",
     legal.INSPECTION_DAYS, 21),
    ("objection within 14 days of the inspection (art. 83f ust. 6)", legal.OBJECTION_DAYS, 14),
    ("removal within 6 months of the inspection (art. 83f)", legal.REMOVAL_MONTHS, 6),
    ("fee deferred 3 years with replacement planting (art. 84 ust. 3)",
     legal.FEE_DEFERRAL_YEARS, 3),
    ("shrubs up to 25 m² need no permit (art. 83f ust. 1 pkt 1)", legal.SHRUB_FREE_M2, "25"),
]


@pytest.mark.parametrize("term, key, value", TERMS, ids=[t[1] for t in TERMS])
def test_the_notification_terms_are_dated_rules(db, term, key, value):
    pf.tree_rules_ensure()

    row = LegalRule.objects.get(key=key, unit=None)

    assert (row.value, row.valid_to, row.act) == (value, None, legal.UOP), term


def test_a_changed_act_is_a_new_dated_row_and_the_notification_term_follows_it(db):
    """Were the bill replacing the inspection term with 60 days enacted, the new row from
    its day in force changes the deadline of notifications filed from then on."""
    pf.tree_rules_ensure()
    unit = factories.unit()
    LegalRule.objects.filter(key=legal.INSPECTION_DAYS).update(valid_to=date(2027, 6, 30))
    LegalRule.objects.create(key=legal.INSPECTION_DAYS, value=60, valid_from=date(2027, 7, 1),
                             act=legal.UOP, article="art. 83f ust. 5")

    before = deadlines.rule_for(unit=unit, kind_code="trees", procedure=NOTIFICATION,
                                state="submitted", on=date(2027, 6, 30))
    after = deadlines.rule_for(unit=unit, kind_code="trees", procedure=NOTIFICATION,
                               state="submitted", on=date(2027, 7, 1))

    assert (before.days, after.days) == (21, 60)

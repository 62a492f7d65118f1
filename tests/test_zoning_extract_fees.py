"""Stamp duty on zoning extracts and WZ decisions (ustawa o opłacie skarbowej, Dz.U. 2023
poz. 2111, zał. cz. I pkt 4 and 9, cz. IV): table-driven cases from domain.md, read from
the dated rules in force (duty.*)."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import RuleNotInForce
from core.models import LegalRule
from permits.zoning_fees import extract_stamp_duty, wz_stamp_duty
from tests import permits_factories as pf


@pytest.fixture(autouse=True)
def duty_rules(db):
    pf.tree_rules_ensure()


@pytest.mark.parametrize(("text_pages", "map_pages", "copies", "attorney", "expected"), [
    (1, 0, 1, False, "30"),     # wypis only, 1 page
    (5, 0, 1, False, "30"),     # "do 5 stron": 5 pages still 30
    (6, 0, 1, False, "50"),     # over 5 pages
    (0, 1, 1, False, "20"),     # wyrys only, one A4 page
    (0, 3, 1, False, "60"),     # 3 × 20
    (0, 10, 1, False, "200"),   # 10 × 20 = the cap exactly
    (0, 14, 1, False, "200"),   # 280 capped at 200
    (2, 2, 1, False, "70"),     # both: 30 + 40
    (7, 12, 1, False, "250"),   # 50 + 200 (capped) = 250
    (2, 2, 3, False, "210"),    # each copy pays: 3 × 70
    (2, 1, 1, True, "67"),      # 30 + 20 + 17 for a power of attorney
])
def test_extract_stamp_duty(text_pages, map_pages, copies, attorney, expected):
    # given the pages of the document and the copies asked for
    # when
    duty = extract_stamp_duty(text_pages=text_pages, map_pages=map_pages, copies=copies,
                              power_of_attorney=attorney)

    # then
    assert duty.amount == Decimal(expected)


@pytest.mark.parametrize(("owner", "attorney", "expected"), [
    (False, False, "598"),
    (True, False, "0"),
    (False, True, "615"),
    (True, True, "17"),
])
def test_wz_stamp_duty(owner, attorney, expected):
    assert wz_stamp_duty(applicant_is_owner=owner, power_of_attorney=attorney).amount == \
        Decimal(expected)


def test_the_duty_explains_itself_and_the_cap():
    # given a wyrys over the cap
    # when
    with translation.override("en"):
        duty = extract_stamp_duty(text_pages=1, map_pages=12, copies=2)

    # then every step is a line the resident can read
    assert duty.lines == (
        "Extract text (wypis), 1 page(s): 30,00 zł",
        "Map excerpt (wyrys), 12 A4 page(s) × 20,00 zł: 200,00 zł (capped at 200,00 zł)",
        "2 copies × 230,00 zł",
        "Stamp duty in all: 460,00 zł",
    )


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"text_pages": -1, "map_pages": 0, "copies": 1}, "page"),
    ({"text_pages": 1, "map_pages": 0, "copies": 0}, "copy"),
])
def test_impossible_counts_are_refused(kwargs, field):
    with pytest.raises(ValueError, match=field):
        extract_stamp_duty(**kwargs)



def test_a_changed_duty_is_a_new_dated_row_and_an_earlier_filing_keeps_the_old_one():
    LegalRule.objects.filter(key="duty.wz_decision").update(valid_to=date(2027, 12, 31))
    LegalRule.objects.create(key="duty.wz_decision", value="650", valid_from=date(2028, 1, 1),
                             act="ustawa o opłacie skarbowej (zmiana)", verified=True)

    before = wz_stamp_duty(applicant_is_owner=False, on=date(2027, 12, 31)).amount
    after = wz_stamp_duty(applicant_is_owner=False, on=date(2028, 1, 1)).amount

    assert (before, after) == (Decimal("598"), Decimal("650"))


def test_a_day_before_any_duty_is_entered_is_refused():
    with pytest.raises(RuleNotInForce):
        wz_stamp_duty(applicant_is_owner=False, on=date(2006, 12, 31))

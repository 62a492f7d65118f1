"""The WZ gate after the 2023 planning reform: for applications filed from the day the act
sets (1 July 2026, a dated rule), a WZ decision only where the gmina's general plan is in
force, and then inside an infill area (obszar uzupełnienia zabudowy)."""
from datetime import date

import pytest

from core.models import LegalRule
from layers.models import PlanArea, ZoningPlan
from permits import legal
from permits.wz.checks import Proposal, wz_checks
from permits.wz.gate import (
    INSIDE_INFILL,
    NO_GENERAL_PLAN,
    NOT_APPLICABLE,
    OUTSIDE_INFILL,
    wz_gate,
)
from tests import factories
from tests import permits_factories as pf

pytestmark = pytest.mark.django_db
X, Y = 318000.0, 386000.0
SITE = factories.box(X + 10, Y + 10, X + 40, Y + 40)
DECIDED = date(2026, 12, 6)


def general_plan(unit, valid_from=date(2026, 3, 1), infill=(X, Y, X + 100, Y + 100)):
    plan = factories.zoning_plan(ZoningPlan.GENERAL, "PL.ZIPPZP.1/026101-POG", u=unit,
                                 valid_from=valid_from,
                                 geom=factories.box(X - 500, Y - 500, X + 500, Y + 500))
    if infill:
        PlanArea.objects.create(plan=plan, kind=PlanArea.INFILL, local_id="OUZ-1",
                                geom=factories.box(*infill))
    return plan


# (case, plan: None | "in force" | "later", infill box or None, filed on, gate code, passed)
CASES = [
    ("filed before 1 July 2026: the gate does not apply", None, None, date(2026, 6, 30),
     NOT_APPLICABLE, True),
    ("no general plan in force: refused", None, None, date(2026, 7, 1), NO_GENERAL_PLAN, False),
    ("a general plan not yet in force on the decision day: refused", "later",
     (X, Y, X + 100, Y + 100), date(2026, 8, 1), NO_GENERAL_PLAN, False),
    ("inside an infill area of the plan in force: allowed", "in force",
     (X, Y, X + 100, Y + 100), date(2026, 8, 1), INSIDE_INFILL, True),
    ("outside every infill area: refused", "in force", (X + 200, Y, X + 300, Y + 100),
     date(2026, 8, 1), OUTSIDE_INFILL, False),
    ("half inside an infill area: refused", "in force", (X, Y, X + 25, Y + 100),
     date(2026, 8, 1), OUTSIDE_INFILL, False),
]


@pytest.mark.parametrize("case, plan, infill, filed_on, code, passed", CASES,
                         ids=[c[0][:50] for c in CASES])
def test_the_general_plan_gate(case, plan, infill, filed_on, code, passed):
    pf.tree_rules_ensure()
    unit = factories.unit()
    if plan:
        general_plan(unit, date(2026, 3, 1) if plan == "in force" else date(2027, 1, 1),
                     infill)

    gate = wz_gate(unit=unit, site=SITE, filed_on=filed_on, decided_on=DECIDED)

    assert (gate.code, gate.passed) == (code, passed), case
    assert gate.source.startswith(legal.REFORM)


def test_another_units_infill_area_does_not_open_the_gate():
    pf.tree_rules_ensure()
    unit = factories.unit()
    other = factories.unit("026201_1", "Bolesławiec")
    general_plan(unit, infill=None)
    general_plan(other)

    gate = wz_gate(unit=unit, site=SITE, filed_on=date(2026, 8, 1), decided_on=DECIDED)

    assert gate.code == OUTSIDE_INFILL


def test_a_later_day_set_by_a_new_act_is_a_new_dated_row():
    """Were the day moved to 31 August 2026, a new row does it without code."""
    pf.tree_rules_ensure()
    unit = factories.unit()
    LegalRule.objects.create(key=legal.WZ_GENERAL_PLAN_FROM, unit=None, value="2026-08-31",
                             valid_from=date(2026, 6, 1), act="ustawa zmieniająca",
                             verified=True)
    LegalRule.objects.filter(key=legal.WZ_GENERAL_PLAN_FROM,
                             valid_from=date(2023, 9, 24)).update(valid_to=date(2026, 5, 31))

    gate = wz_gate(unit=unit, site=SITE, filed_on=date(2026, 8, 1), decided_on=DECIDED)

    assert (gate.code, gate.source) == (NOT_APPLICABLE, "ustawa zmieniająca")


def test_the_officers_checks_carry_the_gate():
    pf.tree_rules_ensure()
    unit = factories.unit()
    general_plan(unit)

    checks = wz_checks(site=SITE, proposal=Proposal(), unit=unit, filed_on=date(2026, 8, 1))

    assert checks.gate.code == INSIDE_INFILL


def _decided_wz(submitted_at):
    """A WZ application filed at `submitted_at`, registered and decided with conditions."""
    from django.utils import timezone

    from permits import services
    from permits.models import Application
    from permits.wz.models import WzApplication
    from tests.test_wz_flow import _base_map, _draft, _world

    _unit, parcel, resident, officer = _world()
    app = _draft(resident, parcel)
    _base_map(app, resident)
    app = services.application_submit(application_id=app.pk, by=resident)
    Application.objects.filter(pk=app.pk).update(submitted_at=timezone.make_aware(
        timezone.datetime.combine(submitted_at, timezone.datetime.min.time())))
    services.application_transition(application_id=app.pk, action="register", by=officer)
    services.application_transition(application_id=app.pk, action="decide", by=officer,
                                    reason="Warunki ustalone", outcome="conditions_set")
    return WzApplication.objects.get(application=app)


@pytest.mark.parametrize("filed, years", [
    (date(2026, 3, 2), 5),  # 5 years once final, for decisions final from 2026 (art. 65)
    (date(2025, 10, 15), None),  # filed before 16 October 2025: indefinite
], ids=["filed 2026: five years", "filed before 16.10.2025: indefinite"])
def test_the_decision_records_its_validity_upzp_art_65(filed, years):
    pf.tree_rules_ensure()

    row = _decided_wz(filed)

    assert row.validity_years == years
    assert row.validity_basis.startswith(legal.UPZP if years else legal.REFORM)

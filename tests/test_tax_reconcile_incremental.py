"""Incremental reconciliation: a run re-checking only what changed equals a full run."""
from decimal import Decimal

import pytest
from django.utils import timezone

from cadastre_sync.models import (
    Building,
    LandUsePiece,
    Parcel,
    ReconciliationChange,
    ReconciliationRun,
    RegisterUnit,
    TaxFinding,
    TaxObject,
    TaxRate,
)
from cadastre_sync.tax.reconcile import reconcile
from cadastre_sync.tax.rules import FINDING_CATEGORIES
from cadastre_sync.tax.services import finding_dismiss, finding_resolve
from tests import factories
from tests.tax_factories import (
    AREA,
    YEAR,
    account,
    box_parcel,
    discrepancy_gmina,
    fix_half,
    land_use,
    owned,
    person,
    pesel,
    tax_object,
    tax_unit,
    taxpayer,
)

pytestmark = pytest.mark.django_db


def open_findings(unit) -> dict:
    """Every open finding with all an officer sees of it."""
    return {(f.category, f.key): (f.severity, f.estimate, f.evidence, f.parcel_ref,
                                  f.building_ref, f.geom.wkb.tobytes() if f.geom else None)
            for f in TaxFinding.objects.filter(unit=unit, status=TaxFinding.OPEN)}


def split(unit, number: str) -> None:
    """A parcel split in two untaxed halves; the register still taxes the old id."""
    old = Parcel.objects.get(unit=unit, number=number)
    Parcel.objects.filter(pk=old.pk).update(retired_at=timezone.now())
    x0, y0 = old.geom.extent[0], old.geom.extent[1]
    for i, dx in enumerate((0, 15)):
        half = factories.parcel(f"{number}/{i + 1}", geom=factories.box(
            x0 + dx, y0, x0 + dx + 15, y0 + 30))
        land_use(half, "Ba", "0.0450")


def change_everything_a_county_and_a_tax_office_change(g) -> None:
    """Tax records fixed and broken, the cadastre changed: parcels, land, buildings, owners."""
    unit = g.unit
    fix_half(g)
    split(unit, "8")
    # One successor of a parcel split before the last run is built on (the retired
    # parcel's finding prices its untaxed successors' ground; nothing else changed there).
    LandUsePiece.objects.filter(parcel__unit=unit, parcel__number="2/1").update(ofu="B")
    # The land of a farm plot changes its soil class; a declared house is pulled down and
    # a smaller one built; the register names a building the cadastre never had.
    LandUsePiece.objects.filter(parcel__unit=unit, parcel__number="3").update(ozk="IVa")
    house_parcel = Parcel.objects.get(unit=unit, number="1")
    Building.objects.filter(parcels=house_parcel).update(retired_at=timezone.now())
    factories.building(house_parcel, built_up_area_m2=Decimal("40"), storeys_above=1)
    house_account = TaxObject.objects.filter(parcel_ref=house_parcel.parcel_id).first().account
    tax_object(house_account, "building", building_ref=f"{unit.teryt}.0001.1.999_BUD",
               category="residential", floor_area_m2=Decimal("50"))
    # A namesake's declared area shrinks.
    TaxObject.objects.filter(account__unit=unit, parcel_ref__endswith=".0001.5").update(
        area_ha=Decimal("0.0600"))
    # A parcel passes to the gmina (an exempt register group).
    RegisterUnit.objects.filter(parcels__unit=unit, parcels__number="22").update(group=4)
    # The couple's wife is taxed too now; a namesake owner renamed.
    acc = TaxObject.objects.get(parcel_ref=g.handles["couple"].parcel_id).account
    acc.holdings.create(taxpayer=taxpayer(unit, "Maria", "Mąż", pesel(9003)), role="spouse")
    # New discrepancies: a tax object removed, a parcel never taxed, a new owner.
    TaxObject.objects.filter(account__unit=unit, parcel_ref__endswith=".0001.26").delete()
    fresh = box_parcel("40", 330000.0)
    land_use(fresh, "B", AREA)
    owned(fresh, person(unit, "Olga", "Nowa", pesel(9100)))
    taxed = box_parcel("41", 330100.0)
    land_use(taxed, "B", AREA)
    owned(taxed, person(unit, "Iga", "Stara", pesel(9101)))
    tax_object(account(unit, taxpayer(unit, "Iga", "Inna", pesel(9102))), "land",
               taxed.parcel_id, category="other", area_ha=AREA)


def test_an_incremental_run_after_every_kind_of_change_equals_a_full_run():
    g = discrepancy_gmina()
    split(g.unit, "2")
    first = reconcile(unit=g.unit, year=YEAR)
    change_everything_a_county_and_a_tax_office_change(g)

    incremental = reconcile(unit=g.unit, year=YEAR)
    after_incremental = open_findings(g.unit)
    full = reconcile(unit=g.unit, year=YEAR, scope=ReconciliationRun.FULL)

    assert first.run.scope == ReconciliationRun.FULL
    assert incremental.run.scope == ReconciliationRun.INCREMENTAL, incremental.run.coverage
    assert 0 < incremental.run.coverage["parcels"] < Parcel.objects.filter(unit=g.unit).count()
    assert full.run.scope == ReconciliationRun.FULL
    assert open_findings(g.unit) == after_incremental
    assert (full.counts["new"], full.counts["resolved"]) == (0, 0)
    assert incremental.counts["found"] == full.counts["found"]
    assert {c for c, _k in after_incremental} == {c for c, _n, _c in FINDING_CATEGORIES}


def test_the_changes_are_consumed_and_a_run_without_changes_rechecks_nothing():
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    before = open_findings(g.unit)

    again = reconcile(unit=g.unit, year=YEAR)

    assert not ReconciliationChange.objects.filter(unit=g.unit).exists()
    assert again.run.scope == ReconciliationRun.INCREMENTAL
    assert again.run.coverage["parcels"] == 0
    assert open_findings(g.unit) == before
    assert (again.counts["new"], again.counts["resolved"]) == (0, 0)


def test_findings_an_officer_closed_or_dismissed_keep_their_status_through_incremental_runs():
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    officer = factories.user()
    couple = TaxFinding.objects.get(unit=g.unit, key=g.handles["couple"].parcel_id)
    finding_dismiss(finding=couple, by=officer, reason="wspólność ustawowa, oboje wiedzą")
    untaxed = TaxFinding.objects.get(unit=g.unit, key=g.handles["untaxed"].parcel_id)
    finding_resolve(finding=untaxed, by=officer, action_taken="wezwanie wysłane")
    # Both parcels are touched by the change set: their land is re-measured.
    LandUsePiece.objects.filter(parcel__in=[g.handles["couple"], g.handles["untaxed"]]).update(
        area_ha=Decimal(AREA))

    result = reconcile(unit=g.unit, year=YEAR)

    assert result.run.scope == ReconciliationRun.INCREMENTAL
    couple.refresh_from_db()
    untaxed.refresh_from_db()
    assert couple.status == TaxFinding.DISMISSED
    assert result.counts["suppressed"] == 1
    assert untaxed.status == TaxFinding.OPEN  # found again: reopened
    assert untaxed.first_run_id == result.run.pk


def test_a_first_run_new_rates_or_a_bulk_change_make_the_run_full():
    g = discrepancy_gmina()
    first = reconcile(unit=g.unit, year=YEAR)
    TaxRate.objects.create(unit=g.unit, year=YEAR, key="land_other", rate=Decimal("0.50"))
    after_rates = reconcile(unit=g.unit, year=YEAR)
    ReconciliationChange.objects.create(unit=g.unit, kind="*", ref="")
    after_bulk = reconcile(unit=g.unit, year=YEAR)

    assert first.run.coverage["full_because"] == "first_run"
    assert after_rates.run.coverage["full_because"] == "rules_changed"
    assert after_bulk.run.coverage["full_because"] == "bulk_change"


def test_a_land_change_that_makes_a_holding_a_farm_rechecks_its_other_parcels():
    """A farm building (KŚT 1271) on one parcel is exempt once the register unit's land,
    re-measured on another parcel only, makes the holding a farm (over 1 ha)."""
    unit = tax_unit()
    field, yard = (box_parcel(n, factories.ORIGIN[0] + x) for n, x in (("80", 0), ("81", 50)))
    owner = person(unit, "Jan", "Rolnik", pesel(9200))
    owned(field, owner)
    RegisterUnit.objects.filter(parcels=field).get().parcels.add(yard)
    farmer = account(unit, taxpayer(unit, "Jan", "Rolnik", pesel(9200)))
    for parcel in (field, yard):
        land_use(parcel, "R", "0.0900", ozk="IVa")
        tax_object(farmer, "agricultural", parcel.parcel_id, area_ha=Decimal("0.0900"),
                   land_use="R", soil_class="IVa")
    barn = factories.building(yard, kst_class="1271", built_up_area_m2=Decimal("100"),
                              storeys_above=1)
    reconcile(unit=unit, year=YEAR)
    assert TaxFinding.objects.get(key=barn.building_id).status == TaxFinding.OPEN

    LandUsePiece.objects.filter(parcel=field).update(area_ha=Decimal("2.2500"))
    incremental = reconcile(unit=unit, year=YEAR)
    after_incremental = open_findings(unit)
    full = reconcile(unit=unit, year=YEAR, scope=ReconciliationRun.FULL)

    assert incremental.run.scope == ReconciliationRun.INCREMENTAL
    assert TaxFinding.objects.get(key=barn.building_id).status == TaxFinding.RESOLVED
    assert open_findings(unit) == after_incremental
    assert (full.counts["new"], full.counts["resolved"]) == (0, 0)

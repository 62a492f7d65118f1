"""Reconciliation on a gmina with every kind of discrepancy injected at known parcels."""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from procrastinate import testing
from procrastinate.contrib.django import app

from cadastre_sync.models import ReconciliationRun, TaxFinding
from cadastre_sync.tax import reconcile as reconcile_module
from cadastre_sync.tax.reconcile import reconcile
from cadastre_sync.tax.services import finding_dismiss
from layers.models import TileCacheJob
from tests import factories
from tests.tax_factories import (
    AREA,
    YEAR,
    account,
    box_parcel,
    clean_gmina,
    discrepancy_gmina,
    fix_half,
    held,
    institution,
    land_use,
    rate,
    tax_object,
    tax_unit,
    taxed_land,
    taxpayer,
)

pytestmark = pytest.mark.django_db


def found(unit, status: str = TaxFinding.OPEN) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for category, key in TaxFinding.objects.filter(unit=unit, status=status).values_list(
            "category", "key"):
        result.setdefault(category, set()).add(key)
    return result


def test_the_run_finds_exactly_the_injected_discrepancies_with_their_estimates():
    g = discrepancy_gmina()

    result = reconcile(unit=g.unit, year=YEAR)

    assert found(g.unit) == g.expected
    estimates = {(f.category, f.key): f.estimate for f in TaxFinding.objects.filter(unit=g.unit)}
    for where, estimate in g.estimates.items():
        assert estimates[where] == estimate, where
    assert result.counts["new"] == sum(len(keys) for keys in g.expected.values())
    assert result.run.status == ReconciliationRun.SUCCEEDED


def test_a_retired_parcel_names_the_parcels_it_became():
    g = discrepancy_gmina()

    reconcile(unit=g.unit, year=YEAR)

    finding = TaxFinding.objects.get(unit=g.unit, category="retired_parcel")
    successors = finding.evidence["successors"]
    assert [s["parcel_id"] for s in successors] == g.handles["retired_successors"]
    assert all(s["taxed"] and s["shared_m2"] == 450.0 for s in successors)
    assert finding.geom is not None and finding.severity == "medium"


def test_only_one_spouse_taxed_is_recognised_as_the_spouse_case():
    g = discrepancy_gmina()

    reconcile(unit=g.unit, year=YEAR)

    couple = TaxFinding.objects.get(key=g.handles["couple"].parcel_id)
    sold = TaxFinding.objects.get(key=g.handles["sold"].parcel_id)
    assert (couple.evidence["spouse_case"], couple.severity) == (True, "low")
    assert (sold.evidence["spouse_case"], sold.severity) == (False, "medium")
    matched = [o["matched_by"] for o in couple.evidence["owners"]]
    assert sorted(matched, key=str) == [None, "identifier"]


def test_the_second_run_after_fixing_half_reports_them_resolved():
    g = discrepancy_gmina()
    first = reconcile(unit=g.unit, year=YEAR)
    fixed = fix_half(g)

    second = reconcile(unit=g.unit, year=YEAR, scope=ReconciliationRun.FULL)

    resolved = TaxFinding.objects.filter(unit=g.unit, status=TaxFinding.RESOLVED)
    assert {(f.category, f.key) for f in resolved} == fixed
    assert {f.resolved_run_id for f in resolved} == {second.run.pk}
    total = sum(len(keys) for keys in g.expected.values())
    assert (second.counts["new"], second.counts["persisting"], second.counts["resolved"]) == (
        0, total - len(fixed), len(fixed))
    persisting = TaxFinding.objects.filter(unit=g.unit, status=TaxFinding.OPEN)
    assert {f.first_run_id for f in persisting} == {first.run.pk}
    assert {f.last_run_id for f in persisting} == {second.run.pk}


def test_not_a_discrepancy_is_suppressed_next_time():
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    officer = factories.user()
    unknown = TaxFinding.objects.get(unit=g.unit, category="unknown_parcel")
    finding_dismiss(finding=unknown, by=officer, reason="Parcel in the neighbouring gmina")

    again = reconcile(unit=g.unit, year=YEAR)

    unknown.refresh_from_db()
    assert unknown.status == TaxFinding.DISMISSED
    assert unknown.resolution == "Parcel in the neighbouring gmina"
    assert (again.counts["suppressed"], again.counts["new"]) == (1, 0)


def test_an_officer_resolved_finding_found_again_is_reopened_as_new():
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    untaxed = TaxFinding.objects.get(unit=g.unit, category="parcel_untaxed")
    TaxFinding.objects.filter(pk=untaxed.pk).update(status=TaxFinding.RESOLVED)

    again = reconcile(unit=g.unit, year=YEAR)

    untaxed.refresh_from_db()
    assert untaxed.status == TaxFinding.OPEN and untaxed.first_run_id == again.run.pk
    assert again.counts["new"] == 1
    assert untaxed.events.filter(action="reopen").count() == 1


def estimates_of(unit) -> dict[tuple[str, str], Decimal]:
    return {(f.category, f.key): f.estimate for f in TaxFinding.objects.filter(unit=unit)}


def test_a_taxed_parcel_split_into_untaxed_parcels_is_counted_once():
    unit = tax_unit()
    x0, y0 = factories.ORIGIN[0], factories.ORIGIN[1] + 500
    old = box_parcel("30", x0, retired_at=timezone.now())
    taxed_land(old)
    other = factories.parcel("30/1", geom=factories.box(x0, y0, x0 + 15, y0 + 30))
    land_use(other, "B", "0.0450")
    shop = factories.parcel("30/2", geom=factories.box(x0 + 15, y0, x0 + 30, y0 + 30))
    land_use(shop, "Ba", "0.0450")

    result = reconcile(unit=unit, year=YEAR)

    # The ground is taxed under the old parcel; only the half now used for business
    # pays more: 450 m2 x (business - other rate).
    difference = (Decimal("450") * (rate("land_business") - rate("land_other"))).quantize(
        Decimal("0.01"))
    assert estimates_of(unit) == {("retired_parcel", old.parcel_id): difference}
    assert Decimal(result.counts["found"]["retired_parcel"]["estimate"]) == difference
    finding = TaxFinding.objects.get(unit=unit)
    assert finding.evidence["declared_tax"] == float(Decimal("900") * rate("land_other"))
    assert [(s["parcel_id"], s["taxed"], s["tax"]) for s in finding.evidence["successors"]] == [
        (other.parcel_id, False, float(Decimal("450") * rate("land_other"))),
        (shop.parcel_id, False, float(Decimal("450") * rate("land_business")))]


def test_a_parcel_merged_from_a_taxed_and_an_untaxed_one_is_untaxed_for_the_rest_only():
    unit = tax_unit()
    x0, y0 = factories.ORIGIN[0], factories.ORIGIN[1] + 500
    taxed = box_parcel("31", x0, retired_at=timezone.now())
    taxed_land(taxed)
    box_parcel("32", x0 + 30, retired_at=timezone.now())
    merged = factories.parcel("33", geom=factories.box(x0, y0, x0 + 60, y0 + 30))
    land_use(merged, "B", "0.1800")

    reconcile(unit=unit, year=YEAR)

    half = (Decimal(AREA) * 10000 * rate("land_other")).quantize(Decimal("0.01"))
    assert estimates_of(unit) == {("retired_parcel", taxed.parcel_id): Decimal("0.00"),
                                  ("parcel_untaxed", merged.parcel_id): half}
    untaxed = TaxFinding.objects.get(unit=unit, category="parcel_untaxed")
    assert untaxed.evidence["taxed_as_retired"] == [
        {"parcel_id": taxed.parcel_id, "shared_m2": 900.0}]


def test_the_perpetual_usufructuary_not_the_state_treasury_is_the_taxpayer():
    unit = tax_unit()
    treasury = institution(unit, "Skarb Państwa", "000000000")
    company = institution(unit, "Spółka Sp. z o.o.", "123456785")
    right_payer = box_parcel("50", factories.ORIGIN[0])
    wrong_payer = box_parcel("51", factories.ORIGIN[0] + 100)
    for parcel in (right_payer, wrong_payer):
        land_use(parcel, "Ba", AREA)
        held(parcel, treasury, company)
    for parcel, name, regon in ((right_payer, "Spółka Sp. z o.o.", "123456785"),
                                (wrong_payer, "Skarb Państwa", "000000000")):
        acc = account(unit, taxpayer(unit, name=name, regon=regon))
        tax_object(acc, "land", parcel.parcel_id, category="business", area_ha=AREA)

    reconcile(unit=unit, year=YEAR)

    assert estimates_of(unit) == {("owner_mismatch", wrong_payer.parcel_id): Decimal("0.00")}
    mismatch = TaxFinding.objects.get(unit=unit)
    assert mismatch.evidence["owners"] == [
        {"id": company.pk, "matched_by": None, "right": "perpetual_usufruct"}]
    assert [t["matched_by"] for t in mismatch.evidence["taxpayers"]] == [None]


def test_trust_management_names_the_taxpayer_too():
    unit = tax_unit()
    gmina = institution(unit, "Gmina Legnica", "390647332")
    school = institution(unit, "Szkoła Podstawowa nr 1", "020417625")
    parcel = box_parcel("52", factories.ORIGIN[0])
    land_use(parcel, "Bi", AREA)
    held(parcel, gmina, school, right="trust_management", group=5)
    acc = account(unit, taxpayer(unit, name="Szkoła Podstawowa nr 1", regon="020417625"))
    tax_object(acc, "land", parcel.parcel_id, category="other", area_ha=AREA)

    reconcile(unit=unit, year=YEAR)

    assert estimates_of(unit) == {}


def test_a_building_of_a_class_the_table_does_not_know_is_expected_as_another_building():
    unit = tax_unit()
    parcel = box_parcel("60", factories.ORIGIN[0])
    land_use(parcel, "Bi", AREA)
    taxed_land(parcel)
    shed = factories.building(parcel, kst_class="1299", built_up_area_m2=Decimal("100"),
                              storeys_above=2)

    reconcile(unit=unit, year=YEAR)

    other = (Decimal("150") * rate("building_other")).quantize(Decimal("0.01"))
    assert estimates_of(unit) == {("building_undeclared", shed.building_id): other}
    finding = TaxFinding.objects.get(unit=unit)
    assert (finding.evidence["rate"], finding.evidence["kst_class"]) == ("building_other", "1299")


def test_a_tax_object_on_a_retired_or_unknown_building_is_found():
    unit = tax_unit()
    parcel = box_parcel("61", factories.ORIGIN[0])
    land_use(parcel, "B", AREA)
    land = taxed_land(parcel)
    old = factories.building(parcel, built_up_area_m2=Decimal("100"), storeys_above=2,
                             retired_at=timezone.now())
    new = factories.building(parcel, built_up_area_m2=Decimal("100"), storeys_above=2)
    for ref in (old.building_id, new.building_id, f"{parcel.parcel_id}.99_BUD"):
        tax_object(land.account, "building", building_ref=ref, category="residential",
                   floor_area_m2="150")

    reconcile(unit=unit, year=YEAR)

    assert estimates_of(unit) == {("retired_building", old.building_id): Decimal("0.00"),
                                  ("unknown_building", f"{parcel.parcel_id}.99_BUD"):
                                      Decimal("0.00")}
    retired = TaxFinding.objects.get(unit=unit, category="retired_building")
    assert retired.parcel_ref == parcel.parcel_id and retired.geom is not None
    assert retired.evidence["buildings_now"] == [{"building_id": new.building_id,
                                                  "declared": True}]
    assert [o["floor_area_m2"] for o in retired.evidence["objects"]] == [150.0]
    unknown = TaxFinding.objects.get(unit=unit, category="unknown_building")
    assert (unknown.geom, unknown.severity) == (None, "high")


def test_a_clean_register_gives_no_findings():
    unit = clean_gmina()

    result = reconcile(unit=unit, year=YEAR)

    assert found(unit) == {}
    assert result.counts["found"] == {} and result.counts["new"] == 0
    assert result.run.status == ReconciliationRun.SUCCEEDED


def test_the_command_prints_the_counts_as_json(capsys):
    g = discrepancy_gmina()

    call_command("reconcile", "--unit", g.unit.teryt, "--year", str(YEAR), "--json")

    import json
    printed = json.loads(capsys.readouterr().out)
    assert printed["counts"]["new"] == sum(len(keys) for keys in g.expected.values())
    assert Decimal(printed["counts"]["found"]["parcel_untaxed"]["estimate"]) == \
        g.estimates[("parcel_untaxed", g.handles["untaxed"].parcel_id)]


def test_a_run_and_a_closed_finding_queue_a_refresh_of_the_findings_map(
        django_capture_on_commit_callbacks):
    # given a gmina with discrepancies, and the job queue in memory
    g = discrepancy_gmina()
    queue = testing.InMemoryConnector()
    with app.replace_connector(queue):
        # when it is reconciled, and an officer then closes one finding
        with django_capture_on_commit_callbacks(execute=True):
            reconcile(unit=g.unit, year=YEAR)
        first = TileCacheJob.objects.get()
        untaxed = TaxFinding.objects.filter(unit=g.unit, category="parcel_untaxed").first()
        with django_capture_on_commit_callbacks(execute=True):
            finding_dismiss(finding=untaxed, by=factories.user(), reason="Taxed by the county")

    # then the findings layer is refreshed over every finding drawn, then over the closed one
    drawn = TaxFinding.objects.filter(unit=g.unit).exclude(geom=None)
    assert (first.kind, first.caches) == ("refresh", ["tax_findings"])
    assert all(first.area.buffer(0.01).contains(f.geom) for f in drawn)
    closed = TileCacheJob.objects.exclude(pk=first.pk).get()
    assert closed.caches == ["tax_findings"] and closed.area.equals(untaxed.geom)
    assert len(queue.jobs) == 2


def test_a_run_that_changes_no_finding_refreshes_nothing(django_capture_on_commit_callbacks):
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)

    with django_capture_on_commit_callbacks(execute=True):
        reconcile(unit=g.unit, year=YEAR)

    assert not TileCacheJob.objects.exists()


@pytest.mark.parametrize("farm", [True, False], ids=["on a farm", "off a farm"])
def test_an_agricultural_building_is_exempt_only_on_the_land_of_a_farm(farm):
    """UPOL art. 7 ust. 1 pkt 4 lit. b (Dz.U. 2024 poz. 1757 in force 2025): KŚT 108
    buildings (1271) are exempt on a farm's land (agricultural tax act art. 2 ust. 1: over
    1 ha); one elsewhere is expected at the rate of the remaining buildings."""
    unit = tax_unit()
    side = 150.0 if farm else 30.0  # 2.25 ha of arable land, or 0.09 ha
    parcel = box_parcel("70", factories.ORIGIN[0], side=side)
    area = f"{side * side / 10000:.4f}"
    land_use(parcel, "R", area, ozk="IVa")
    tax_object(account(unit, taxpayer(unit, "Jan", "Rolnik")), "agricultural",
               parcel.parcel_id, area_ha=Decimal(area), land_use="R", soil_class="IVa")
    barn = factories.building(parcel, kst_class="1271", built_up_area_m2=Decimal("100"),
                              storeys_above=1)

    reconcile(unit=unit, year=YEAR)

    buildings = {k: v for k, v in estimates_of(unit).items()
                 if k[0] == "building_undeclared"}
    other = (Decimal("75") * rate("building_other")).quantize(Decimal("0.01"))
    assert buildings == ({} if farm else {("building_undeclared", barn.building_id): other})


def work_schemas() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rec_run_%%'")
        return {name for (name,) in cur.fetchall()}


def test_a_full_run_leaves_no_work_tables_and_drops_those_of_a_dead_run():
    g = discrepancy_gmina()
    dead = ReconciliationRun.objects.create(unit=g.unit, year=YEAR,
                                            status=ReconciliationRun.FAILED)
    with connection.cursor() as cur:
        cur.execute(f"CREATE SCHEMA rec_run_{dead.pk}")
        cur.execute(f"CREATE UNLOGGED TABLE rec_run_{dead.pk}.rec_parcel (id bigint)")

    result = reconcile(unit=g.unit, year=YEAR, scope="full")

    assert result.run.scope == ReconciliationRun.FULL
    assert found(g.unit) == g.expected
    assert work_schemas() == set()
    with connection.cursor() as cur:
        cur.execute("SHOW search_path")
        assert "rec_run" not in cur.fetchone()[0]


def test_a_failed_full_run_drops_its_work_tables_and_keeps_the_findings(monkeypatch):
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    before = found(g.unit)

    def progress(run, *, done, note):
        if note == "buildings":
            raise ValueError("disk full")
    monkeypatch.setattr(reconcile_module, "job_progress", progress)
    with pytest.raises(ValueError):
        reconcile(unit=g.unit, year=YEAR, scope="full")

    assert work_schemas() == set()
    assert found(g.unit) == before
    assert ReconciliationRun.objects.order_by("-pk")[0].status == ReconciliationRun.FAILED


def test_the_land_is_summed_exactly_in_the_decimals_it_is_stored_with():
    # The land side by side sums areas as whole ten-thousandths of a hectare and
    # conversion hectares as millionths: exact only while areas keep 4 decimals and the
    # factors (the fallback one too) 2.
    from cadastre_sync.models import ConversionFactor, LandUsePiece, Parcel, TaxObject
    from cadastre_sync.tax.rules import FALLBACK_FACTOR

    def places(model, field):
        return model._meta.get_field(field).decimal_places

    assert places(LandUsePiece, "area_ha") == places(TaxObject, "area_ha") == 4
    assert places(Parcel, "registered_area_ha") == 4
    assert places(ConversionFactor, "factor") == 2
    assert -FALLBACK_FACTOR.as_tuple().exponent <= 2

"""Importing EGiB GML 2021 exports: versions, links, ownership, re-imports, the changed extent.

Fixtures in tests/fixtures/cadastre are small hand-made vendor-style exports of Legnica
(026101_1), precinct 0001, coordinates in PL-2000 zone 5 written northing first.
"""
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from cadastre_sync.errors import ImportRejected
from cadastre_sync.importers import parallel
from cadastre_sync.models import (
    Building,
    BuildingVersion,
    CadastreImport,
    LandUsePiece,
    Owner,
    OwnershipShare,
    Parcel,
    ParcelVersion,
    Precinct,
    RegisterUnit,
)
from cadastre_sync.services import cadastre_import, cadastre_import_job_create
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures" / "cadastre"
OLDER = FIXTURES / "egib2021_legnica.gml"
NEWER = FIXTURES / "egib2021_legnica_newer.gml"
V1, V2, V3 = "2019-05-10T10:00:00", "2023-02-01T09:00:00", "2025-03-01T08:00:00"
MODELS = (Precinct, Parcel, ParcelVersion, LandUsePiece, Building, BuildingVersion, RegisterUnit,
          Owner, OwnershipShare)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the source language; the product also speaks Polish."""
    with translation.override("en"):
        yield


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def parcel(number: str) -> Parcel:
    return Parcel.objects.get(parcel_id=f"026101_1.0001.{number}", retired_at__isnull=True)


def test_an_egib_2021_export_is_imported_with_every_kind_of_object():
    unit = factories.unit()

    result = cadastre_import(unit=unit, path=OLDER)

    created = {kind: c.created for kind, c in result.counts.items()}
    assert created == {"precinct": 1, "register_unit": 3, "owner": 5, "share": 4, "parcel": 5,
                       "building": 2}
    assert result.errors == 0 and result.format == "egib2021"
    assert Precinct.objects.get(unit=unit, number="0001").name == "Centrum"
    assert Parcel.objects.filter(unit=unit, retired_at__isnull=True).count() == 5
    p1 = parcel("1")
    assert (p1.egib_local_id, p1.egib_namespace, p1.egib_version) == (
        "0c1e5a01-7f3b-4c55-9a1d-2b6e8f0a0001", "PL.PZGiK.361.EGiB", V2)
    assert p1.land_register_number == "LE1L/00012345/6"
    assert p1.registered_area_ha == Decimal("0.0901")
    assert p1.area_accuracy_ha == Decimal("0.0001")
    assert p1.register_unit.register_id == "026101_1.0001.G1"
    assert p1.version_start == datetime(2023, 2, 1, 8, 0, tzinfo=UTC)  # 09:00 in Warsaw


def test_land_use_pieces_come_with_their_parcel():
    cadastre_import(unit=factories.unit(), path=OLDER)

    pieces = list(parcel("2/1").land_use.order_by("ofu").values_list("ofu", "ozu", "ozk",
                                                                       "area_ha"))

    assert pieces == [("R", "R", "IVa", Decimal("0.0500")), ("Ł", "Ł", "III", Decimal("0.0401"))]


def test_every_srs_name_spelling_lands_in_epsg_2180_at_the_right_place():
    # P1 urn:ogc:def:crs:EPSG::2176, P2 http://www.opengis.net/def/crs/EPSG/0/2176,
    # P3 EPSG:2180; all written northing first. Each was drawn as a 30 m square in 2180.
    cadastre_import(unit=factories.unit(), path=OLDER)

    for number, x0 in (("1", 318040), ("2/1", 318080), ("3", 318120)):
        expected = factories.box(x0, 386000, x0 + 30, 386030)
        geom = parcel(number).geom
        assert geom.srid == 2180
        assert geom.extent == pytest.approx(expected.extent, abs=0.05), number


def test_interior_rings_are_kept():
    cadastre_import(unit=factories.unit(), path=OLDER)

    assert parcel("4").geom.area == pytest.approx(900 - 25, abs=0.5)


def test_archived_versions_in_the_file_go_to_the_history_only():
    cadastre_import(unit=factories.unit(), path=OLDER)

    p1 = parcel("1")
    history = list(p1.versions.values_list("egib_version", "version_start", "version_end"))
    assert history == [(V1, datetime(2019, 5, 10, 8, 0, tzinfo=UTC),
                        datetime(2023, 2, 1, 8, 0, tzinfo=UTC))]
    assert p1.versions.get().geom.area == pytest.approx(28 * 30, abs=0.5)
    assert Parcel.objects.filter(parcel_id=p1.parcel_id).count() == 1


def test_presentation_and_survey_objects_are_skipped_without_a_problem():
    result = cadastre_import(unit=factories.unit(), path=OLDER)

    assert result.skipped == {"PrezentacjaGraficzna": 2, "EGB_PunktGraniczny": 2}
    assert [p.code for p in result.problems] == ["area_mismatch"]


def test_buildings_link_to_their_parcels_and_map_the_kst_code():
    cadastre_import(unit=factories.unit(), path=OLDER)

    house = Building.objects.get(building_id="026101_1.0001.1.1_BUD")
    barn = Building.objects.get(building_id="026101_1.0001.2/1.1_BUD")
    assert (house.kst_class, house.storeys_above, house.storeys_below) == ("1110", 2, 1)
    assert list(house.parcels.all()) == [parcel("1")]
    assert (barn.kst_class, list(barn.parcels.all())) == ("1271", [parcel("2/1")])
    assert house.built_up_area_m2 == pytest.approx(Decimal("100.00"), abs=Decimal("0.5"))


def test_links_resolve_whatever_the_order_and_a_married_couple_holds_jointly():
    # The shares come first in the file, the register units and persons last.
    cadastre_import(unit=factories.unit(), path=OLDER)

    couple = OwnershipShare.objects.get(register_unit__register_id="026101_1.0001.G1")
    assert (couple.owner.first_name, couple.owner.surname) == ("Jan", "Kowalski")
    assert (couple.spouse.first_name, couple.spouse.surname) == ("Anna", "Kowalska")
    assert (couple.numerator, couple.denominator, couple.right) == (1, 1, "ownership")
    gmina = OwnershipShare.objects.get(register_unit__register_id="026101_1.0001.G2")
    assert (gmina.owner.kind, gmina.owner.name, gmina.owner.regon) == (
        "institution", "Gmina Legnica", "333400049")
    co_owners = OwnershipShare.objects.filter(register_unit__register_id="026101_1.0001.G3")
    assert sorted((s.owner.surname, s.numerator, s.denominator) for s in co_owners) == [
        ("Nowak", 1, 2), ("Wiśniewska", 1, 2)]
    assert RegisterUnit.objects.get(register_id="026101_1.0001.G2").group == 4


def test_an_area_that_differs_from_the_registered_one_is_reported_not_rejected():
    result = cadastre_import(unit=factories.unit(), path=OLDER)

    (problem,) = result.problems
    assert problem.severity == "warning" and problem.object_id == "026101_1.0001.5"
    assert problem.file == "egib2021_legnica.gml" and problem.line > 0
    assert problem.gml_id.endswith("0c1e5a05-7f3b-4c55-9a1d-2b6e8f0a0005_2023-02-01T09-00-00")
    assert "0.0901 ha drawn, 0.1500 ha registered" in problem.message
    assert parcel("5").registered_area_ha == Decimal("0.1500")


def test_reimporting_the_same_file_changes_nothing():
    unit = factories.unit()
    cadastre_import(unit=unit, path=OLDER)
    before = row_counts()
    stamps = dict(Parcel.objects.values_list("parcel_id", "updated_at"))

    result = cadastre_import(unit=unit, path=OLDER)

    totals = result.totals
    assert (totals.created, totals.updated, totals.retired, totals.removed) == (0, 0, 0, 0)
    assert result.counts["parcel"].unchanged == 5
    assert result.counts["building"].unchanged == 2
    assert result.counts["share"].unchanged == 4
    assert result.changed_extent is None
    assert row_counts() == before
    assert dict(Parcel.objects.values_list("parcel_id", "updated_at")) == stamps


def test_a_newer_export_updates_creates_and_retires_and_keeps_the_history():
    unit = factories.unit()
    cadastre_import(unit=unit, path=OLDER)
    old_p2, old_p3 = parcel("2/1"), parcel("3")

    result = cadastre_import(unit=unit, path=NEWER)

    counts = result.counts["parcel"]
    assert (counts.created, counts.updated, counts.retired, counts.unchanged) == (1, 1, 1, 3)
    new_p2 = parcel("2/1")
    assert new_p2.pk == old_p2.pk and new_p2.egib_version == V3
    (previous,) = new_p2.versions.all()
    assert (previous.egib_version, previous.registered_area_ha) == (V2, Decimal("0.0901"))
    assert previous.geom.equals_exact(old_p2.geom, 1e-6)
    assert previous.version_end == datetime(2025, 3, 1, 7, 0, tzinfo=UTC)
    assert sorted(previous.attributes["land_use"], key=lambda p: p["ofu"])[0]["ofu"] == "R"
    retired = Parcel.objects.get(pk=old_p3.pk)
    assert retired.retired_at is not None  # kept, never deleted
    assert parcel("6").registered_area_ha == Decimal("0.0901")
    assert parcel("1").versions.count() == 1


def test_the_changed_extent_covers_exactly_the_changed_parcels():
    unit = factories.unit()
    cadastre_import(unit=unit, path=OLDER)
    old_p2, old_p3 = parcel("2/1").geom, parcel("3").geom

    result = cadastre_import(unit=unit, path=NEWER)

    extent = result.changed_extent
    assert extent.srid == 2180 and extent.geom_type == "MultiPolygon"
    for changed in (old_p2, parcel("2/1").geom, old_p3, parcel("6").geom):
        assert extent.buffer(0.01).contains(changed)
    for unchanged in ("1", "4", "5"):
        assert not extent.intersects(parcel(unchanged).geom), unchanged
    assert extent.area == pytest.approx(old_p2.union(parcel("2/1").geom).area + 900 + 900, rel=1e-3)


def test_a_dry_run_counts_everything_and_writes_nothing():
    unit = factories.unit()
    before = row_counts()

    result = cadastre_import(unit=unit, path=OLDER, dry_run=True)

    assert result.dry_run and result.counts["parcel"].created == 5
    assert row_counts() == before


def test_an_invalid_polygon_is_repaired_in_the_database_and_reported():
    result = cadastre_import(unit=factories.unit(), path=FIXTURES / "invalid_bowtie.gml")

    problem = next(p for p in result.problems if p.code == "invalid_geometry")
    assert problem.severity == "warning" and problem.object_id == "026101_1.0001.4"
    assert "Self-intersection" in problem.message and "repaired" in problem.message
    geom = parcel("4").geom
    assert geom.valid and geom.geom_type == "MultiPolygon" and len(geom) == 2


def test_strict_rejects_an_invalid_polygon_and_writes_nothing():
    unit = factories.unit()
    before = row_counts()

    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=unit, path=FIXTURES / "invalid_bowtie.gml", strict=True)

    (problem,) = [p for p in caught.value.problems if p.severity == "error"]
    assert problem.code == "invalid_geometry" and "rejected under --strict" in problem.message
    assert problem.line > 0 and problem.gml_id
    assert row_counts() == before


def test_an_import_job_records_status_progress_counts_report_and_extent():
    unit = factories.unit()
    job = cadastre_import_job_create(unit=unit, source_name="eksport_2025.gml",
                                     source_path=str(OLDER))

    cadastre_import(unit=unit, path=OLDER, job=job)

    job = CadastreImport.objects.get(pk=job.pk)
    assert job.status == CadastreImport.SUCCEEDED and job.detected_format == "egib2021"
    assert job.progress_total == OLDER.stat().st_size and job.started_at and job.finished_at
    assert job.counts["parcel"]["created"] == 5 and job.counts["totals"]["created"] == 20
    assert [(p["code"], p["file"]) for p in job.report] == [("area_mismatch", "eksport_2025.gml")]
    assert job.changed_extent.contains(parcel("1").geom.point_on_surface)
    assert "5 created" not in job.message and "20 created" in job.message


def test_an_export_read_by_several_processes_gives_the_same_result(monkeypatch):
    # Large files are cut into windows at gml:featureMember starts and parsed in parallel;
    # here the threshold is lowered so that the small fixture is cut too.
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "workers", lambda: 3)
    plan = parallel.plan(OLDER, 3)
    assert len(plan.windows) == 3
    assert all(OLDER.read_bytes()[w.start:].startswith(b"<gml:featureMember>")
               for w in plan.windows)
    unit = factories.unit()

    result = cadastre_import(unit=unit, path=OLDER)

    assert {kind: c.created for kind, c in result.counts.items()} == {
        "precinct": 1, "register_unit": 3, "owner": 5, "share": 4, "parcel": 5, "building": 2}
    (problem,) = result.problems
    line = next(n for n, text in enumerate(OLDER.read_text().splitlines(), start=1)
                if problem.gml_id in text)
    assert problem.line == line
    assert result.skipped == {"PrezentacjaGraficzna": 2, "EGB_PunktGraniczny": 2}
    assert sorted(parcel("2/1").land_use.values_list("ofu", flat=True)) == ["R", "Ł"]
    assert parcel("1").versions.count() == 1

"""Bad input: a clear message naming file, line or gml:id, and nothing written.

Each test first imports a good export, so "nothing written" means the cadastre is
exactly as that import left it.
"""
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
from core.services import unit_boundary_set
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures" / "cadastre"
GOOD = FIXTURES / "egib2021_legnica.gml"
MODELS = (Precinct, Parcel, ParcelVersion, LandUsePiece, Building, BuildingVersion, RegisterUnit,
          Owner, OwnershipShare)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the source language; the product also speaks Polish."""
    with translation.override("en"):
        yield


@pytest.fixture
def unit():
    unit = factories.unit()
    cadastre_import(unit=unit, path=GOOD)
    return unit


def snapshot() -> dict:
    counts = {m.__name__: m.objects.count() for m in MODELS}
    parcels = set(Parcel.objects.values_list("parcel_id", "egib_version", "retired_at",
                                             "updated_at"))
    return {"counts": counts, "parcels": parcels}


def rejected(unit, path, **options) -> list:
    """Import, expect a rejection that changed nothing, return the errors."""
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=unit, path=path, **options)
    assert snapshot() == before
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert errors and caught.value.status == 400
    return errors


def test_a_file_that_is_not_xml_is_rejected(unit):
    (error,) = rejected(unit, FIXTURES / "bad_not_xml.gml")

    assert (error.file, error.line, error.code) == ("bad_not_xml.gml", 1, "unknown_format")
    assert "not XML" in error.message


def test_a_file_that_is_not_xml_is_rejected_when_the_format_is_named(unit):
    (error,) = rejected(unit, FIXTURES / "bad_not_xml.gml", fmt="egib2021")

    assert (error.line, error.code) == (1, "not_xml")
    assert str(error) == "bad_not_xml.gml:1: the file is not XML (it does not start with an " \
                         "XML element)"


def test_a_truncated_file_is_rejected_naming_the_line(unit):
    (error,) = rejected(unit, FIXTURES / "bad_truncated.gml")

    assert error.code == "xml_syntax" and error.file == "bad_truncated.gml"
    assert error.line == len((FIXTURES / "bad_truncated.gml").read_text().splitlines())
    assert "not well-formed XML" in error.message


def test_an_unknown_namespace_is_rejected_naming_what_was_expected(unit):
    (error,) = rejected(unit, FIXTURES / "bad_namespace.gml")

    assert error.code == "unknown_namespace" and error.line == 1
    assert "ewidencjaGruntowIBudynkow:1.0" in error.message
    assert "ewidencjaGruntowIBudynkow:9.9" in error.message


def test_an_unknown_namespace_is_rejected_when_the_format_is_named(unit):
    (error,) = rejected(unit, FIXTURES / "bad_namespace.gml", fmt="egib2021")

    assert error.code == "unknown_namespace"


def test_strict_a_parcel_without_geometry_refuses_the_file_naming_it(unit):
    (error,) = rejected(unit, FIXTURES / "bad_no_geometry.gml", strict=True)

    assert (error.code, error.object_id) == ("no_geometry", "026101_1.0001.4")
    assert error.gml_id == "PL.PZGiK.361.EGiB_0c1e5a04-7f3b-4c55-9a1d-2b6e8f0a0004_" \
                           "2023-02-01T09-00-00"
    assert error.line > 1 and "has no geometry" in error.message


def test_strict_a_duplicated_current_parcel_id_refuses_the_file(unit):
    # Two objects (distinct IIP identifiers) with one parcel id: imported leniently as a
    # data-quality finding; --strict keeps all-or-nothing.
    errors = rejected(unit, FIXTURES / "bad_duplicate_parcel.gml", strict=True)

    assert [(e.code, e.object_id) for e in errors] == [
        ("duplicate_parcel_id", "026101_1.0001.3")] * 2
    assert "appears 2 times as a current version" in errors[0].message and errors[0].line > 1


def test_strict_coordinates_outside_poland_with_swapped_axes_refuse_the_file(unit):
    (error,) = rejected(unit, FIXTURES / "bad_swapped_axes.gml", strict=True)

    assert (error.code, error.object_id) == ("outside_poland", "026101_1.0001.4")
    assert "axis order" in error.message and "EPSG:2176" in error.message and error.gml_id


def test_parcels_of_another_unit_are_rejected():
    other = factories.unit(teryt="020101_1", name="Bolesławiec")

    errors = rejected(other, GOOD)

    (whole,) = [e for e in errors if e.code == "other_unit"]
    assert whole.message == "The file holds data of unit 026101_1, not of 020101_1, the unit " \
                            "being imported."
    parcel_errors = [e for e in errors if e.code == "bad_parcel_id"]
    assert len(parcel_errors) == 6  # five parcels, one with an archived version
    assert "belongs to unit 026101_1, not to the unit being imported (020101_1)" in \
        parcel_errors[0].message
    assert Parcel.objects.filter(unit=other).count() == 0


def test_a_path_that_does_not_exist_is_rejected(unit, tmp_path):
    (error,) = rejected(unit, tmp_path / "brak.gml")

    assert error.code == "no_file" and "brak.gml" in error.message


def test_an_empty_file_is_rejected(unit, tmp_path):
    empty = tmp_path / "pusty.gml"
    empty.write_bytes(b"")

    (error,) = rejected(unit, empty)

    assert (error.file, error.code) == ("pusty.gml", "empty_file")


def test_a_voivodeship_cannot_receive_a_cadastre_export():
    voivodeship = factories.unit(teryt="02", name="województwo dolnośląskie")

    (error,) = rejected(voivodeship, GOOD)

    assert error.code == "unit_not_gmina"


def test_a_failed_strict_job_records_the_report_and_writes_nothing(unit):
    job = cadastre_import_job_create(unit=unit, source_name="obręb_0001.gml",
                                     source_path=str(FIXTURES / "bad_duplicate_parcel.gml"),
                                     strict=True)

    rejected(unit, FIXTURES / "bad_duplicate_parcel.gml", job=job, strict=True)

    job.refresh_from_db()
    assert job.status == CadastreImport.FAILED and job.finished_at
    errors = [(p["code"], p["file"]) for p in job.report if p["severity"] == "error"]
    assert errors == [("duplicate_parcel_id", "obręb_0001.gml")] * 2
    assert job.counts["parcel"]["rejected"] == 2 and job.changed_extent is None
    assert "026101_1.0001.3" in job.message


def test_strict_swapped_axes_in_pl_1992_are_caught_by_the_unit_boundary(unit):
    # In EPSG:2180 both orders fall inside Poland's extent; the unit's boundary decides.
    unit_boundary_set(unit=unit, boundary=factories.box(310000, 380000, 330000, 395000))

    (error,) = rejected(unit, FIXTURES / "bad_swapped_axes_2180.gml", strict=True)

    assert (error.code, error.object_id) == ("outside_unit", "026101_1.0001.3")
    assert "outside the unit's boundary" in error.message and "axis order" in error.message


def test_a_truncated_file_read_in_parallel_is_read_again_and_rejected_at_its_line(
        unit, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    path = FIXTURES / "bad_truncated.gml"
    assert parallel.plan(path, 2) is not None

    (error,) = rejected(unit, path)

    assert error.code == "xml_syntax"
    assert error.line == len(path.read_text().splitlines())

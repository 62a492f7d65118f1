"""Files as counties send them: vendor defects, mixed feature types, SWDE encodings.

Fixtures in tests/fixtures/cadastre/real reproduce each kind of defect seen in real
exports (hand-made, precinct 0005 of Legnica): every building with the placeholder
idBudynku 026101_1.0005.0, KŚT letters and an unknown class, a dzialkaZabudowana link
to a parcel not in the file, a registered area 0.05 ha off the drawn one with no
accuracy stated, one parcel id held by two objects, one parcel with swapped axes,
BDOT500, GESUT, presentation and boundary-point features (an archived version whose
registered area differs, which is history and no finding); a renumbered parcel in a
newer export; SWDE in UTF-8 with and without a BOM and in ISO-8859-2, one with
documents and addresses only, one of another gmina.
"""
import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from cadastre_sync.errors import ImportRejected
from cadastre_sync.models import Building, CadastreImport, Parcel, ParcelVersion, Precinct
from cadastre_sync.services import cadastre_import
from tests import factories

REAL = Path(__file__).parent / "fixtures" / "cadastre" / "real"
VENDOR = REAL / "egib2021_vendor.gml"
RENUMBERED = REAL / "egib2021_vendor_renumbered.gml"
P = "026101_1.0005."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def codes(result) -> dict[str, int]:
    found: dict[str, int] = {}
    for problem in result.problems:
        found[problem.code] = found.get(problem.code, 0) + 1
    return found


def current_parcels() -> list[tuple[str, str]]:
    return sorted(Parcel.objects.filter(retired_at__isnull=True)
                  .values_list("parcel_id", "egib_local_id"))


def test_a_vendor_export_is_imported_leaving_out_only_the_faulty_parcel():
    result = cadastre_import(unit=factories.unit(), path=VENDOR)

    assert (result.counts["parcel"].created, result.counts["parcel"].rejected) == (5, 1)
    assert result.counts["building"].created == 3
    assert current_parcels() == [(P + "1", "a1"), (P + "2", "a2"), (P + "3", "a3"),
                                 (P + "5", "a5"), (P + "5", "a6")]
    assert result.errors == 1 and codes(result) == {
        "outside_poland": 1, "malformed_building_id": 3, "duplicate_building_id": 3,
        "duplicate_parcel_id": 2, "unknown_kst": 1, "area_mismatch": 1, "unresolved_link": 1}
    (refused,) = [p for p in result.problems if p.severity == "error"]
    assert (refused.object_id, refused.line, refused.kind) == (P + "4", 139, "parcel")
    assert "PL.PZGiK.361.EGiB_a4_" in refused.gml_id


def test_placeholder_building_ids_are_imported_under_their_iip_identity():
    cadastre_import(unit=factories.unit(), path=VENDOR)

    buildings = sorted(Building.objects.values_list("egib_local_id", "building_id",
                                                    "kst_class"))
    # KŚT letters: m (residential, 110) and g (farm buildings, 108); "x" is no class.
    assert buildings == [("b1", P + "0", "1110"), ("b2", P + "0", "1271"),
                         ("b3", P + "0", "1274")]
    b2 = Building.objects.get(egib_local_id="b2")
    assert [p.parcel_id for p in b2.parcels.all()] == [P + "2"]  # the dangling link dropped


def test_unmodelled_feature_types_are_skipped_and_counted():
    result = cadastre_import(unit=factories.unit(), path=VENDOR)

    assert result.skipped == {"PrezentacjaGraficzna": 1, "EGB_PunktGraniczny": 1,
                              "OT_Budowla": 2, "GES_PrzewodWodociagowy": 1}


def test_strict_refuses_the_vendor_export_and_writes_nothing():
    unit = factories.unit()

    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=unit, path=VENDOR, strict=True)

    errors = [p.code for p in caught.value.problems if p.severity == "error"]
    assert sorted(set(errors)) == ["duplicate_building_id", "duplicate_parcel_id",
                                   "malformed_building_id", "outside_poland"]
    assert not Parcel.objects.exists() and not Building.objects.exists()
    assert not Precinct.objects.exists()


def test_a_renumbered_parcel_is_followed_by_its_iip_identifier():
    unit = factories.unit()
    cadastre_import(unit=unit, path=VENDOR)
    before = Parcel.objects.get(egib_local_id="a1")

    result = cadastre_import(unit=unit, path=RENUMBERED)

    after = Parcel.objects.get(egib_local_id="a1")
    assert after.pk == before.pk and after.retired_at is None
    assert (after.parcel_id, after.number) == (P + "10", "10")
    assert (result.counts["parcel"].updated, result.counts["parcel"].retired,
            result.counts["parcel"].created) == (1, 0, 0)
    history = ParcelVersion.objects.get(parcel=after)
    assert history.attributes["parcel_id"] == P + "1"
    assert not Parcel.objects.filter(parcel_id=P + "1").exists()


def test_reimporting_the_vendor_export_changes_nothing():
    unit = factories.unit()
    cadastre_import(unit=unit, path=VENDOR)

    result = cadastre_import(unit=unit, path=VENDOR)

    assert result.counts["parcel"].unchanged == 5 and result.counts["parcel"].updated == 0
    assert result.counts["building"].unchanged == 3 and result.counts["building"].updated == 0
    assert result.counts["parcel"].retired == 0 and result.counts["building"].retired == 0


def test_a_parcel_refused_again_keeps_what_is_stored_of_it():
    unit = factories.unit()
    cadastre_import(unit=unit, path=VENDOR)
    # given the stored object the export's faulty parcel (a4) is a version of
    stored = Parcel.objects.get(egib_local_id="a2")
    Parcel.objects.filter(pk=stored.pk).update(egib_local_id="a4", parcel_id=P + "4")

    result = cadastre_import(unit=unit, path=VENDOR)

    kept = Parcel.objects.get(pk=stored.pk)
    assert kept.retired_at is None and result.counts["parcel"].rejected == 1


@pytest.mark.parametrize("name", ["swde_utf8_bom.swd", "swde_utf8.swd", "swde_iso8859_2.swd"])
def test_swde_encodings_are_detected_from_the_content(name):
    result = cadastre_import(unit=factories.unit(), path=REAL / name)

    assert (result.format, result.errors, result.warnings) == ("swde", 0, 0)
    assert Precinct.objects.get(number="0007").name == "Śródmieście Północ"
    assert Parcel.objects.get().parcel_id == "026101_1.0007.71"


def test_a_swde_file_without_parcels_is_refused_saying_what_it_holds():
    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=factories.unit(), path=REAL / "swde_documents_only.swd")

    (error,) = caught.value.problems
    assert error.code == "no_parcels"
    assert error.message == "This file holds no parcels (only: addresses 3, documents 2)."
    assert not Precinct.objects.exists()


def test_another_units_swde_is_refused_naming_both_units():
    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=factories.unit(), path=REAL / "swde_other_unit.swd")

    (error,) = caught.value.problems
    assert error.code == "other_unit"
    assert "142401_2" in error.message and "026101_1" in error.message
    assert not Precinct.objects.exists()


def run_command(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_cadastre", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_one_grouped_report_in_polish():
    factories.unit()

    with translation.override("pl"):
        out, _ = run_command(str(VENDOR), unit="026101_1")

    lines = out.splitlines()
    assert lines[-1].startswith("egib2021_vendor.gml (egib2021): zaimportowano.")
    assert "Błędy (1):" in lines and "Ostrzeżenia (11):" in lines
    assert "  Jeden identyfikator budynku ma kilka obiektów: 3" in lines
    assert "  Pole ewidencyjne różni się od pola z geometrii: 1" in lines
    assert "  Współrzędne poza Polską (zamienione osie?): 1" in lines
    # three examples a group, never a line per object beyond them
    assert sum("026101_1.0005.0" in line for line in lines) == 3 + 3 + 1 + 1
    assert any(line.startswith("Pominięto (nieobsługiwane):") and "BDOT500" in line
               and "GESUT" in line for line in lines)
    assert "{" not in out  # no Python dicts


def test_the_command_strict_refuses_with_the_grouped_report():
    factories.unit()

    with pytest.raises(CommandError, match="not imported, nothing was changed"):
        _, err = run_command(str(VENDOR), unit="026101_1", strict=True)

    assert not Parcel.objects.exists()
    job = CadastreImport.objects.get()
    assert job.status == CadastreImport.FAILED
    assert job.counts["problems"]["duplicate_building_id"] == 3


def test_the_job_page_shows_the_grouped_report_and_the_csv_lists_every_problem(client):
    unit = factories.unit()
    run_command(str(VENDOR), unit="026101_1")
    job = CadastreImport.objects.get()
    client.force_login(factories.user(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:cadastre_sync_cadastreimport_change", args=[job.pk]))
    download = client.get(reverse("admin:cadastre_sync_cadastreimport_report_csv",
                                  args=[job.pk]))

    assert page.status_code == 200
    assert "Jeden identyfikator budynku ma kilka obiektów: 3" in page.content.decode()
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["waga", "kod", "problem"] and len(rows) == 1 + 12
    assert {r[1] for r in rows[1:]} == {
        "outside_poland", "malformed_building_id", "duplicate_building_id",
        "duplicate_parcel_id", "unknown_kst", "area_mismatch", "unresolved_link"}
    assert unit.pk == job.unit_id


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_unit_staff"])
def test_the_report_csv_is_refused_to_those_who_may_not_see_the_job(client, who):
    factories.unit()
    run_command(str(VENDOR), unit="026101_1")
    job = CadastreImport.objects.get()
    other = factories.unit(teryt="020101_1", name="Bolesławiec")
    if who == "resident":
        client.force_login(factories.user())
    elif who == "other_unit_staff":
        client.force_login(factories.staff(other, "unit_admin"))

    response = client.get(reverse("admin:cadastre_sync_cadastreimport_report_csv",
                                  args=[job.pk]))

    assert response.status_code in (302, 404)
    assert "text/csv" not in response.get("Content-Type", "")

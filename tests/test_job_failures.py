"""Every job ends: an unexpected error ends it as failed with the reason and nothing written,
whichever job it is and wherever the error comes from (a file, a bug, the database)."""
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation
from openpyxl import Workbook

from cadastre_sync import services as cadastre_services
from cadastre_sync.models import (
    Parcel,
    ReconciliationRun,
    TaxFinding,
    TaxImport,
    Taxpayer,
)
from cadastre_sync.services import cadastre_import, cadastre_import_job_create
from cadastre_sync.tax import importer as tax_importer
from cadastre_sync.tax import reconcile as reconcile_module
from cadastre_sync.tax.reconcile import reconcile
from cadastre_sync.tax.services import tax_import_job_run
from layers import cache_refresh, rasters
from layers.cache_refresh import tile_cache_job_run
from layers.models import RasterImport, TileCacheJob
from tests import factories
from tests.conftest import PARCEL
from tests.tax_factories import YEAR, discrepancy_gmina, pesel

pytestmark = pytest.mark.django_db

OLDER = Path(__file__).parent / "fixtures" / "cadastre" / "egib2021_legnica.gml"
HEADER = ("nr_konta;rola;pesel;regon;nip;imie;nazwisko;nazwa;przedmiot;id_dzialki;id_budynku;"
          "kategoria;uzytek;klasa;pow_ha;pow_uzytkowa_m2")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def workbook(tmp_path, sheet_prefix: bytes = b"") -> Path:
    """A valid tax export as XLSX, its sheet XML optionally preceded by `sheet_prefix`
    (the owner's first name is then the entity `big`)."""
    book = Workbook()
    book.active.append(HEADER.split(";"))
    book.active.append(["K/1", "podatnik", pesel(1), None, None, "&big;", "Żurawski", None,
                        "grunt", "026101_1.0001.10", None, "pozostałe", None, None, 0.09, None])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    path = tmp_path / "podatki.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if sheet_prefix and item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_prefix + data.replace(b"&amp;big;", b"&big;")
            out.writestr(item, data)
    return path


# A billion laughs: ten levels of ten references each.
ENTITIES = b"<!DOCTYPE worksheet [<!ENTITY e0 \"lol\">" + b"".join(
    b"<!ENTITY e%d \"%s\">" % (i, b"&e%d;" % (i - 1) * 10) for i in range(1, 10)
) + b"<!ENTITY big \"&e9;\">]>"


def test_a_tax_xlsx_whose_sheet_declares_an_entity_bomb_fails_with_the_reason(tmp_path):
    unit = factories.unit()

    job, result = tax_import_job_run(unit=unit, path=workbook(tmp_path, ENTITIES), strict=False)

    assert result is None and job.status == TaxImport.FAILED
    assert job.report[0]["code"] == "unreadable"
    assert "cannot be read" in job.report[0]["message"]
    assert "entities" in job.report[0]["message"] and str(tmp_path) not in job.report[0]["message"]
    assert Taxpayer.objects.count() == 0


def test_a_tax_file_that_is_a_broken_zip_fails_with_the_reason(tmp_path):
    unit = factories.unit()
    whole = workbook(tmp_path).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[: len(whole) // 2])

    job, result = tax_import_job_run(unit=unit, path=path, strict=False)

    assert result is None and job.status == TaxImport.FAILED
    assert job.report[0]["code"] == "unreadable" and "zip" in job.report[0]["message"].lower()
    assert Taxpayer.objects.count() == 0


def boom(*args, **kwargs):
    raise RuntimeError("boom: something nobody foresaw")


def assert_failed_with_the_reason(job) -> None:
    job.refresh_from_db()
    assert job.status == job.FAILED and job.finished_at is not None
    assert job.message == ("Stopped by an unexpected error, nothing was written: "
                           "boom: something nobody foresaw")


def test_an_unexpected_error_in_a_cadastre_import_fails_its_job(monkeypatch):
    unit = factories.unit()
    job = cadastre_import_job_create(unit=unit, source_name=OLDER.name, source_path=str(OLDER))
    monkeypatch.setattr(cadastre_services, "merge", boom)

    with pytest.raises(RuntimeError):
        cadastre_import(unit=unit, path=OLDER, job=job)

    assert_failed_with_the_reason(job)
    assert Parcel.objects.count() == 0


def test_an_unexpected_error_in_a_tax_import_fails_its_job(tmp_path, monkeypatch):
    unit = factories.unit()
    monkeypatch.setattr(tax_importer.merge_sql, "merge", boom)
    job = TaxImport.objects.create(unit=unit, source_name="podatki.xlsx")

    with pytest.raises(RuntimeError):
        tax_import_job_run(unit=unit, path=workbook(tmp_path), strict=False, job=job)

    assert_failed_with_the_reason(job)
    assert Taxpayer.objects.count() == 0


def test_an_unexpected_error_in_a_reconciliation_fails_its_run(monkeypatch):
    g = discrepancy_gmina()
    run = ReconciliationRun.objects.create(unit=g.unit, year=YEAR)
    monkeypatch.setattr(reconcile_module, "_merge", boom)

    with pytest.raises(RuntimeError):
        reconcile(unit=g.unit, year=YEAR, run=run)

    assert_failed_with_the_reason(run)
    assert TaxFinding.objects.count() == 0


def test_an_unexpected_error_in_a_raster_import_fails_its_job(tmp_path, monkeypatch):
    upload = tmp_path / "orto.tif"
    upload.write_bytes(b"II*\x00")
    job = RasterImport.objects.create(unit=factories.unit(), source_name="orto.tif",
                                      source_path=str(upload), title="Orto")
    monkeypatch.setattr(rasters, "raster_add", boom)

    with pytest.raises(RuntimeError):
        rasters.raster_import_run(job=job)

    assert_failed_with_the_reason(job)
    assert not upload.exists()


def test_an_unexpected_error_in_a_tile_seed_fails_its_job(monkeypatch):
    job = TileCacheJob.objects.create(unit=factories.unit(), kind=TileCacheJob.SEED,
                                      area=factories.box(*PARCEL), levels=[0])
    monkeypatch.setattr(cache_refresh, "_run", boom)

    with pytest.raises(RuntimeError):
        tile_cache_job_run(job=job)

    job.refresh_from_db()
    # A seed keeps what it drew and says how to go on.
    assert job.status == TileCacheJob.FAILED and "Run it again to continue" in job.message


@pytest.mark.django_db(transaction=True)
def test_a_reconciliation_whose_database_connection_dies_ends_failed(monkeypatch):
    g = discrepancy_gmina()
    run = ReconciliationRun.objects.create(unit=g.unit, year=YEAR)
    # The server ends the job's session in the middle of the steps, as a restart would.
    steps = list(reconcile_module.STEPS)
    steps.insert(2, ("restart", ("SELECT pg_terminate_backend(pg_backend_pid())",)))
    monkeypatch.setattr(reconcile_module, "STEPS", tuple(steps))

    with pytest.raises(Exception, match="terminat"):
        reconcile(unit=g.unit, year=YEAR, run=run)

    connection.close()
    run.refresh_from_db()
    assert run.status == ReconciliationRun.FAILED and "terminat" in run.message
    assert TaxFinding.objects.count() == 0

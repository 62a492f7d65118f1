"""Starting an import: the management command, the admin upload and the background task."""
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from procrastinate import testing
from procrastinate.contrib.django import app

from cadastre_sync.models import CadastreImport, Parcel, Precinct
from cadastre_sync.selectors import cadastre_changed_extent, cadastre_import_list
from cadastre_sync.services import cadastre_import, cadastre_import_job_create
from cadastre_sync.tasks import cadastre_import_task
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures" / "cadastre"
OLDER = FIXTURES / "egib2021_legnica.gml"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def queue():
    connector = testing.InMemoryConnector()
    with app.replace_connector(connector):
        yield connector


def command(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_cadastre", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_prints_counts_and_records_a_job():
    factories.unit()

    out, _ = command(str(OLDER), unit="026101_1")

    assert "Warnings (" in out and "egib2021_legnica.gml:" in out and "(026101_1.0001.5)" in out
    parcel_line = next(line for line in out.splitlines() if line.startswith("parcels "))
    assert parcel_line.split() == ["parcels", "5", "0", "0", "0", "0"]
    assert "egib2021_legnica.gml (egib2021): imported. Job" in out
    job = CadastreImport.objects.get()
    assert job.status == CadastreImport.SUCCEEDED and job.counts["parcel"]["created"] == 5
    assert Parcel.objects.count() == 5


def test_the_command_dry_run_writes_nothing():
    factories.unit()

    out, _ = command(str(OLDER), unit="026101_1", dry_run=True)

    assert "checked, nothing written (dry run)" in out and Parcel.objects.count() == 0


def test_the_command_names_the_unit_option_when_the_unit_is_wrong():
    factories.unit()

    with pytest.raises(CommandError, match=r"^--unit 026199_1: no unit with this TERYT"):
        command(str(OLDER), unit="026199_1")
    with pytest.raises(CommandError, match=r"^--unit 12x: .*not a TERYT code"):
        command(str(OLDER), unit="12x")
    assert CadastreImport.objects.count() == 0


def test_the_command_reports_a_rejected_file_and_fails():
    factories.unit()

    with pytest.raises(CommandError, match="not imported, nothing was changed") as caught:
        command(str(FIXTURES / "bad_duplicate_parcel.gml"), unit="026101_1", strict=True)

    assert "2 errors" in str(caught.value)
    assert CadastreImport.objects.get().status == CadastreImport.FAILED
    assert Parcel.objects.count() == 0


def test_the_command_rejects_a_malformed_field_mapping():
    factories.unit()

    with pytest.raises(CommandError, match="^--map: write field=SOURCE_FIELD pairs"):
        command(str(OLDER), unit="026101_1", map="parcel_id")


def test_an_upload_in_the_admin_is_stored_queued_and_run_by_the_task(
        client, settings, tmp_path, queue, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    unit = factories.unit()
    admin = factories.user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    upload = SimpleUploadedFile("eksport starostwa.gml", OLDER.read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/cadastre_sync/cadastreimport/add/", {
            "unit": unit.pk, "upload": upload, "format": "auto", "field_map": ""})

    job = CadastreImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/change/")
    assert (job.status, job.source_name, job.created_by) == ("queued", "eksport starostwa.gml",
                                                             admin)
    stored = Path(job.source_path)
    assert stored.parent == tmp_path / "cadastre_imports" and stored.suffix == ".gml"
    assert stored.read_bytes() == OLDER.read_bytes() and job.source_size == stored.stat().st_size
    (queued,) = queue.jobs.values()
    assert (queued["task_name"], queued["queue_name"], queued["args"]) == (
        "cadastre_sync.import", "imports", {"job_id": job.pk})

    cadastre_import_task(**queued["args"])

    job.refresh_from_db()
    assert job.status == CadastreImport.SUCCEEDED and Parcel.objects.count() == 5
    page = client.get(f"/admin/cadastre_sync/cadastreimport/{job.pk}/change/")
    assert page.status_code == 200 and "026101_1.0001.5" in page.content.decode()


def test_the_task_is_safe_to_run_twice():
    unit = factories.unit()
    job = CadastreImport.objects.create(unit=unit, source_name="a.gml", source_path=str(OLDER))

    cadastre_import_task(job_id=job.pk)
    first = CadastreImport.objects.get(pk=job.pk).finished_at
    cadastre_import_task(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == CadastreImport.SUCCEEDED and job.finished_at == first
    assert Parcel.objects.count() == 5


def test_an_admin_upload_with_a_bad_mapping_is_refused_with_the_reason(client, settings,
                                                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path
    unit = factories.unit()
    client.force_login(factories.user(is_staff=True, is_superuser=True))

    response = client.post("/admin/cadastre_sync/cadastreimport/add/", {
        "unit": unit.pk, "upload": SimpleUploadedFile("d.geojson", b"{}"), "format": "ogr",
        "field_map": "parcel_id"})

    # the reason in the office's language (the admin speaks Polish by default)
    assert response.status_code == 200 and "podaj pary atrybut=POLE_ŹRÓDŁOWE" in \
        response.content.decode()
    assert CadastreImport.objects.count() == 0 and not (tmp_path / "cadastre_imports").exists()


def test_the_changed_extent_since_a_time_joins_the_imports_after_it():
    unit = factories.unit()
    first = cadastre_import_job_create(unit=unit, source_name="a.gml", source_path=str(OLDER))
    cadastre_import(unit=unit, path=OLDER, job=first)
    first.refresh_from_db()
    newer = FIXTURES / "egib2021_legnica_newer.gml"
    second = cadastre_import_job_create(unit=unit, source_name="b.gml", source_path=str(newer))
    cadastre_import(unit=unit, path=newer, job=second)
    second.refresh_from_db()

    since_first = cadastre_changed_extent(unit=unit, since=first.finished_at)
    since_start = cadastre_changed_extent(unit=unit, since=first.created_at)

    assert since_first.equals(second.changed_extent)
    assert since_start.area == pytest.approx(first.changed_extent.union(
        second.changed_extent).area)
    assert cadastre_changed_extent(unit=unit, since=second.finished_at) is None


def test_import_jobs_are_listed_only_for_the_units_a_user_may_see():
    unit = factories.unit()
    CadastreImport.objects.create(unit=unit, source_name="a.gml")
    CadastreImport.objects.create(unit=factories.unit(teryt="020101_1", name="Bolesławiec"),
                                  source_name="b.gml")
    admin = factories.user(is_superuser=True)
    stranger = factories.user()

    assert [j.source_name for j in cadastre_import_list(user=admin, unit=unit)] == ["a.gml"]
    assert cadastre_import_list(user=admin).count() == 2
    assert cadastre_import_list(user=stranger).count() == 0


def test_a_renamed_precinct_adds_its_outline_to_the_changed_extent(tmp_path):
    # given an imported export whose precinct has an outline on the map
    unit = factories.unit()
    cadastre_import(unit=unit, path=OLDER,
                    job=cadastre_import_job_create(unit=unit, source_name="a.gml",
                                                   source_path=str(OLDER)))
    outline = factories.box(317000, 385000, 319000, 387000)
    Precinct.objects.filter(unit=unit, number="0001").update(geom=outline)
    renamed = tmp_path / "renamed.gml"
    renamed.write_text(OLDER.read_text(encoding="utf-8").replace(
        "<egb:nazwaWlasna>Centrum</egb:nazwaWlasna>",
        "<egb:nazwaWlasna>Śródmieście</egb:nazwaWlasna>"), encoding="utf-8")

    # when the same export comes again with only the precinct's name changed
    job = cadastre_import_job_create(unit=unit, source_name="b.gml", source_path=str(renamed))
    cadastre_import(unit=unit, path=renamed, job=job)
    job.refresh_from_db()

    # then the precinct is renamed and its outline is what the tiles must redraw
    assert Precinct.objects.get(unit=unit, number="0001").name == "Śródmieście"
    assert job.counts["precinct"]["updated"] == 1 and job.counts["parcel"]["updated"] == 0
    assert job.changed_extent.covers(outline) and job.changed_extent.area == outline.area


def test_the_same_export_again_changes_no_extent_for_its_precincts():
    unit = factories.unit()
    for name in ("a.gml", "b.gml"):
        job = cadastre_import_job_create(unit=unit, source_name=name, source_path=str(OLDER))
        cadastre_import(unit=unit, path=OLDER, job=job)
    Precinct.objects.filter(unit=unit).update(geom=factories.box(317000, 385000, 319000, 387000))

    job = cadastre_import_job_create(unit=unit, source_name="c.gml", source_path=str(OLDER))
    cadastre_import(unit=unit, path=OLDER, job=job)
    job.refresh_from_db()

    assert job.counts["precinct"]["updated"] == 0 and job.changed_extent is None

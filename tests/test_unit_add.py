"""A gmina's first day: `unit_add` hosts it; its boundary comes from a file or its cadastre."""
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from procrastinate import testing
from procrastinate.contrib.django import app

from cadastre_sync.models import Parcel
from cadastre_sync.services import cadastre_import as import_only
from cadastre_sync.tasks import unit_boundary_task
from core.admin import AdministrativeUnitForm
from core.models import AdministrativeUnit
from core.services import unit_boundary_set
from tests import factories

PRG = Path(__file__).parent / "fixtures" / "units" / "prg_gminy.geojson"
CADASTRE = Path(__file__).parent / "fixtures" / "cadastre" / "egib2021_legnica.gml"

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    connector = testing.InMemoryConnector()
    with app.replace_connector(connector):
        yield connector


@pytest.fixture
def cadastre_import(queue, django_capture_on_commit_callbacks):
    """Import, then run the jobs the import queued once committed (as the worker does)."""
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = import_only(**kwargs)
        for job in list(queue.jobs.values()):
            if job["task_name"] == "cadastre_sync.unit_boundary" and job["status"] == "todo":
                job["status"] = "succeeded"
                unit_boundary_task(**job["args"])
        return result
    return run


def unit_add(*args: str) -> str:
    out = StringIO()
    call_command("unit_add", *args, stdout=out)
    return out.getvalue()


def test_unit_add_creates_a_gmina_with_its_boundary_from_a_prg_file():
    output = unit_add("026101_1", "--name", "Legnica", "--boundary", str(PRG))

    unit = AdministrativeUnit.objects.get(teryt="026101_1")
    assert (unit.name, unit.level, unit.boundary_source) == ("Legnica", "gmina", "")
    assert unit.boundary.srid == 2180 and unit.boundary.extent == (310000, 380000, 330000, 395000)
    assert "300.00 km²" in output and "Legnica (026101_1) jest obsługiwana" in output


def test_unit_add_without_a_boundary_leaves_it_to_the_first_cadastre_import(cadastre_import):
    unit_add("026101_1", "--name", "Legnica")

    unit = AdministrativeUnit.objects.get(teryt="026101_1")
    assert unit.boundary is None
    cadastre_import(unit=unit, path=CADASTRE)
    unit.refresh_from_db()
    assert unit.boundary_source == "cadastre"
    parcels = Parcel.objects.filter(unit=unit, retired_at__isnull=True)
    assert parcels.count() == 5
    assert all(unit.boundary.buffer(0.05).contains(p.geom) for p in parcels)
    assert abs(unit.boundary.area - sum(p.geom.area for p in parcels)) < 1


def test_a_derived_boundary_follows_the_next_import(cadastre_import):
    unit = factories.unit()
    cadastre_import(unit=unit, path=CADASTRE)
    unit.refresh_from_db()
    before = unit.boundary.area

    cadastre_import(unit=unit, path=CADASTRE.with_name("egib2021_legnica_newer.gml"))

    unit.refresh_from_db()
    current = Parcel.objects.filter(unit=unit, retired_at__isnull=True)
    assert unit.boundary_source == "cadastre"
    assert abs(unit.boundary.area - sum(p.geom.area for p in current)) < 1
    assert unit.boundary.area != before


def test_a_given_boundary_is_never_replaced_by_an_import(cadastre_import):
    unit = factories.unit()
    given = factories.box(310000, 380000, 330000, 395000)
    unit_boundary_set(unit=unit, boundary=given)

    cadastre_import(unit=unit, path=CADASTRE)

    unit.refresh_from_db()
    assert unit.boundary_source == "" and unit.boundary.equals(given)


def test_unit_add_refuses_a_file_without_the_unit_and_creates_nothing():
    with pytest.raises(CommandError, match="jednostki 026105_2 .*JPT_KOD_JE jako 0261052"):
        unit_add("026105_2", "--name", "Chojnów", "--boundary", str(PRG))

    assert not AdministrativeUnit.objects.filter(teryt="026105_2").exists()


def test_unit_add_refuses_a_bad_code_and_a_unit_already_hosted():
    factories.unit()
    with pytest.raises(CommandError, match="jest już obsługiwana"):
        unit_add("026101_1", "--name", "Legnica")
    with pytest.raises(CommandError, match="999"):
        unit_add("999999_9", "--name", "Nowhere")


def test_unit_add_gives_a_hosted_unit_its_boundary_later(cadastre_import):
    unit = factories.unit()
    cadastre_import(unit=unit, path=CADASTRE)

    unit_add("026101_1", "--boundary", str(PRG))

    unit.refresh_from_db()
    assert unit.boundary_source == "" and unit.boundary.extent == (310000, 380000, 330000,
                                                                    395000)


def test_the_admin_form_reads_the_boundary_from_an_uploaded_file():
    upload = SimpleUploadedFile("gminy.geojson", PRG.read_bytes())

    form = AdministrativeUnitForm(data={"teryt": "020101_1", "name": "Bolesławiec"},
                                  files={"boundary_file": upload})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["boundary"].extent == (260000, 390000, 270000, 400000)


def test_the_admin_form_names_what_is_wrong_with_the_file():
    upload = SimpleUploadedFile("gminy.geojson", PRG.read_bytes())

    form = AdministrativeUnitForm(data={"teryt": "026105_2", "name": "Chojnów"},
                                  files={"boundary_file": upload})

    assert not form.is_valid()
    assert "JPT_KOD_JE" in form.errors["boundary_file"][0]


def test_unit_add_reads_a_zipped_prg_shapefile():
    unit_add("026101_1", "--name", "Legnica", "--boundary", str(PRG.with_name(
        "prg_gminy_shp.zip")))

    unit = AdministrativeUnit.objects.get(teryt="026101_1")
    assert unit.boundary.extent == (310000, 380000, 330000, 395000)


def test_unit_add_reads_a_zip_named_through_gdals_virtual_file_system():
    unit_add("026101_1", "--name", "Legnica", "--boundary",
             "/vsizip/" + str(PRG.with_name("prg_gminy_shp.zip")))

    unit = AdministrativeUnit.objects.get(teryt="026101_1")
    assert unit.boundary.extent == (310000, 380000, 330000, 395000)

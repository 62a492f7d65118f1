"""Tax register pages, exports and the findings layer: who may see what, and what they do.

A tax officer of the unit works the findings; a case officer of the same unit, a
resident, another unit's tax officer and the unit's administrator are refused on every
path (pages, actions, exports, the map layer) and leave nothing changed behind them.
"""
import csv
import io
import tempfile

import pytest
from django.contrib.gis.gdal import DataSource
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from PIL import Image

from cadastre_sync.models import (
    FindingEvent,
    PersonalDataAccess,
    ReconciliationRun,
    TaxFinding,
    TaxImport,
    TaxObject,
)
from cadastre_sync.tax.reconcile import reconcile
from cadastre_sync.tax.rules import CATEGORY_COLOURS
from cadastre_sync.tax.services import reconciliation_run_queued, tax_import_run_queued
from core.models import AdministrativeUnit
from core.roles import CASE_OFFICER, TAX_OFFICER, UNIT_ADMIN
from layers.access import layer_scope_named
from tests import factories
from tests.tax_factories import YEAR, discrepancy_gmina, pesel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def gmina():
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    return g


@pytest.fixture
def people(gmina):
    other = factories.unit("020101_1", "Bolesławiec")
    return {
        "tax": factories.staff(gmina.unit, TAX_OFFICER, "podatki_a"),
        "planner": factories.staff(gmina.unit, CASE_OFFICER, "urzednik_a"),
        "admin": factories.staff(gmina.unit, UNIT_ADMIN, "adminjst_a"),
        "resident": factories.user("mieszkaniec_a"),
        "other_tax": factories.staff(other, TAX_OFFICER, "podatki_b"),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def paths(g) -> dict[str, str]:
    finding = TaxFinding.objects.filter(unit=g.unit, category="owner_mismatch").first()
    base = f"/podatki/{g.unit.teryt}"
    return {"findings": f"{base}/", "map": f"{base}/map/", "runs": f"{base}/runs/",
            "imports": f"{base}/imports/", "finding": f"{base}/findings/{finding.pk}/",
            "csv": f"{base}/export.csv", "xlsx": f"{base}/export.xlsx",
            "gpkg": f"{base}/export.gpkg"}


def state() -> tuple:
    return (sorted(TaxFinding.objects.values_list("id", "status", "assigned_to", "resolution")),
            FindingEvent.objects.count(), PersonalDataAccess.objects.count(),
            ReconciliationRun.objects.count(), TaxImport.objects.count())


@pytest.mark.parametrize("who", ["planner", "resident", "other_tax", "admin"])
def test_everyone_but_the_units_tax_officers_is_refused_everywhere(gmina, people, who):
    client, before = client_for(people[who]), state()
    finding = TaxFinding.objects.filter(unit=gmina.unit).first()

    answers = {name: client.get(path).status_code for name, path in paths(gmina).items()}
    posts = [client.post(f"/podatki/{gmina.unit.teryt}/findings/{finding.pk}/{action}/",
                         {"text": "x"}).status_code for action in ("comment", "dismiss")]
    posts.append(client.post(f"/podatki/{gmina.unit.teryt}/runs/", {"year": YEAR}).status_code)

    assert set(answers.values()) == {403}, answers
    assert posts == [403, 403, 403]
    assert state() == before
    # the layer: refused, or (another unit's tax officer) limited to their own unit
    scope = layer_scope_named(people[who], "tax_findings")
    assert not scope.allowed or gmina.unit.pk not in scope.unit_ids


def test_anonymous_visitors_are_sent_to_log_in(gmina):
    for path in paths(gmina).values():
        response = Client().get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _finding_pixels(response, colour: str) -> int:
    """Pixels of a finding category's colour in a WMS answer; a refusal shows none."""
    if response.status_code != 200 or response["Content-Type"] != "image/png":
        return 0
    r0, g0, b0 = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    image = Image.open(io.BytesIO(response.content)).convert("RGBA")
    return sum(1 for r, g, b, a in image.get_flattened_data()
               if a > 60 and max(abs(r - r0), abs(g - g0), abs(b - b0)) < 50)


@pytest.mark.django_db(transaction=True)  # MapServer reads the data from its own connection
def test_the_findings_layer_is_the_tax_officers_for_their_unit_only(gmina, people, map_services):
    AdministrativeUnit.objects.filter(pk=gmina.unit.pk).update(
        boundary=factories.box(300_000, 380_000, 330_000, 390_000))
    untaxed = TaxFinding.objects.get(unit=gmina.unit, category="parcel_untaxed")
    x0, y0, x1, y1 = untaxed.geom.extent
    getmap = {"SERVICE": "WMS", "REQUEST": "GetMap", "VERSION": "1.1.1",
              "LAYERS": "tax_findings", "SRS": "EPSG:2180", "STYLES": "", "WIDTH": 128,
              "HEIGHT": 128, "FORMAT": "image/png", "TRANSPARENT": "true",
              "BBOX": f"{x0 - 5},{y0 - 5},{x1 + 5},{y1 + 5}"}
    colour = CATEGORY_COLOURS["parcel_untaxed"]

    scope = layer_scope_named(people["tax"], "tax_findings")
    seen = {who: _finding_pixels(client_for(people[who]).get("/mapproxy/service", getmap),
                                 colour) for who in ("tax", "planner", "resident", "other_tax")}
    listed = {who: b"tax_findings" in client_for(people[who]).get("/mapproxy/service", {
        "SERVICE": "WMS", "REQUEST": "GetCapabilities"}).content for who in ("tax", "planner")}

    assert scope.allowed and scope.unit_ids == frozenset({gmina.unit.pk})
    assert seen["tax"] > 1000
    assert (seen["planner"], seen["resident"], seen["other_tax"]) == (0, 0, 0)
    assert listed == {"tax": True, "planner": False}


def test_the_tax_officer_sees_the_findings_with_totals_per_category(gmina, people):
    response = client_for(people["tax"]).get(f"/podatki/{gmina.unit.teryt}/")

    assert response.status_code == 200
    shown = {(t.code, t.findings) for t in response.context["totals"]}
    assert shown == {(category, len(keys)) for category, keys in gmina.expected.items()}
    total = sum(f.estimate for f in TaxFinding.objects.filter(unit=gmina.unit, status="open"))
    assert response.context["overall"].estimate == total
    filtered = client_for(people["tax"]).get(f"/podatki/{gmina.unit.teryt}/",
                                             {"category": "parcel_untaxed"})
    assert [f.category for f in filtered.context["page"]] == ["parcel_untaxed"]


def test_a_findings_personal_data_is_shown_to_its_tax_officer_and_logged(gmina, people):
    couple = TaxFinding.objects.get(key=gmina.handles["couple"].parcel_id)

    response = client_for(people["tax"]).get(
        f"/podatki/{gmina.unit.teryt}/findings/{couple.pk}/")

    assert response.status_code == 200
    assert pesel(9003).encode() in response.content  # the untaxed spouse, from the cadastre
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.unit, log.action) == (people["tax"], gmina.unit, "view")
    assert len(log.taxpayer_ids) == 1


def test_officers_assign_comment_resolve_and_dismiss(gmina, people):
    client, tax = client_for(people["tax"]), people["tax"]
    base = f"/podatki/{gmina.unit.teryt}/findings"
    first, second = TaxFinding.objects.filter(unit=gmina.unit).order_by("id")[:2]

    client.post(f"{base}/{first.pk}/assign/", {"officer": tax.pk})
    client.post(f"{base}/{first.pk}/comment/", {"text": "Wezwanie wysłane"})
    client.post(f"{base}/{first.pk}/resolve/", {"text": "Decyzja wymiarowa wydana"})
    client.post(f"{base}/{second.pk}/dismiss/", {"text": "Zwolnienie z uchwały"})
    empty = client.post(f"{base}/{second.pk}/comment/", {"text": ""})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assigned_to, first.status, first.resolution, first.closed_by) == (
        tax, "resolved", "Decyzja wymiarowa wydana", tax)
    assert (second.status, second.resolution) == ("dismissed", "Zwolnienie z uchwały")
    assert list(first.events.values_list("action", flat=True)) == [
        "assign", "comment", "resolve"]
    assert empty.status_code == 302 and second.events.count() == 1


def test_exports_hold_the_filtered_findings_in_csv_xlsx_and_geopackage(gmina, people):
    client = client_for(people["tax"])
    base = f"/podatki/{gmina.unit.teryt}/export"
    open_findings = TaxFinding.objects.filter(unit=gmina.unit, status="open")

    rows = list(csv.reader(io.StringIO(client.get(f"{base}.csv").content.decode("utf-8-sig")),
                           delimiter=";"))
    sheet = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").content)).active
    gpkg = client.get(f"{base}.gpkg", {"category": "parcel_untaxed"})

    assert sorted(int(r[0]) for r in rows[1:]) == sorted(f.pk for f in open_findings)
    assert sheet.max_row == open_findings.count() + 1
    with tempfile.NamedTemporaryFile(suffix=".gpkg") as file:
        file.write(gpkg.content)
        file.flush()
        layer = DataSource(file.name)[0]
        assert (layer.name, len(layer), layer.srs.srid) == ("tax_findings", 1, 2180)
        assert [f.get("parcel_ref") for f in layer] == [gmina.handles["untaxed"].parcel_id]
    assert all(str(pesel(n)) not in rows.__str__() for n in (9001, 9002, 9003))


def test_a_run_and_an_import_started_from_the_pages_run_as_jobs(gmina, people, tmp_path):
    client = client_for(people["tax"])

    started = client.post(f"/podatki/{gmina.unit.teryt}/runs/", {"year": YEAR})
    run = ReconciliationRun.objects.latest("pk")
    reconciliation_run_queued(run=run)
    upload = io.BytesIO("nr_konta;przedmiot;id_dzialki;kategoria;pow_ha;nazwisko\r\n"
                        f"K/99;grunt;{gmina.handles['untaxed'].parcel_id};pozostałe;0,09;Nowy\r\n"
                        .encode("cp1250"))
    upload.name = "podatki.csv"
    imported = client.post(f"/podatki/{gmina.unit.teryt}/imports/",
                           {"file": upload, "strict": "lenient"})
    job = TaxImport.objects.latest("pk")
    tax_import_run_queued(job=job)

    assert started.status_code == 302 and started["Location"].endswith(f"/runs/{run.pk}/")
    run.refresh_from_db()
    assert run.status == "succeeded" and run.counts["persisting"] > 0
    assert client.get(started["Location"]).status_code == 200
    assert imported.status_code == 302
    job.refresh_from_db()
    assert job.status == "succeeded" and job.created_by == people["tax"]
    assert TaxObject.objects.filter(parcel_ref=gmina.handles["untaxed"].parcel_id).exists()
    page = client.get(imported["Location"])
    assert page.status_code == 200 and b"podatki.csv" in page.content


def test_the_run_pages_say_whether_a_run_was_full_or_incremental_and_what_it_covered(
        gmina, people):
    client = client_for(people["tax"])
    base = f"/podatki/{gmina.unit.teryt}/runs/"
    TaxObject.objects.filter(parcel_ref=gmina.handles["small"].parcel_id).update(area_ha="0.09")

    client.post(base, {"year": YEAR})
    incremental = ReconciliationRun.objects.latest("pk")
    reconciliation_run_queued(run=incremental)
    client.post(base, {"year": YEAR, "full": "on"})
    full = ReconciliationRun.objects.latest("pk")
    reconciliation_run_queued(run=full)

    page = client.get(f"{base}{incremental.pk}/").content.decode()
    assert ('<p class="run-scope" data-scope="incremental">Przyrostowe: sprawdzono ponownie '
            'tylko to, co zmieniło się od poprzedniego uzgodnienia.</p>') in page
    assert "sprawdzono ponownie działki: 1 i budynki: 0" in page
    page = client.get(f"{base}{full.pk}/").content.decode()
    assert "Pełne: porównano całą jednostkę (zlecono pełne uzgodnienie)." in page
    listing = client.get(base).content.decode()
    assert 'data-scope="incremental">przyrostowe' in listing
    assert 'data-scope="full">pełne' in listing

"""Importing zoning plans: the general plan from APP 2.0 GML, local plans from OGR files.

The APP files are the real sample files in ../shared/fixtures/app-plan-ogolny/
(read from there, never copied): set2 has one file per kind of error, named after
it; set1 a valid zone file and one with an error; set3 and set4 the real plan
boundaries of Poznań and Gdańsk.
"""
import json
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from procrastinate import testing
from procrastinate.contrib.django import app

from layers.errors import ZoningImportInvalid, ZoningImportRejected, ZoningUnitNotFound
from layers.models import TileCacheJob, ZoningPlan, ZoningZone
from layers.services import ZoningImportResult, zoning_import
from layers.zoning_import.problems import problem_zones, zoning_problem
from layers.zoning_import.spatial import SLIVER_M2
from tests import factories
from tests.conftest import APP_ACT as ACT
from tests.conftest import APP_FIXTURES as FIXTURES
from tests.conftest import APP_SET1 as SET1
from tests.conftest import APP_SET2 as SET2

SET2_PLAN = "PL.ZIPPZP.1234/121201-POG/1POG"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not at {FIXTURES}")


def _import(paths, unit, **options) -> ZoningImportResult:
    """The result, imported or rejected (a rejection raises; its result is the report)."""
    try:
        return zoning_import(unit=unit, paths=paths, **options)
    except ZoningImportRejected as exc:
        return exc.result


def _codes(problems) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((p.code, problem_zones(p)) for p in problems)


@pytest.fixture
def gmina_testowa(db):
    return factories.unit("121201_1", "Gmina Testowa")


# File -> the errors it must give, with the local ids of the zones they name.
SET2_ERRORS = {
    "StrefaPlanistyczna_OK.gml": [],
    "StrefaPlanistyczna_BLEDNE-OZNACZENIE.gml": [("bad_label", ("1POG-1SP",))],
    "StrefaPlanistyczna_BLEDNY-SYMBOL.gml": [("symbol_kind_mismatch", ("1POG-1SP",))],
    "StrefaPlanistyczna_DUPLIKAT-LOKALNYID.gml": [("duplicate_local_id",
                                                   ("1POG-1SU", "1POG-1SU"))],
    "StrefaPlanistyczna_DUPLIKAT-OZNACZENIE.gml": [("duplicate_label",
                                                    ("1POG-1SJ", "1POG-1SU"))],
    "StrefaPlanistyczna_DWA-MIEJSCA-INTENSYWNOSC.gml": [("parameter_precision", ("1POG-1SU",))],
    "StrefaPlanistyczna_DWA-MIEJSCA-UDZIAL-BIO.gml": [("parameter_precision", ("1POG-1SU",))],
    "StrefaPlanistyczna_DWA-MIEJSCA-UDZIAL-ZABUDOWY.gml": [("parameter_precision",
                                                            ("1POG-1SU",))],
    "StrefaPlanistyczna_DWA-MIEJSCA-WYS-ZABUDOWY.gml": [("parameter_precision", ("1POG-1SU",))],
    "StrefaPlanistyczna_LUKA.gml": [("zone_gap", ("1POG-1SJ", "1POG-1SZ"))],
    "StrefaPlanistyczna_NAKLADANIE.gml": [("zone_overlap", ("1POG-1SJ", "1POG-1SZ"))],
    "StrefaPlanistyczna_SAMOPRZECIECIE-PIERSCIENIA.gml": [("self_intersection", ("1POG-1SJ",))],
}
# "DWA MIEJSCA" is two decimal places: the one parameter written with two.
SET2_PRECISION = {
    "StrefaPlanistyczna_DWA-MIEJSCA-INTENSYWNOSC.gml": ("maksNadziemnaIntensywnoscZabudowy",
                                                        "0.95"),
    "StrefaPlanistyczna_DWA-MIEJSCA-UDZIAL-BIO.gml": ("minUdzialPowierzchniBiologicznieCzynnej",
                                                      "30.15"),
    "StrefaPlanistyczna_DWA-MIEJSCA-UDZIAL-ZABUDOWY.gml": ("maksUdzialPowierzchniZabudowy",
                                                           "30.15"),
    "StrefaPlanistyczna_DWA-MIEJSCA-WYS-ZABUDOWY.gml": ("maksWysokoscZabudowy", "15.55"),
}
# The label disagrees with the symbol there too, as the files' authors left it: a warning.
SET2_WARNINGS = {
    "StrefaPlanistyczna_BLEDNY-SYMBOL.gml": [("label_symbol_mismatch", ("1POG-1SP",))],
    "StrefaPlanistyczna_DUPLIKAT-OZNACZENIE.gml": [("label_symbol_mismatch", ("1POG-1SJ",))],
}


def test_set2_has_one_expectation_per_file():
    assert sorted(SET2_ERRORS) == sorted(p.name for p in SET2.glob("StrefaPlanistyczna_*.gml"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SET2_ERRORS))
def test_each_set2_file_gives_exactly_the_error_its_name_describes(gmina_testowa, name):
    # given the plan's act and one zone file
    paths = [SET2 / ACT, SET2 / name]

    # when it is imported
    result = _import(paths, gmina_testowa)

    # then exactly the named errors are reported, each with the zones it concerns ...
    assert _codes(result.errors) == SET2_ERRORS[name]
    assert _codes(result.warnings) == SET2_WARNINGS.get(name, [])
    for problem in result.errors:
        assert problem.file == name and problem.message and "{" not in problem.message
    if name in SET2_PRECISION:
        parameter, value = SET2_PRECISION[name]
        assert result.errors[0].detail == {"parameter": parameter, "value": value, "places": 1}
    # ... and only the valid file is imported; a rejected one leaves nothing behind
    assert result.imported == (not SET2_ERRORS[name])
    assert ZoningPlan.objects.count() == (0 if SET2_ERRORS[name] else 1)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "expected"), [
    ("StrefaPlanistyczna.gml", []),
    # one vertex of zone 1SZ left out: a 245 m² gap opens against the road zone 1SK
    ("StrefaPlanistyczna_bledna.gml", [("zone_gap", ("1POG-1SZ", "1POG-1SK"))]),
])
def test_set1_valid_file_imports_and_the_faulty_one_names_its_gap(db, name, expected):
    # given the gmina of set1's plan (321202)
    unit = factories.unit("321202_2", "Gmina ABC")

    # when the act and a zone file are imported
    result = _import([SET1 / ACT, SET1 / name], unit)

    # then
    assert _codes(result.errors) == expected and result.warnings == ()
    assert result.imported == (not expected)
    assert ZoningZone.objects.count() == (0 if expected else 28)
    if expected:
        assert float(result.errors[0].detail["area"]) > 200


@pytest.mark.django_db
def test_valid_plan_is_stored_with_its_boundary_zones_and_parameters(gmina_testowa):
    # given the valid zone set of set2
    # when it is imported
    result = zoning_import(unit=gmina_testowa,
                           paths=[SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml"])

    # then the plan holds the act's identifier, title, status, dates and boundary ...
    plan = ZoningPlan.objects.get()
    assert (plan.unit, plan.kind, plan.identifier) == (gmina_testowa, "general", SET2_PLAN)
    assert plan.name == "Plan ogólny gminy Testowej"
    assert (plan.legal_status, plan.valid_from, plan.valid_to) == ("w opracowaniu",
                                                                    date(2025, 8, 15), None)
    assert plan.geom.srid == 2180 and plan.scale_denominator == 10_000
    # ... which the four zones cover exactly ...
    zones = {zone.local_id: zone for zone in plan.zones.all()}
    assert sorted(zones) == ["1POG-1SJ", "1POG-1SP", "1POG-1SU", "1POG-1SZ"]
    assert abs(sum(z.geom.area for z in zones.values()) - plan.geom.area) < SLIVER_M2
    # ... each with its label, symbol, designation, status, dates and parameters
    sj = zones["1POG-1SJ"]
    assert (sj.label, sj.symbol, sj.status, sj.valid_from) == ("1SJ", "SJ", "w opracowaniu",
                                                               date(2025, 8, 15))
    assert sj.designation == "strefa wielofunkcyjna z zabudową mieszkaniową jednorodzinną"
    assert sj.provisions.startswith("Profil podstawowy: teren zabudowy mieszkaniowej")
    assert (sj.max_intensity, sj.max_built_up_share, sj.max_height_m,
            sj.min_biologically_active_share) == (Decimal("0.9"), Decimal("30.1"),
                                                  Decimal("15.5"), Decimal("30.1"))
    assert result.imported and result.problems == ()
    assert [(p.identifier, p.zones, p.created) for p in result.plans] == [(SET2_PLAN, 4, True)]


@pytest.mark.django_db
def test_coordinates_are_read_northing_first_and_land_in_the_right_gmina(gmina_testowa):
    # given set2's plan (gmina 121201 in Małopolska), in EPSG:2178 written northing first
    zoning_import(unit=gmina_testowa, paths=[SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml"])

    # when its boundary is seen in lon/lat
    centre = ZoningPlan.objects.get().geom.centroid.transform(4326, clone=True)

    # then it lies in southern Poland near Kraków (19-21 E, 49.5-50.5 N), not off the map
    assert 19.0 < centre.x < 21.0 and 49.5 < centre.y < 50.5


@pytest.mark.django_db
# km2: the boundary's area as drawn in the file's EPSG:2177 (the city less the holes the
# plan leaves out); EPSG:2180 scales areas by a few parts in a thousand against it.
@pytest.mark.parametrize(("folder", "teryt", "city", "km2", "lon", "lat"), [
    ("set3", "306401_1", "Poznań", 252.74, 16.93, 52.40),
    ("set4", "226101_1", "Gdańsk", 254.20, 18.63, 54.36),
])
def test_real_city_boundaries_import_as_plans(db, folder, teryt, city, km2, lon, lat):
    # given a city and its general plan act (no zone files yet)
    unit = factories.unit(teryt, city)

    # when the act alone is imported
    result = zoning_import(unit=unit, paths=[FIXTURES / folder / ACT])

    # then the plan is stored with the city's boundary (holes and parts as drawn) ...
    plan = ZoningPlan.objects.get(unit=unit)
    assert plan.identifier == f"PL.ZIPPZP.{ {'set3': 10724, 'set4': 9389}[folder] }/" \
                              f"{teryt[:6]}-POG/1POG"
    assert abs(plan.geom.area / 1e6 - km2) < km2 * 0.005
    centre = plan.geom.point_on_surface.transform(4326, clone=True)
    assert abs(centre.x - lon) < 0.15 and abs(centre.y - lat) < 0.1
    # ... and the missing zones are a warning, not an error
    assert _codes(result.problems) == [("plan_without_zones", ())]
    assert result.imported and plan.zones.count() == 0


@pytest.mark.django_db
def test_a_plan_of_another_gmina_is_refused(db):
    # given Legnica, and set2's plan made for gmina 121201
    legnica = factories.unit()

    # when the plan is imported for Legnica
    result = _import([SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml"], legnica)

    # then it is refused and nothing is stored
    assert _codes(result.errors) == [("plan_of_other_unit", ())]
    assert result.errors[0].detail == {"plan_teryt": "121201", "unit": "026101_1"}
    assert ZoningPlan.objects.count() == 0


@pytest.mark.django_db
def test_reimport_replaces_the_zones_and_a_rejected_one_keeps_them(gmina_testowa):
    # given the plan imported once
    paths = [SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml"]
    zoning_import(unit=gmina_testowa, paths=paths)
    plan = ZoningPlan.objects.get()
    first_ids = set(plan.zones.values_list("id", flat=True))

    # when the same plan is imported again, then a version with a gap
    again = zoning_import(unit=gmina_testowa, paths=paths)
    second_ids = set(plan.zones.values_list("id", flat=True))
    rejected = _import([SET2 / ACT, SET2 / "StrefaPlanistyczna_LUKA.gml"], gmina_testowa)

    # then the plan row stays, its four zones were replaced by four new ones ...
    assert ZoningPlan.objects.get().pk == plan.pk
    assert [(p.zones, p.zones_before, p.created) for p in again.plans] == [(4, 4, False)]
    assert len(second_ids) == 4 and not first_ids & second_ids
    # ... and the rejected import changed nothing
    assert not rejected.imported and rejected.plans[0].zones_before == 4
    assert set(plan.zones.values_list("id", flat=True)) == second_ids


@pytest.mark.django_db
def test_a_parameter_given_twice_is_an_error(gmina_testowa, tmp_path):
    # given the valid file with zone 1SU's height written twice
    text = (SET2 / "StrefaPlanistyczna_OK.gml").read_text(encoding="utf-8")
    height = '<app:maksWysokoscZabudowy uom="m">15.5</app:maksWysokoscZabudowy>'
    position = text.index(height, text.index("<app:oznaczenie>1SU</app:oznaczenie>"))
    twice = tmp_path / "StrefaPlanistyczna_twice.gml"
    twice.write_text(text[:position] + height + "\n" + text[position:], encoding="utf-8")

    # when it is imported
    result = _import([SET2 / ACT, twice], gmina_testowa)

    # then
    assert _codes(result.errors) == [("parameter_repeated", ("1POG-1SU",))]
    assert result.errors[0].detail == {"parameter": "maksWysokoscZabudowy", "count": 2}


@pytest.mark.django_db
def test_zones_without_their_act_are_refused(gmina_testowa):
    # given a zone file alone
    # when it is imported
    result = _import([SET2 / "StrefaPlanistyczna_OK.gml"], gmina_testowa)

    # then the missing boundary is the one error
    assert _codes(result.errors) == [("missing_act", ())]
    assert result.errors[0].detail == {"namespace": "PL.ZIPPZP.1234/121201-POG"}


@pytest.mark.django_db
def test_unreadable_and_foreign_files_are_reported_by_name(gmina_testowa, tmp_path):
    # given a broken XML file and a GML file of something else
    broken = tmp_path / "broken.gml"
    broken.write_text("<app:Strefa", encoding="utf-8")
    other = tmp_path / "other.gml"
    other.write_text('<FeatureCollection xmlns="http://www.opengis.net/wfs/2.0"/>')

    # when both are imported with the act
    result = _import([SET2 / ACT, broken, other], gmina_testowa)

    # then each is named
    assert sorted((p.code, p.file) for p in result.errors) == [
        ("no_features", "other.gml"), ("unreadable_file", "broken.gml")]


@pytest.mark.django_db
def test_dry_run_checks_everything_and_writes_nothing(gmina_testowa):
    # given a valid plan
    # when it is checked with dry_run
    result = zoning_import(unit=gmina_testowa, dry_run=True,
                           paths=[SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml"])

    # then it would be a new plan of four zones, and nothing is stored
    assert result.dry_run and not result.imported and result.errors == ()
    assert [(p.identifier, p.zones, p.created, p.plan_id) for p in result.plans] == [
        (SET2_PLAN, 4, True, None)]
    assert ZoningPlan.objects.count() == 0


@pytest.mark.django_db
def test_bad_requests_raise_before_reading(gmina_testowa):
    files = [SET2 / ACT]
    with pytest.raises(ZoningUnitNotFound):
        zoning_import(unit="246601_1", paths=files)
    with pytest.raises(ZoningImportInvalid):
        zoning_import(unit=gmina_testowa, paths=files, kind="regional")
    with pytest.raises(ZoningImportInvalid):
        zoning_import(unit=gmina_testowa, paths=files, mapping={"symbol": "S"})
    with pytest.raises(ZoningImportInvalid):
        zoning_import(unit=gmina_testowa, paths=files, kind="local", mapping={"colour": "C"})


@pytest.mark.django_db
def test_the_command_prints_the_report_and_fails_on_errors(gmina_testowa, capsys):
    # given a valid and a faulty zone file
    # when the command imports the valid one, then checks the faulty one
    call_command("import_zoning", str(SET2 / ACT), str(SET2 / "StrefaPlanistyczna_OK.gml"),
                 "--unit", "121201_1")
    imported = capsys.readouterr().out
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_zoning", str(SET2 / ACT), str(SET2 / "StrefaPlanistyczna_LUKA.gml"),
                     "--unit", "121201_1", "--dry-run")
    rejected = capsys.readouterr().out

    # then the first reports the plan and its zones, the second the gap and its zones
    assert f"Plan {SET2_PLAN} „Plan ogólny gminy Testowej”: 4 stref (nowy plan)" in imported
    assert "Wynik: zaimportowano 1 plan(y), 4 stref." in imported
    assert "[zone_gap] StrefaPlanistyczna_LUKA.gml strefy 1POG-1SJ, 1POG-1SZ: Luka" in rejected
    assert "ODRZUCONO" in rejected


# A tile over Legnica at large scale on each grid (pl1992 column/row; web mercator XYZ).
LEGNICA_TILES = {"pl1992": "13/2233/5263", "GLOBAL_WEBMERCATOR": "17/71420/43759"}


@pytest.mark.django_db
@pytest.mark.usefixtures("map_services")
def test_an_import_queues_a_refresh_of_the_zone_tiles_once_committed(
        gmina_testowa, client, settings, django_capture_on_commit_callbacks):
    # given cached tiles of the general plan, of the map showing it and of the parcels
    cache = settings.MAPPROXY_CACHE_DIR / connection.settings_dict["NAME"]
    for layer in ("general_zones", "general_plan_map", "parcels"):
        for grid, tile in LEGNICA_TILES.items():
            assert client.get(f"/mapproxy/wmts/{layer}/{grid}/{tile}.png").status_code == 200
    cached = {p.name for p in cache.glob("*_cache")}

    # when a general plan is imported and the transaction commits
    queue = testing.InMemoryConnector()
    with app.replace_connector(queue), django_capture_on_commit_callbacks(execute=True):
        zoning_import(unit=gmina_testowa, paths=[SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml"])

    # then no cache is dropped; a refresh of the layers showing zones is queued, over the
    # imported zones only (layers/cache_refresh.py redraws the tiles there)
    assert {p.name for p in cache.glob("*_cache")} == cached
    job = TileCacheJob.objects.get()
    assert (job.kind, job.status, job.caches) == ("refresh", "queued",
                                                  ["general_zones", "general_plans",
                                                   "general_plan_map"])
    zones = ZoningZone.objects.filter(plan__unit=gmina_testowa)
    assert all(job.area.buffer(0.01).contains(zone.geom) for zone in zones)
    assert [j["args"] for j in queue.jobs.values()] == [{"job_id": job.pk}]


# Local plans (MPZP) from OGR files.
MPZP_FEATURES = [
    # (symbol, label, designation, plan, resolution, bbox)
    ("MN", "1MN", "zabudowa jednorodzinna", "MPZP Osiedle Zachód", "XII/45/2019",
     (318000, 386000, 318100, 386100)),
    ("U", "2U", "usługi", "MPZP Osiedle Zachód", "XII/45/2019", (318100, 386000, 318200, 386100)),
    ("ZPX", "3ZPX", "zieleń parkowa", "MPZP Park", "IV/12/2021", (318300, 386000, 318400, 386100)),
]


def _mpzp_geojson(path: Path, features=MPZP_FEATURES) -> Path:
    def feature(symbol, label, designation, plan, resolution, bbox):
        x0, y0, x1, y1 = bbox
        return {"type": "Feature", "properties": {
            "PRZEZN": symbol, "OZN": label, "OPIS": designation, "NAZWA_PL": plan,
            "NR_UCHW": resolution, "DATA_UCHW": "2019-05-28", "LINK": "https://bip.example/plan",
            "WYS": 12.5},
            "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1],
                                                             [x0, y1], [x0, y0]]]}}
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
        "features": [feature(*f) for f in features]}), encoding="utf-8")
    return path


MPZP_MAP = {"symbol": "PRZEZN", "label": "OZN", "designation": "OPIS", "plan_name": "NAZWA_PL",
            "resolution_number": "NR_UCHW", "resolution_date": "DATA_UCHW", "text_url": "LINK",
            "max_height_m": "WYS"}
# Shapefile field names are at most 10 characters: ours fit.
OGR_FORMATS = {"GeoJSON": None, "GPKG": "plans.gpkg", "ESRI Shapefile": "plans.shp",
               "GML": "plans.gml"}


@pytest.mark.django_db
@pytest.mark.parametrize("driver", sorted(OGR_FORMATS))
def test_local_plans_import_from_any_ogr_format_with_a_field_mapping(db, tmp_path, driver):
    # given three designated areas of two local plans, written in `driver`'s format
    unit = factories.unit()
    path = _mpzp_geojson(tmp_path / "plans.geojson")
    if OGR_FORMATS[driver]:
        converted = tmp_path / OGR_FORMATS[driver]
        options = ["-lco", "ENCODING=UTF-8"] if driver == "ESRI Shapefile" else []
        subprocess.run(["ogr2ogr", "-f", driver, *options, str(converted), str(path)],
                       check=True, capture_output=True, timeout=60)
        path = converted

    # when they are imported as local plans with the field mapping
    result = zoning_import(unit=unit, paths=[path], kind="local", mapping=MPZP_MAP)

    # then two plans are stored with their resolution, text link and areas ...
    plans = {p.name: p for p in ZoningPlan.objects.filter(unit=unit, kind="local")}
    assert sorted(plans) == ["MPZP Osiedle Zachód", "MPZP Park"]
    west = plans["MPZP Osiedle Zachód"]
    assert (west.identifier, west.resolution_number, west.resolution_date, west.text_url) == (
        "MPZP XII/45/2019", "XII/45/2019", date(2019, 5, 28), "https://bip.example/plan")
    assert round(west.geom.area) == 20_000 and west.geom.srid == 2180
    areas = sorted(west.zones.values_list("label", "symbol", "designation", "max_height_m"))
    assert areas == [("1MN", "MN", "zabudowa jednorodzinna", Decimal("12.5")),
                     ("2U", "U", "usługi", Decimal("12.5"))]
    assert round(west.zones.get(label="1MN").geom.extent[0]) == 318000
    # ... and the unusual symbol ZPX is a warning only
    assert _codes(result.problems) == [("unknown_local_symbol", (
        ZoningZone.objects.get(symbol="ZPX").local_id,))]


@pytest.mark.django_db
def test_local_plan_errors_name_the_areas(db, tmp_path):
    # given two areas of one plan overlapping by half, and a mapping naming a missing field
    unit = factories.unit()
    overlapping = [("MN", "1MN", "", "MPZP A", "1/2020", (0, 0, 100, 100)),
                   ("U", "2U", "", "MPZP A", "1/2020", (50, 0, 150, 100))]
    path = _mpzp_geojson(tmp_path / "a.geojson", overlapping)

    # when they are imported
    overlap = _import([path], unit, kind="local", mapping=MPZP_MAP)
    unknown = _import([path], unit, kind="local", mapping={**MPZP_MAP, "label": "ETYKIETA"})

    # then the overlap names both areas, the unknown field is named, and nothing is stored
    assert _codes(overlap.errors) == [("zone_overlap", ("0", "1"))]
    assert overlap.errors[0].detail["area"] == "5 000.0"
    assert [(p.code, p.detail["source"]) for p in unknown.errors] == [
        ("unknown_source_field", "ETYKIETA")]
    assert ZoningPlan.objects.count() == 0


@pytest.mark.django_db
def test_a_text_too_long_for_its_column_is_reported_not_crashed_on(db, tmp_path):
    # given an area whose label is 50 characters long
    unit = factories.unit()
    path = _mpzp_geojson(tmp_path / "long.geojson", [
        ("MN", "1MN" + "x" * 47, "", "MPZP A", "1/2020", (0, 0, 100, 100))])

    # when it is imported
    result = _import([path], unit, kind="local", mapping=MPZP_MAP)

    # then the label is named as too long, and nothing is stored
    assert [(p.code, p.detail["field"]) for p in result.errors] == [("bad_value", "label")]
    assert ZoningPlan.objects.count() == 0


def test_zoning_problems_are_the_products_one_problem_type_translated_when_found():
    with translation.override("pl"):
        polish = zoning_problem("zone_overlap", file="strefy.gml", line=12, zones=("0", "1"),
                                detail={"area": "5,0", "at": "POINT(1 2)"})
    with translation.override("en"):
        english = zoning_problem("zone_overlap", zones=("0", "1"),
                                 detail={"area": "5,0", "at": "POINT(1 2)"})

    assert polish.message == "Strefy nakładają się na powierzchni 5,0 m² (w pobliżu POINT(1 2))."
    assert english.message == "The zones overlap over 5,0 m² (near POINT(1 2))."
    assert (polish.code, polish.severity, polish.kind, polish.feature_id) == (
        "zone_overlap", "error", "zone", "0, 1")
    assert str(polish) == "strefy.gml:12 0, 1: " + polish.message

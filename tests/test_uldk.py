"""ULDK-compatible parcel lookup, read as the national service's clients read it.

A client splits the body into lines, compares the first with `0` (or reads a count, or
`-1 ...`), splits each further line on `|` in the order of its `result` list, and loads
the geometry with a WKB/WKT reader after dropping the `SRID=...;` prefix.
"""
import dataclasses

import pytest
import shapely
from django.contrib.gis.geos import Point, Polygon
from django.test import Client
from shapely import wkb, wkt

from core.roles import CASE_OFFICER
from layers import registry
from layers.registry import Access
from tests import factories
from tests.conftest import NEIGHBOUR, PARCEL

pytestmark = pytest.mark.django_db

ALL_TEXT = "teryt,id,parcel,region,commune,county,voivodeship"


@pytest.fixture
def cadastre():
    legnica = factories.unit(boundary=factories.box(317_000, 385_000, 319_000, 387_000))
    centrum = factories.precinct(legnica, "0001", "Centrum",
                                 geom=factories.box(317_500, 385_500, 318_500, 386_500))
    first = factories.parcel("10/1", p=centrum, geom=factories.box(*PARCEL))
    factories.parcel("10/2", p=centrum, geom=factories.box(*NEIGHBOUR))
    other = factories.unit("020101_1", "Bolesławiec",
                           boundary=factories.box(319_000, 385_000, 321_000, 387_000))
    b_parcel = factories.parcel("10/1", p=factories.precinct(other, "0002", "Centrum"),
                                geom=factories.box(319_500, 386_000, 319_600, 386_100))
    return {"first": first, "legnica": legnica, "other": other, "b_parcel": b_parcel}


def _uldk(client: Client | None = None, **params):
    response = (client or Client()).get("/uldk/", params)
    lines = response.content.decode("utf-8").split("\n")
    assert lines[-1] == "", "the answer ends with a newline"
    return response, lines[:-1]


def _fields(line: str, result: str) -> dict[str, str]:
    return dict(zip(result.split(","), line.split("|"), strict=True))


def _ewkt(value: str) -> tuple[int, shapely.Geometry]:
    srid, _, text = value.partition(";")
    return int(srid.removeprefix("SRID=")), wkt.loads(text)


def test_get_parcel_by_id_answers_0_then_the_fields_in_the_order_asked(cadastre):
    result = "geom_wkt," + ALL_TEXT + ",datasource"
    response, lines = _uldk(request="GetParcelById", id="026101_1.0001.10/1", result=result)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert lines[0] == "0" and len(lines) == 2
    fields = _fields(lines[1], result)
    assert {k: v for k, v in fields.items() if k != "geom_wkt"} == {
        "teryt": "026101_1.0001.10/1", "id": "026101_1.0001.10/1", "parcel": "10/1",
        "region": "Centrum", "commune": "Legnica", "county": "", "voivodeship": "dolnośląskie",
        "datasource": "Legnica",
    }
    srid, geometry = _ewkt(fields["geom_wkt"])
    assert srid == 2180
    assert fields["geom_wkt"].startswith("SRID=2180;POLYGON((")  # one part: not MULTIPOLYGON
    assert geometry.equals(shapely.box(*PARCEL))


def test_the_default_result_is_hex_ewkb_in_pl1992(cadastre):
    response, lines = _uldk(request="GetParcelById", id="026101_1.0001.10/1")

    assert lines[0] == "0"
    geometry = wkb.loads(lines[1], hex=True)
    assert shapely.get_srid(geometry) == 2180
    assert geometry.equals(shapely.box(*PARCEL))


def test_get_parcel_by_xy_in_pl1992_and_in_wgs84_with_the_answer_in_wgs84(cadastre):
    # given the centre of the first parcel, in EPSG:2180 and as lon,lat
    centre = shapely.box(*PARCEL).centroid
    _response, lines = _uldk(request="GetParcelByXY", xy=f"{centre.x},{centre.y}",
                             result="id,geom_extent")
    assert lines == ["0", "026101_1.0001.10/1|318000,386000,318100,386100"]

    # when the point is given in WGS84 and the geometry asked in WGS84
    _response, lines = _uldk(request="GetParcelByXY", result="id,geom_wkt", srid="4326",
                             xy=_lonlat_of(centre.x, centre.y) + ",4326")
    # then the same parcel comes back in degrees, longitude first
    assert lines[0] == "0"
    parcel_id, geom = lines[1].split("|")
    assert parcel_id == "026101_1.0001.10/1"
    srid, geometry = _ewkt(geom)
    assert srid == 4326
    expected = Polygon.from_bbox(PARCEL)
    expected.srid = 2180
    expected.transform(4326)
    assert geometry.bounds == pytest.approx(expected.extent, abs=1e-8)


def _lonlat_of(x: float, y: float) -> str:
    point = Point(x, y, srid=2180).transform(4326, clone=True)
    return f"{point.x:.7f},{point.y:.7f}"


def test_get_parcel_by_id_or_nr_counts_every_parcel_of_that_number_in_precincts_so_named(
        cadastre):
    response, lines = _uldk(request="GetParcelByIdOrNr", id="Centrum 10/1", result="id,commune")

    assert response.status_code == 200
    assert lines == ["2", "020101_1.0002.10/1|Bolesławiec", "026101_1.0001.10/1|Legnica"]
    # ... a precinct number works as its name does, and a full id gives one
    assert _uldk(request="GetParcelByIdOrNr", id="0001 10/2", result="id")[1] == [
        "1", "026101_1.0001.10/2"]
    assert _uldk(request="GetParcelByIdOrNr", id="026101_1.0001.10/2", result="id")[1] == [
        "1", "026101_1.0001.10/2"]


def test_region_and_commune_by_id_and_by_point(cadastre):
    _r, lines = _uldk(request="GetRegionById", id="026101_1.0001",
                      result="teryt,region,commune,voivodeship,geom_extent")
    assert lines == ["0", "026101_1.0001|Centrum|Legnica|dolnośląskie|317500,385500,318500,386500"]
    _r, lines = _uldk(request="GetCommuneById", id="026101_1", result="teryt,commune")
    assert lines == ["0", "026101_1|Legnica"]
    _r, lines = _uldk(request="GetCommuneByXY", xy="320000,386000", result="teryt,commune")
    assert lines == ["0", "020101_1|Bolesławiec"]
    # a precinct without a recorded boundary has no geometry to give
    assert _uldk(request="GetRegionById", id="020101_1.0002")[1] == ["-1 brak wyników"]


def test_nothing_found_is_the_national_services_line_with_http_200(cadastre):
    for params in ({"request": "GetParcelById", "id": "026101_1.0001.999"},
                   {"request": "GetParcelByXY", "xy": "330000,386000"},
                   {"request": "GetParcelByIdOrNr", "id": "Nowhere 1"}):
        response, lines = _uldk(**params)
        assert (response.status_code, lines) == (200, ["-1 brak wyników"]), params


def test_a_retired_parcel_is_not_found(cadastre):
    from django.utils import timezone

    cadastre["first"].retired_at = timezone.now()
    cadastre["first"].save()
    assert _uldk(request="GetParcelById", id="026101_1.0001.10/1")[1] == ["-1 brak wyników"]


@pytest.mark.parametrize(("params", "names"), [
    ({"request": "GetParcel"}, "request=GetParcel"),
    ({"request": "GetParcelById"}, "id"),
    ({"request": "GetParcelById", "id": "026101_1.01.5"}, "026101_1.01.5"),
    ({"request": "GetParcelById", "id": "026101_1.0001.5", "result": "id,owner"}, "owner"),
    ({"request": "GetParcelById", "id": "026101_1.0001.5", "srid": "31467"}, "srid=31467"),
    ({"request": "GetParcelByXY", "xy": "318000"}, "xy=318000"),
    ({"request": "GetParcelByXY", "xy": "a,b"}, "xy=a,b"),
    ({"request": "GetParcelByXY", "xy": "51.2,16.1,4326"}, "swapped"),
    ({"request": "GetRegionById", "id": "026101_1.1"}, "026101_1.1"),
    ({"request": "GetCommuneById", "id": "0261"}, "0261"),
])
def test_bad_input_is_a_400_with_a_minus_one_line_naming_what_was_wrong(cadastre, params, names):
    response, lines = _uldk(**params)

    assert response.status_code == 400
    assert len(lines) == 1 and lines[0].startswith("-1 "), lines
    assert names in lines[0] or (names == "swapped" and "lon=16.1" in lines[0]), lines[0]


def test_parameter_names_and_request_names_are_read_in_any_letter_case(cadastre):
    response = Client().get("/uldk/", {"REQUEST": "getparcelbyid", "ID": "026101_1.0001.10/1",
                                       "Result": "parcel"})
    assert response.content.decode() == "0\n10/1\n"
    assert response["Access-Control-Allow-Origin"] == "*"


# --- The access policy: the parcels layer closed to staff of its unit -----------------------

@pytest.fixture
def staff_only_parcels(monkeypatch, cadastre):
    closed = dataclasses.replace(registry.layer_named("parcels"), access=Access.STAFF)
    monkeypatch.setitem(registry._BY_NAME, "parcels", closed)
    return {
        "own": factories.staff(cadastre["legnica"], CASE_OFFICER),
        "other": factories.staff(cadastre["other"], CASE_OFFICER),
        "resident": factories.user(),
    }


def _as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("resident", 403), ("other", 403)])
def test_a_parcel_one_may_not_see_is_refused_by_id_and_missing_by_point_and_number(
        staff_only_parcels, cadastre, who, status):
    client = _as(staff_only_parcels.get(who))
    # when asked directly: 401/403 with a -1 line and nothing of the parcel
    response, lines = _uldk(client, request="GetParcelById", id="026101_1.0001.10/1",
                            result="geom_wkt,id")
    assert response.status_code == status
    assert len(lines) == 1 and lines[0].startswith("-1 ") and "POLYGON" not in lines[0]
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Basic")
    # when found by a point or a number: not there at all
    centre = shapely.box(*PARCEL).centroid
    assert _uldk(client, request="GetParcelByXY", xy=f"{centre.x},{centre.y}")[1] == [
        "-1 brak wyników"]
    _r, lines = _uldk(client, request="GetParcelByIdOrNr", id="Centrum 10/1", result="id")
    assert "026101_1.0001.10/1" not in "\n".join(lines)


def test_staff_of_the_unit_see_its_parcels_and_only_those(staff_only_parcels, cadastre):
    client = _as(staff_only_parcels["own"])
    assert _uldk(client, request="GetParcelById", id="026101_1.0001.10/1",
                 result="id")[1] == ["0", "026101_1.0001.10/1"]
    assert _uldk(client, request="GetParcelByIdOrNr", id="Centrum 10/1", result="id")[1] == [
        "1", "026101_1.0001.10/1"]
    assert _uldk(client, request="GetParcelById", id="020101_1.0002.10/1")[0].status_code == 403

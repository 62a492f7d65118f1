# ruff: noqa: F811 - the feature services' fixtures, imported, are the tests' arguments
"""OGC API - Features Part 2 (CRS) and Part 3 (CQL2 filters, queryables): read by real
clients (OWSLib, GDAL's OAPIF driver) and asked directly for what clients rarely show:
axis order, Content-Crs, the errors and the access policy.
"""
import json
import subprocess
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from owslib.ogcapi.features import Features
from pyproj import Transformer

from layers import registry
from layers.mapserver import _NO_BOX
from layers.ogcapi.collections import COLLECTIONS
from layers.registry import FEATURE_LAYERS
from tests import factories
from tests.conftest import NEIGHBOUR, PARCEL
from tests.test_feature_services import _as, cadastre, staff_only_parcels  # noqa: F401

pytestmark = pytest.mark.django_db

EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
ITEMS = "/ogcapi/collections/parcels/items"


def _items(client=None, **params) -> dict:
    response = (client or Client()).get(ITEMS, {"f": "json", **params})
    assert response.status_code == 200, response.content[:400]
    return json.loads(response.content)


def _numbers(document: dict) -> list[str]:
    return sorted(f["properties"]["number"] for f in document["features"])


# --- Real clients ---------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_owslib_reads_conformance_queryables_and_filters_in_both_encodings(live_server,
                                                                          cadastre):
    api = Features(f"{live_server.url}/ogcapi", timeout=60)

    conforms = api.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter" in conforms
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json" in conforms
    queryables = api.collection_queryables("parcels")["properties"]
    assert sorted(queryables) == sorted(
        ["geometry", *(f.name for f in registry.layer_named("parcels").queryable)])
    assert queryables["registered_area_ha"]["type"] == "number"
    text = api.collection_items("parcels", filter="number LIKE '10/_' AND NOT number = '10/1'")
    assert _numbers(text) == ["10/2"]
    point = {"type": "Point", "coordinates": [386_050, 319_550]}  # northing, easting
    cql_json = {"op": "s_intersects", "args": [{"property": "geometry"}, point]}
    found = api.collection_items("parcels", **{
        "filter": json.dumps(cql_json), "filter-lang": "cql2-json",
        "filter-crs": EPSG.format(2180)})
    assert _numbers(found) == ["5"]


def _ogrinfo(*args: str) -> tuple[str, str]:
    done = subprocess.run(["ogrinfo", "-ro", "--config", "CPL_DEBUG", "ON", *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


@pytest.mark.django_db(transaction=True)
def test_gdal_filters_by_attribute_and_by_box_on_the_server(live_server, map_services,
                                                            cadastre):
    # GDAL 3.6's OAPIF driver sends an equality on a property the API definition lists as a
    # parameter (queryables-query-parameters) and the box as bbox, and evaluates the rest
    # of -where itself (it sends CQL2 from 3.7 on)
    url = f"OAPIF:{live_server.url}/ogcapi"
    where, log = _ogrinfo(url, "parcels", "-where",
                          "number = '10/2' AND registered_area_ha > 0.5")
    assert "Feature Count: 1" in where and "026101_1.0001.10/2" in where
    assert "items?f=json&limit=10&number=10%2F2" in log
    lon, lat = Transformer.from_crs(2180, 4326, always_xy=True).transform(318_150, 386_050)
    box, log = _ogrinfo(url, "parcels", "-spat", str(lon - 1e-5), str(lat - 1e-5),
                        str(lon + 1e-5), str(lat + 1e-5))
    assert "Feature Count: 1" in box and "026101_1.0001.10/2" in box
    assert "&bbox=16.3" in log


# --- Part 2: CRS ----------------------------------------------------------------------------

def test_crs_answers_in_the_crs_axis_order_and_says_so(cadastre):
    plain = Client().get(ITEMS, {"f": "json", "number": "10/1"})
    assert plain["Content-Crs"] == f"<{CRS84}>"
    lon_lat = json.loads(plain.content)["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 16 < lon_lat[0] < 17 and 51 < lon_lat[1] < 52

    puwg = Client().get(ITEMS, {"f": "json", "number": "10/1", "crs": EPSG.format(2180)})
    assert puwg["Content-Crs"] == f"<{EPSG.format(2180)}>"
    ring = json.loads(puwg.content)["features"][0]["geometry"]["coordinates"][0][0]
    # EPSG:2180 is northing, easting
    assert sorted(map(tuple, ring[:4])) == [(386_000, 318_000), (386_000, 318_100),
                                            (386_100, 318_000), (386_100, 318_100)]

    zone = _items(number="10/1", crs=EPSG.format(2176))  # PL-2000 zone V (15 deg E)
    northing, easting = zone["features"][0]["geometry"]["coordinates"][0][0][0]
    x, y = Transformer.from_crs(2180, 2176, always_xy=True).transform(*ring[0][::-1])
    assert (round(easting - x, 2), round(northing - y, 2)) == (0, 0)

    lat_lon = _items(number="10/1", crs=EPSG.format(4326))
    assert lat_lon["features"][0]["geometry"]["coordinates"][0][0][0] == lon_lat[::-1]


def test_the_crs_and_collections_list_what_is_offered_and_stored(cadastre):
    collection = json.loads(Client().get("/ogcapi/collections/parcels", {"f": "json"}).content)
    assert collection["storageCrs"] == EPSG.format(2180)
    assert collection["crs"][0] == CRS84
    assert {EPSG.format(code) for code in (2176, 2177, 2178, 2179, 2180)} <= set(
        collection["crs"])
    queryables = [link for link in collection["links"] if link["rel"].endswith("queryables")]
    assert queryables[0]["href"].endswith("/collections/parcels/queryables?f=json")


def test_bbox_crs_reads_the_box_in_that_crs_axis_order(cadastre):
    # northing, easting around the neighbour only
    found = _items(bbox="386010,318110,386090,318190", **{"bbox-crs": EPSG.format(2180)})
    assert _numbers(found) == ["10/2"]
    # the same numbers read as CRS84 are nowhere near Poland: nothing, not an error
    assert _numbers(_items(bbox="10,20,30,40")) == []
    # the whole world, as clients ask it, and beyond what EPSG:2180 can take
    assert _numbers(_items(bbox="-180,-90,180,90")) == ["10/1", "10/2", "5"]
    assert _numbers(_items(bbox="-1e300,-1e300,1e300,1e300")) == ["10/1", "10/2", "5"]
    world = _items(filter="S_INTERSECTS(geometry, BBOX(-180, -90, 180, 90))")
    assert _numbers(world) == ["10/1", "10/2", "5"]
    assert _numbers(_items(filter="S_DISJOINT(geometry, POINT(-170 -80))")) == [
        "10/1", "10/2", "5"]


@pytest.mark.parametrize(("crs", "point"), [
    (EPSG.format(2180), "386050 318150"),  # northing easting
    (EPSG.format(2176), None),  # computed below
    (CRS84, None),
    (EPSG.format(4326), None),
])
def test_spatial_predicates_read_the_literal_in_filter_crs(cadastre, crs, point):
    if point is None:
        srid = 4326 if crs == CRS84 else int(crs.rsplit("/", 1)[1])
        x, y = Transformer.from_crs(2180, srid, always_xy=True).transform(318_150, 386_050)
        point = f"{x} {y}" if crs == CRS84 else f"{y} {x}"

    found = _items(filter=f"S_INTERSECTS(geometry, POINT({point}))", **{"filter-crs": crs})

    assert _numbers(found) == ["10/2"]


# --- Part 3: CQL2 -----------------------------------------------------------------------------

@pytest.mark.parametrize(("cql", "numbers"), [
    ("number IN ('10/1', '5')", ["10/1", "5"]),
    ("registered_area_ha BETWEEN 0.5 AND 2 AND precinct = 'Centrum'", ["10/1", "10/2"]),
    ("parcel_id LIKE '0201%'", ["5"]),
    ("number LIKE '10/_'", ["10/1", "10/2"]),  # _ is one character
    ("number LIKE '10/\\_'", []),  # an escaped _ is itself
    ("NOT (number = '10/1') AND id > 0", ["10/2", "5"]),
    ("S_WITHIN(geometry, BBOX(16.38, 51.31, 16.38925, 51.32))", ["10/1"]),
    ("S_DISJOINT(geometry, BBOX(16.0, 51.0, 16.3, 51.5))", ["10/1", "10/2", "5"]),
    ("CASEI(precinct) = CASEI('CENTRUM')", ["10/1", "10/2"]),
    ("CASEI(precinct) IN ('zabobrze', 'nowhere')", ["5"]),
    ("CASEI(precinct) <> 'centrum'", ["5"]),
    ("CASEI(parcel_id) LIKE '020101\\_1%'", ["5"]),
])
def test_cql2_text_operators(cadastre, cql, numbers):
    assert _numbers(_items(filter=cql, limit=100)) == numbers


def test_cql2_json_reads_casei_and_in(cadastre):
    cql = {"op": "and", "args": [
        {"op": "=", "args": [{"op": "casei", "args": [{"property": "precinct"}]},
                             {"op": "casei", "args": ["CENTRUM"]}]},
        {"op": "in", "args": [{"property": "number"}, ["10/2", "5"]]}]}

    found = _items(filter=json.dumps(cql), **{"filter-lang": "cql2-json"})

    assert _numbers(found) == ["10/2"]


def test_property_property_and_dates_filter_other_collections(cadastre):
    unit = cadastre["first"].unit
    factories.zoning_plan("local", "MPZP-OLD", u=unit, valid_from=date(2001, 5, 1),
                          geom=factories.box(*PARCEL))
    factories.zoning_plan("local", "MPZP-NEW", u=unit, valid_from=date(2021, 5, 1),
                          geom=factories.box(*NEIGHBOUR))
    plans = Client().get("/ogcapi/collections/local_plans/items",
                         {"f": "json", "filter": "valid_from > DATE('2010-01-01')"})
    assert [f["properties"]["identifier"] for f in json.loads(plans.content)["features"]] == [
        "MPZP-NEW"]
    building = factories.building(cadastre["first"])
    building.__class__.objects.filter(pk=building.pk).update(storeys_above=3, storeys_below=1)
    deep = Client().get("/ogcapi/collections/buildings/items",
                        {"f": "json", "filter": "storeys_above > storeys_below AND "
                                                "storeys_below > 0"})
    assert len(json.loads(deep.content)["features"]) == 1


@pytest.mark.parametrize(("params", "named"), [
    ({"filter": "number = "}, {"parameter": "filter", "line": 1, "column": 8}),
    ({"filter": "nope = 1"}, {"filter": "nope"}),
    ({"filter": "id = 'abc'"}, {"filter": "id", "type": "integer"}),
    ({"filter": "number = id"}, {"filter": ["number", "id"]}),
    ({"filter": "CASEI(number) > '10/1'"}, {"filter": "CASEI"}),
    ({"filter": "CASEI(number) = 5"}, {"filter": "number"}),
    ({"filter": "S_INTERSECTS(number, POINT(1 2))"}, {"filter": "number"}),
    ({"filter": "id + 1 > 2"}, {"filter": "+"}),
    ({"filter": "S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))"},
     {"reason": "Self-intersection[0.5 0.5]"}),
    ({"filter": '{"op": "=", "args": [{"property": "number"}', "filter-lang": "cql2-json"},
     {"parameter": "filter", "line": 1}),
    ({"filter": '{"op": "nope", "args": []}', "filter-lang": "cql2-json"},
     {"parameter": "filter"}),
    ({"filter": "number = '1'", "filter-lang": "cql-text"}, {"filter-lang": "cql-text"}),
    ({"crs": "EPSG:31467"}, {"crs": "EPSG:31467"}),
    ({"bbox": "1,2,3", "bbox-crs": EPSG.format(2180)}, {"bbox": "1,2,3"}),
    ({"bbox": "386100,318100,386000,318000", "bbox-crs": EPSG.format(2180)},
     {"bbox-crs": EPSG.format(2180)}),
    ({"filter-crs": "EPSG:1"}, {"filter-crs": "EPSG:1"}),
    ({"sortby": "number"}, {"parameter": "sortby"}),
    ({"id": "abc"}, {"id": "abc", "type": "integer"}),
    ({"f": "html", "filter": "number = '1'"}, {"parameter": "filter", "f": "json"}),
])
def test_bad_filters_and_crs_get_a_400_naming_what_and_where(cadastre, params, named):
    response = Client().get(ITEMS, {"f": "json", **params})

    assert response.status_code == 400, response.content[:300]
    body = json.loads(response.content)
    assert body["code"] == "invalid_input" and body["description"]
    assert named.items() <= body["detail"].items(), body["detail"]


HOSTILE_FILTERS = [
    "", " ", "(", ")", "'", "number = '\x00'", "number = '" + "a" * 30_000 + "'",
    "S_INTERSECTS(geometry, POINT(1e308 1e308))", "S_INTERSECTS(geometry, POINT(nan 1))",
    "S_INTERSECTS(geometry, BBOX(1, 2))", "S_INTERSECTS(geometry, POLYGON((0 0, 1 1)))",
    "number LIKE '\\'", "id = 99999999999999999999999999", "registered_area_ha > 1e400",
    "valid_from > DATE('2020-13-45')", "T_AFTER(number, DATE('2020-01-01'))",
    "number IS NULL OR number IS NOT NULL", "TRUE", "INCLUDE", "id = -1 OR 1 = 1",
    "number = 'x'); DROP TABLE cadastre_sync_parcel; --",
    '{"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [1, "a", 3, 4]}]}',
    '{"op": "=", "args": [{"property": "number"}, {"property": "nope"}]}', "[1]", "null",
    '{"op": "like", "args": [{"property": "id"}, "1%"]}', "{" * 500, "(" * 500,
    '{"op":"not","args":[' * 600 + '{"op":"=","args":[{"property":"number"},"1"]}' + "]}" * 600,
    '{"op":"not","args":[' * 80 + '{"op":"=","args":[{"property":"number"},"1"]}' + "]}" * 80,
    "(" * 300 + "NOT (number = '1')" + ")" * 300,
]


@pytest.mark.parametrize("collection", FEATURE_LAYERS)
def test_fuzz_the_filter_and_crs_parameters_never_answer_500(cadastre, collection):
    client = Client()
    client.raise_request_exception = False
    base = f"/ogcapi/collections/{collection}"
    answers = []
    for text in HOSTILE_FILTERS:
        for lang in ("cql2-text", "cql2-json"):
            answers.append(client.get(f"{base}/items", {"filter": text, "filter-lang": lang,
                                                         "f": "json"}))
    for name in ("crs", "bbox-crs", "filter-crs", "bbox", "limit", "offset", "f"):
        for value in ("", "x" * 300, "EPSG:2180\x00", "1,2,3,4,5,6,7", "-1", "[OGC:CRS84",
                      "-1e308,-1e308,1e308,1e308", "EPSG:3857"):
            answers.append(client.get(f"{base}/items", {name: value}))
    for path in ("", "/queryables", "/items/1", "/items/" + "9" * 30, "/items/x",
                 "/queryables/x", "/items/1/x"):
        answers.append(client.get(base + path, {"f": "json", "crs": "x"}))
        answers.append(client.get(base + path, {"f": "json"}))
    assert [a.status_code for a in answers if a.status_code >= 500] == []
    assert all(a["Content-Type"].startswith("application/") for a in answers)


# --- The access policy ------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [(None, 401), ("resident", 403)])
def test_a_closed_collection_is_denied_on_every_new_path(staff_only_parcels, who, status):
    client = _as(staff_only_parcels.get(who))

    listed = json.loads(client.get("/ogcapi/collections", {"f": "json"}).content)
    assert "parcels" not in [c["id"] for c in listed["collections"]]
    for path, params in (("/ogcapi/collections/parcels/queryables", {}),
                         (ITEMS, {"filter": "number LIKE '%'"}),
                         (ITEMS, {"crs": EPSG.format(2180)}),
                         (ITEMS, {"filter": "nope = 1"}),  # refused before it is read
                         (f"{ITEMS}/1", {"crs": EPSG.format(2180)})):
        response = client.get(path, {"f": "json", **params})
        assert response.status_code == status, path
        assert b"026101_1" not in response.content and b"number" not in response.content
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Basic")


def test_the_html_list_of_collections_names_only_those_open_to_the_reader(staff_only_parcels):
    # given parcels open to their unit's staff only
    # when an anonymous reader and the unit's staff open the collections as HTML
    hidden = _as(None).get("/ogcapi/collections", {"f": "html"})
    shown = _as(staff_only_parcels["own"]).get("/ogcapi/collections", {"f": "html"})

    # then only the staff page names the parcels, with the others on both
    assert hidden.status_code == shown.status_code == 200
    assert b"/collections/parcels?" not in hidden.content
    assert b"/collections/parcels?" in shown.content
    assert b"/collections/buildings?" in hidden.content
    assert hidden["Content-Type"].startswith("text/html")


def test_filters_never_reach_another_units_features(staff_only_parcels, cadastre):
    own, other = _as(staff_only_parcels["own"]), _as(staff_only_parcels["other"])

    assert _numbers(_items(own, filter="number LIKE '%'", limit=100)) == ["10/1", "10/2"]
    assert _numbers(_items(other, filter="parcel_id LIKE '026101%'")) == []
    assert _numbers(_items(other, number="10/1")) == []
    box = _items(other, bbox="385000,317000,387000,321000",
                 **{"bbox-crs": EPSG.format(2180)})
    assert _numbers(box) == ["5"]
    assert box["numberMatched"] == 1
    item = other.get(f"{ITEMS}/{cadastre['first'].pk}", {"f": "json", "crs": EPSG.format(2180)})
    assert item.status_code == 404 and b"026101_1" not in item.content


# --- One definition of each collection ----------------------------------------------------------

def test_each_collection_holds_the_rows_and_fields_of_its_registry_layer(cadastre):
    unit = cadastre["first"].unit
    old = factories.zoning_plan("general", "PO-OLD", u=unit, valid_to=date(2020, 1, 1),
                                geom=factories.box(*PARCEL))
    plan = factories.zoning_plan("general", "PO-1", u=unit, geom=factories.box(*PARCEL))
    local = factories.zoning_plan("local", "MPZP-1", u=unit, geom=factories.box(*PARCEL))
    factories.zoning_zone(old, "1SW", "SW", factories.box(*PARCEL))
    factories.zoning_zone(plan, "2SW", "SW", factories.box(*PARCEL))
    factories.zoning_zone(plan, "3SW", "SW", factories.box(*PARCEL), valid_to=date(2020, 1, 1))
    factories.zoning_zone(local, "4MN", "MN", factories.box(*PARCEL))
    factories.building(cadastre["first"])
    cadastre["first"].precinct.__class__.objects.filter(pk=cadastre["first"].precinct_id).update(
        geom=factories.box(317_000, 385_000, 319_000, 387_000))
    cadastre["second"].__class__.objects.filter(pk=cadastre["second"].pk).update(
        retired_at="2024-01-01T00:00Z")

    for name, collection in COLLECTIONS.items():
        layer = registry.layer_named(name)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM ({layer.sql.replace('!BOX!', _NO_BOX)}) AS s")  # noqa: S608
            expected = sorted(row[0] for row in cursor.fetchall())
        assert sorted(collection.rows().values_list("pk", flat=True)) == expected, name
        assert expected, name
        assert [p.name for p in collection.properties] == [f.name for f in layer.queryable]


def test_the_api_definition_describes_parts_2_and_3_and_hides_closed_collections(
        map_services, staff_only_parcels):
    response = Client().get("/ogcapi/api", {"f": "json"})

    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert not [p for p in paths if p.startswith("/collections/parcels")]
    parameters = {p.get("name") for p in paths["/collections/buildings/items"]["get"][
        "parameters"]}
    assert {"crs", "bbox-crs", "filter", "filter-lang", "filter-crs", "storeys_above"} <= (
        parameters)
    assert "/collections/buildings/queryables" in paths

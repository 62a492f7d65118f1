"""WFS 2.0 and OGC API - Features, read by real clients: OWSLib and GDAL's WFS and OAPIF
drivers, against the live server. Rows are committed: MapServer reads them itself.
"""
import dataclasses
import json
import subprocess

import pytest
from django.test import Client
from owslib.ogcapi.features import Features
from owslib.wfs import WebFeatureService

from core.roles import CASE_OFFICER
from layers import registry
from layers.registry import FEATURE_LAYERS, Access
from tests import factories
from tests.conftest import FRAME

pytestmark = pytest.mark.django_db(transaction=True)

B_PARCEL = (319_500, 386_000, 319_600, 386_100)


@pytest.fixture
def cadastre(two_parcels):
    first, second = two_parcels
    factories.unit().__class__.objects.filter(pk=first.unit_id).update(
        boundary=factories.box(317_000, 385_000, 319_000, 387_000))
    other = factories.unit("020101_1", "Bolesławiec",
                           boundary=factories.box(319_000, 385_000, 321_000, 387_000))
    b_parcel = factories.parcel("5", p=factories.precinct(other, "0002", "Zabobrze"),
                                geom=factories.box(*B_PARCEL))
    factories.building(first, "026101_1.0001.10/1.1_BUD")
    return {"first": first, "second": second, "other": other, "b_parcel": b_parcel}


def test_owslib_reads_the_wfs_capabilities_and_features_in_geojson_and_gml(live_server,
                                                                           cadastre):
    wfs = WebFeatureService(f"{live_server.url}/wfs", version="2.0.0", timeout=60)

    assert sorted(wfs.contents) == sorted(f"ms:{name}" for name in FEATURE_LAYERS)
    # GeoJSON, within a box over the two Legnica parcels
    response = wfs.getfeature(typename=["ms:parcels"], bbox=(*FRAME[:2], 318_200, 386_150),
                              srsname="urn:ogc:def:crs:EPSG::2180",
                              outputFormat="application/json")
    ids = sorted(f["properties"]["parcel_id"] for f in json.loads(response.read())["features"])
    assert ids == ["026101_1.0001.10/1", "026101_1.0001.10/2"]
    # GML 3.2 (the default), paged: one feature from the second
    gml = wfs.getfeature(typename=["ms:parcels"], maxfeatures=1, startindex=1).read().decode()
    assert 'xmlns:gml="http://www.opengis.net/gml/3.2"' in gml
    assert gml.count("<ms:parcels ") == 1


def test_a_wfs_property_filter_selects_by_number(live_server, cadastre):
    fes = ('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
           '<fes:ValueReference>number</fes:ValueReference><fes:Literal>10/2</fes:Literal>'
           '</fes:PropertyIsEqualTo></fes:Filter>')
    response = Client().get("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0",
                                     "REQUEST": "GetFeature", "TYPENAMES": "ms:parcels",
                                     "OUTPUTFORMAT": "application/json", "FILTER": fes})
    features = json.loads(response.content)["features"]
    assert [f["properties"]["parcel_id"] for f in features] == ["026101_1.0001.10/2"]


def _ogrinfo(*args: str) -> str:
    done = subprocess.run(["ogrinfo", "-ro", *args], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gdal_reads_both_services(live_server, cadastre):
    wfs = _ogrinfo("-so", f"WFS:{live_server.url}/wfs", "ms:parcels")
    assert "Feature Count: 3" in wfs
    oapif = _ogrinfo(f"OAPIF:{live_server.url}/ogcapi", "parcels")
    assert oapif.count("OGRFeature(parcels)") == 3
    assert "parcel_id (String) = 026101_1.0001.10/1" in oapif


def test_owslib_reads_ogc_api_features_collections_and_items(live_server, cadastre):
    api = Features(f"{live_server.url}/ogcapi", timeout=60)

    ids = [c["id"] for c in api.collections()["collections"]]
    assert sorted(ids) == sorted(FEATURE_LAYERS)
    items = api.collection_items("parcels", bbox=[16.0, 51.0, 16.5, 51.5], limit=10)
    assert sorted(f["properties"]["parcel_id"] for f in items["features"]) == [
        "020101_1.0002.5", "026101_1.0001.10/1", "026101_1.0001.10/2"]
    page = api.collection_items("parcels", limit=1, offset=2)
    assert page["numberReturned"] == 1


# --- The access policy: the parcels layer closed to staff of its unit -----------------------

@pytest.fixture
def staff_only_parcels(monkeypatch, cadastre):
    closed = dataclasses.replace(registry.layer_named("parcels"), access=Access.STAFF)
    monkeypatch.setitem(registry._BY_NAME, "parcels", closed)
    return {"resident": factories.user(),
            "other": factories.staff(cadastre["other"], CASE_OFFICER),
            "own": factories.staff(cadastre["first"].unit, CASE_OFFICER)}


def _as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


WFS_GET = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
           "TYPENAMES": "ms:parcels", "OUTPUTFORMAT": "application/json"}


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("resident", 403)])
def test_the_closed_layer_is_missing_and_refused_on_both_services(map_services,
                                                                 staff_only_parcels, who,
                                                                 status):
    client = _as(staff_only_parcels.get(who))
    capabilities = client.get("/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities",
                                       "VERSION": "2.0.0"}).content.decode()
    assert "ms:parcels<" not in capabilities and "ms:buildings<" in capabilities
    collections = json.loads(client.get("/ogcapi/collections", {"f": "json"}).content)
    assert "parcels" not in [c["id"] for c in collections["collections"]]

    for response in (client.get("/wfs", WFS_GET),
                     client.get("/wfs", {**WFS_GET, "REQUEST": "DescribeFeatureType"}),
                     client.get("/ogcapi/collections/parcels/items", {"f": "json"}),
                     client.get("/ogcapi/collections/parcels", {"f": "json"})):
        assert response.status_code == status
        assert b"026101_1" not in response.content and b"020101_1" not in response.content
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Basic")


def test_staff_get_the_features_of_their_own_unit_only(map_services, staff_only_parcels,
                                                      cadastre):
    own = _as(staff_only_parcels["own"])
    other = _as(staff_only_parcels["other"])
    # a client's own `units` is ignored: the view sets it
    wfs_ids = [f["properties"]["parcel_id"] for f in json.loads(
        own.get("/wfs", {**WFS_GET, "units": "all"}).content)["features"]]
    assert sorted(wfs_ids) == ["026101_1.0001.10/1", "026101_1.0001.10/2"]
    api_ids = [f["properties"]["parcel_id"] for f in json.loads(
        other.get("/ogcapi/collections/parcels/items", {"f": "json", "units": "all"}).content
    )["features"]]
    assert api_ids == ["020101_1.0002.5"]
    # another unit's parcel asked for by its id: not there
    item = own.get(f"/ogcapi/collections/parcels/items/{cadastre['b_parcel'].pk}", {"f": "json"})
    assert item.status_code == 404 and b"020101_1" not in item.content
    mine = own.get(f"/ogcapi/collections/parcels/items/{cadastre['first'].pk}", {"f": "json"})
    assert json.loads(mine.content)["properties"]["parcel_id"] == "026101_1.0001.10/1"


@pytest.mark.parametrize(("path", "params"), [
    ("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
              "TYPENAMES": "ms:parcels", "COUNT": "abc"}),
    ("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
              "TYPENAMES": "ms:parcels", "BBOX": "a,b,c,d"}),
    ("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
              "TYPENAMES": "ms:nothing"}),
    ("/wfs", {"SERVICE": "WFS", "REQUEST": "Nonsense"}),
    ("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
              "TYPENAMES": "ms:parcels", "FILTER": "<fes:Filter"}),
    ("/ogcapi/collections/parcels/items", {"f": "json", "bbox": "abc"}),
    ("/ogcapi/collections/parcels/items", {"f": "json", "limit": "-1"}),
    ("/ogcapi/collections/nothing/items", {"f": "json"}),
    ("/ogcapi/collections/parcels/items/abc", {"f": "json"}),
    ("/ogcapi/nonsense", {"f": "json"}),
])
def test_malformed_feature_requests_get_an_error_never_a_500(map_services, cadastre, path,
                                                            params):
    response = Client().get(path, params)
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])

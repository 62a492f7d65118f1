"""Plan boundaries on the national dialects: the `general_plans` and `local_plans`
collections of WFS 2.0 and OGC API - Features, and the KIMPZP names of the WMS (`granice`,
`raster`, `wektor-*`) read with OWSLib, as GUGiK's integration reads a gmina's WMS: all
seven names in one GetMap and one GetFeatureInfo. Rows are committed: MapServer reads them
itself.
"""
import dataclasses
import io
import json
from datetime import date

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.test import Client
from owslib.wms import WebMapService
from PIL import Image

from core.roles import CASE_OFFICER
from layers import registry
from layers.models import PlanDrawing
from layers.registry import KIMPZP_LAYERS, Access
from tests import factories
from tests.conftest import FRAME, PARCEL

# The names in the order KIMPZP's integrating service asks a gmina's WMS for them.
KIMPZP_REQUEST = ["raster", "wektor-str", "wektor-pow", "wektor-lin", "wektor-pkt",
                  "wektor-lzb", "granice"]

pytestmark = pytest.mark.django_db(transaction=True)

BOX = GEOSGeometry("MULTIPOLYGON(((317900 385900, 318200 385900, 318200 386200, "
                   "317900 386200, 317900 385900)))", srid=2180)


@pytest.fixture
def local_plans(map_services):
    unit = factories.unit()
    plan = factories.zoning_plan("local", "MPZP-RYNEK", u=unit, name="MPZP Rynek",
                                 valid_from="2020-05-01", resolution_number="XII/34/2020",
                                 legal_status="prawnie wiążący lub realizowany", geom=BOX)
    factories.zoning_zone(plan, "1MN", "MN", factories.box(*PARCEL))
    PlanDrawing.objects.create(plan=plan, local_id="RYS-1", title="Rysunek planu Rynek",
                               url="https://bip.example.pl/mpzp/rynek.tif", crs="EPSG:2176",
                               resolution=1000, valid_from=date(2020, 5, 1))
    ended = factories.zoning_plan("local", "MPZP-OLD", u=unit, name="MPZP uchylony",
                                  valid_from="2001-01-01", valid_to="2020-05-01", geom=BOX)
    return {"plan": plan, "ended": ended, "unit": unit}


def test_local_plans_are_a_collection_of_both_feature_services(local_plans):
    client = Client()
    items = json.loads(client.get("/ogcapi/collections/local_plans/items",
                                  {"f": "json"}).content)
    assert [f["properties"]["identifier"] for f in items["features"]] == ["MPZP-RYNEK"]
    assert items["features"][0]["properties"]["resolution_number"] == "XII/34/2020"
    wfs = json.loads(client.get("/wfs", {
        "SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
        "TYPENAMES": "ms:local_plans", "OUTPUTFORMAT": "application/json"}).content)
    assert [f["properties"]["name"] for f in wfs["features"]] == ["MPZP Rynek"]


def test_the_kimpzp_names_are_in_the_wms_and_answer_feature_info(live_server, local_plans):
    wms = WebMapService(f"{live_server.url}/mapproxy/service", version="1.1.1", timeout=60)

    assert sorted(layer.name for layer in KIMPZP_LAYERS) == sorted(KIMPZP_REQUEST)
    assert set(KIMPZP_REQUEST) <= set(wms.contents)
    for layer, field, value in (("granice", "identifier", "MPZP-RYNEK"),
                                ("wektor-pow", "label", "1MN")):
        response = wms.getfeatureinfo(layers=[layer], query_layers=[layer], srs="EPSG:2180",
                                      bbox=FRAME, size=(256, 256), format="image/png",
                                      info_format="application/json", xy=(128, 128),
                                      styles=[""])
        (feature,) = json.loads(response.read())["features"]
        assert feature["properties"][field] == value
    image = wms.getmap(layers=["granice"], styles=[""], srs="EPSG:2180", bbox=FRAME,
                       size=(256, 256), format="image/png", transparent=True)
    assert image.info()["Content-Type"] == "image/png"


def _kimpzp_map(wms: WebMapService):
    return wms.getmap(layers=KIMPZP_REQUEST, styles=[""] * 7, srs="EPSG:2180", bbox=FRAME,
                      size=(256, 256), format="image/png", transparent=True)


def _kimpzp_info(wms: WebMapService) -> str:
    # HTML, as the national map shows it: MapProxy merges the sources' documents into one
    response = wms.getfeatureinfo(layers=KIMPZP_REQUEST, query_layers=KIMPZP_REQUEST,
                                  srs="EPSG:2180", bbox=FRAME, size=(256, 256),
                                  format="image/png", info_format="text/html",
                                  xy=(128, 128), styles=[""] * 7, feature_count=10)
    return response.read().decode("utf-8")


def test_kimpzp_asking_for_all_seven_names_at_once_gets_the_plans(live_server, local_plans):
    # given the gmina's WMS as KIMPZP reads it, asking for its seven names in one request
    wms = WebMapService(f"{live_server.url}/mapproxy/service", version="1.1.1", timeout=60)

    # then the map is drawn (not refused for a name it lacks) with the plan on it
    response = _kimpzp_map(wms)
    body = response.read()
    assert response.info()["Content-Type"] == "image/png", body[:300]
    image = Image.open(io.BytesIO(body)).convert("RGBA")
    assert sum(1 for pixel in image.get_flattened_data() if pixel[3]) > 500
    # and the feature info tells the plan's area, boundary and drawing
    info = _kimpzp_info(wms)
    for value in ("1MN", "MPZP-RYNEK", "Rysunek planu Rynek",
                  "https://bip.example.pl/mpzp/rynek.tif", "1:1000"):
        assert value in info, info[:2000]
    assert "MPZP uchylony" not in info  # a plan out of force is not the law


def test_the_empty_kimpzp_names_say_so_in_the_capabilities(live_server, local_plans):
    wms = WebMapService(f"{live_server.url}/mapproxy/service", version="1.3.0", timeout=60)

    for name in ("wektor-str", "wektor-lin", "wektor-pkt", "wektor-lzb"):
        assert "nie są prowadzone w tym portalu" in wms[name].abstract
    assert "GeoTIFF" in wms["raster"].abstract


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("resident", 403)])
def test_the_kimpzp_names_follow_the_access_of_the_local_plan_layers(
        map_services, local_plans, monkeypatch, who, status):
    # given the local plans' boundaries and areas open to staff only
    for name in ("local_plans", "local_zones"):
        closed = dataclasses.replace(registry.layer_named(name), access=Access.STAFF)
        monkeypatch.setitem(registry._BY_NAME, name, closed)
    client = Client()
    if who:
        client.force_login(factories.user())
    base = {"SERVICE": "WMS", "VERSION": "1.1.1", "SRS": "EPSG:2180", "STYLES": "",
            "BBOX": ",".join(map(str, FRAME)), "WIDTH": "256", "HEIGHT": "256",
            "FORMAT": "image/png"}

    # then every KIMPZP name is missing from the capabilities and refused
    capabilities = client.get("/mapproxy/service", {**base, "REQUEST": "GetCapabilities"})
    for name in KIMPZP_REQUEST:
        assert f"<Name>{name}</Name>".encode() not in capabilities.content
        for request in ("GetMap", "GetFeatureInfo"):
            response = client.get("/mapproxy/service", {
                **base, "REQUEST": request, "LAYERS": name, "QUERY_LAYERS": name,
                "X": "128", "Y": "128", "INFO_FORMAT": "application/json"})
            assert response.status_code == status, (name, request)
            assert b"Rynek" not in response.content and b"rynek.tif" not in response.content
    # while the unit's own staff are answered (restricted maps are clipped to their unit)
    type(local_plans["unit"]).objects.filter(pk=local_plans["unit"].pk).update(boundary=BOX)
    own = Client()
    own.force_login(factories.staff(local_plans["unit"], CASE_OFFICER))
    assert own.get("/mapproxy/service", {**base, "REQUEST": "GetMap",
                                         "LAYERS": ",".join(KIMPZP_REQUEST)}).status_code == 200

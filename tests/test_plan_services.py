"""Plan boundaries on the national dialects: the `general_plans` and `local_plans`
collections of WFS 2.0 and OGC API - Features, and the KIMPZP names of the WMS
(`granice`, `wektor-pow`) read with OWSLib, as GUGiK's integration reads a gmina's WMS.
Rows are committed: MapServer reads them itself.
"""
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.test import Client
from owslib.wms import WebMapService

from layers.registry import KIMPZP_LAYERS
from tests import factories
from tests.conftest import FRAME, PARCEL

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
    ended = factories.zoning_plan("local", "MPZP-OLD", u=unit, name="MPZP uchylony",
                                  valid_from="2001-01-01", valid_to="2020-05-01", geom=BOX)
    return {"plan": plan, "ended": ended}


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

    assert [layer.name for layer in KIMPZP_LAYERS] == ["granice", "wektor-pow"]
    assert {"granice", "wektor-pow"} <= set(wms.contents)
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

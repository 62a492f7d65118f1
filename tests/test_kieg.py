"""The KIEG profile of the WMS: GUGiK's layer names and feature info fields, beside ours.

Read with OWSLib against the live server, as geoportal.gov.pl's integration or QGIS read
a powiat's EGiB WMS. Rows are committed: MapServer reads them through its own connection.
"""
import dataclasses
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from owslib.wms import WebMapService
from PIL import Image

from cadastre_sync.models import RegisterUnit
from core.roles import CASE_OFFICER
from layers import registry
from layers.registry import KIEG_LAYERS, Access
from tests import factories
from tests.conftest import FRAME, PARCEL, is_outline

pytestmark = pytest.mark.django_db(transaction=True)

KIEG_NAMES = ["dzialki", "numery_dzialek", "budynki", "obreby", "uzytki", "geoportal"]
CENTRE = ((PARCEL[0] + PARCEL[2]) / 2, (PARCEL[1] + PARCEL[3]) / 2)


@pytest.fixture
def registered(two_parcels):
    first, _second = two_parcels
    group = RegisterUnit.objects.create(unit=first.unit, register_id="G12", group=7)
    first.register_unit = group
    first.land_register_number = "LE1L/00012345/6"
    first.registered_area_ha = Decimal("1.0000")
    first.save()
    factories.building(first, "026101_1.0001.10/1.1_BUD", storeys_above=2, storeys_below=1)
    return first


@pytest.fixture
def wms(live_server, registered) -> WebMapService:
    return WebMapService(f"{live_server.url}/mapproxy/service", version="1.3.0", timeout=60)


def test_the_kieg_names_are_in_the_capabilities_in_pl1992_and_the_pl2000_zones(wms):
    assert [name for name in wms.contents if name in KIEG_NAMES] == KIEG_NAMES
    assert [layer.name for layer in KIEG_LAYERS] == KIEG_NAMES
    crs = {code for code in wms["dzialki"].crsOptions}
    assert {"EPSG:2180", "EPSG:2176", "EPSG:2177", "EPSG:2178", "EPSG:2179"} <= crs
    # ... beside our own names, which stay
    assert "parcels" in wms.contents and "buildings" in wms.contents


def _info(wms: WebMapService, layer: str, info_format: str) -> str:
    response = wms.getfeatureinfo(layers=[layer], query_layers=[layer], srs="EPSG:2180",
                                  bbox=FRAME, size=(256, 256), format="image/png",
                                  info_format=info_format, xy=(128, 128), styles=[""])
    return response.read().decode("utf-8")


def test_feature_info_of_dzialki_answers_in_the_kieg_fields(wms, registered):
    document = json.loads(_info(wms, "dzialki", "application/json"))

    (feature,) = document["features"]
    fields = dict(feature["properties"])
    date = fields.pop("DATA")
    assert fields == {
        "ID_DZIALKI": "026101_1.0001.10/1", "NUMER_DZIALKI": "10/1", "NUMER_ARKUSZA": "",
        "NUMER_OBREBU": "0001", "NAZWA_OBREBU": "Centrum", "NAZWA_GMINY": "Legnica",
        "POLE_EWIDENCYJNE": "1.0000", "KW": "LE1L/00012345/6",
        "GRUPA_REJESTROWA": "7 - osoby fizyczne",
    }
    assert len(date) == 10 and date[4] == "-" and date[7] == "-"
    # ... and in GML (text/xml in WMS 1.3.0), under the layer's KIEG name
    gml = _info(wms, "dzialki", "text/xml")
    assert "<ogr:ID_DZIALKI>026101_1.0001.10/1</ogr:ID_DZIALKI>" in gml
    assert "parcel_id" not in gml


def test_feature_info_of_budynki_answers_in_the_kieg_fields(wms, registered):
    document = json.loads(_info(wms, "budynki", "application/json"))

    (feature,) = document["features"]
    assert feature["properties"] == {"ID_BUDYNKU": "026101_1.0001.10/1.1_BUD",
                                     "FUNKCJA": "1110", "KONDYGNACJE": 3}


def _image(response) -> Image.Image:
    body = response.read()
    assert response.info()["Content-Type"] == "image/png", body[:300]
    return Image.open(io.BytesIO(body)).convert("RGBA")


def test_getmap_1_1_1_and_1_3_0_agree_whatever_the_axis_order(live_server, registered):
    # given the same frame: x,y order in WMS 1.1.1, northing first in 1.3.0 for EPSG:2180
    url = f"{live_server.url}/mapproxy/service"
    old = WebMapService(url, version="1.1.1", timeout=60)
    new = WebMapService(url, version="1.3.0", timeout=60)
    common = {"layers": ["dzialki"], "styles": [""], "size": (256, 256),
              "format": "image/png", "transparent": True}
    by_old = _image(old.getmap(srs="EPSG:2180", bbox=FRAME, **common))
    by_new = _image(new.getmap(srs="EPSG:2180", bbox=FRAME, **common))  # OWSLib swaps
    # then both draw the parcel, pixel for pixel alike
    outline = sum(is_outline(p) for p in by_old.get_flattened_data())
    assert outline > 250
    assert list(by_old.get_flattened_data()) == list(by_new.get_flattened_data())


def test_getmap_in_a_pl2000_zone_draws_the_parcel(live_server, registered):
    from django.contrib.gis.geos import Polygon

    frame = Polygon.from_bbox(FRAME)
    frame.srid = 2180
    frame.transform(2176)  # zone 5: Legnica lies at about 16.2° E
    wms = WebMapService(f"{live_server.url}/mapproxy/service", version="1.3.0", timeout=60)
    image = _image(wms.getmap(layers=["dzialki"], styles=[""], srs="EPSG:2176",
                              bbox=frame.extent, size=(256, 256), format="image/png",
                              transparent=True))
    assert sum(is_outline(p) for p in image.get_flattened_data()) > 150


# --- The access policy follows the layers the KIEG names draw -----------------------------

@pytest.fixture
def staff_only_parcels(monkeypatch, registered):
    closed = dataclasses.replace(registry.layer_named("parcels"), access=Access.STAFF)
    monkeypatch.setitem(registry._BY_NAME, "parcels", closed)
    other = factories.unit("020101_1", "Bolesławiec")
    return {"resident": factories.user(),
            "other": factories.staff(other, CASE_OFFICER)}


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("resident", 403), ("other", 403)])
def test_dzialki_is_refused_and_missing_where_the_parcels_are_closed(
        map_services, staff_only_parcels, who, status):
    client = Client()
    if who:
        client.force_login(staff_only_parcels[who])
    base = {"SERVICE": "WMS", "VERSION": "1.1.1", "SRS": "EPSG:2180", "LAYERS": "dzialki",
            "STYLES": "", "FORMAT": "image/png", "WIDTH": 256, "HEIGHT": 256,
            "BBOX": ",".join(str(v) for v in FRAME)}
    info = {**base, "REQUEST": "GetFeatureInfo", "QUERY_LAYERS": "dzialki",
            "INFO_FORMAT": "application/json", "X": 128, "Y": 128}
    for params in ({**base, "REQUEST": "GetMap"}, info):
        response = client.get("/mapproxy/service", params)
        assert response.status_code == status, params["REQUEST"]
        assert b"026101_1.0001" not in response.content
    capabilities = client.get("/mapproxy/service", {"SERVICE": "WMS", "REQUEST": "GetCapabilities"})
    assert b"<Name>dzialki</Name>" not in capabilities.content
    assert b"<Name>budynki</Name>" in capabilities.content

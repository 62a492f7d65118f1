"""The cartographic base map drawn from our own layers: land cover, roads, buildings, street
names and house numbers, the default base map where no orthophoto is published."""
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from PIL import Image

from cadastre_sync.models import Address, LandUsePiece
from layers.models import Raster
from layers.registry import layer_named
from tests import factories as f

# A street running east-west (a road parcel 20 m wide) with a lot on its north side, and a
# cross street running north-south at its east end.
ROAD = (317950.0, 385980.0, 318150.0, 386000.0)
CROSS = (318150.0, 385850.0, 318170.0, 386150.0)
LOT = (318000.0, 386000.0, 318100.0, 386100.0)
FRAME = (317975.0, 385925.0, 318125.0, 386075.0)  # 150 m in 256 px: about 1:2 100
RESIDENTIAL = (0xEF, 0xE6, 0xDD)  # registry.LAND_COVER: B, Bi, Bp, Br
STREET_TEXT = (0x3E, 0x3A, 0x36)  # registry: street_names


def _piece(parcel, ofu: str, bbox) -> LandUsePiece:
    geom = MultiPolygon(Polygon.from_bbox(bbox), srid=2180)
    return LandUsePiece.objects.create(parcel=parcel, ofu=ofu, area_ha=Decimal("0.1"),
                                       geom=geom)


def _address(parcel, street: str, number: str, x: float, y: float) -> Address:
    return Address.objects.create(unit=parcel.unit, parcel=parcel, locality="Legnica",
                                  street=street, house_number=number,
                                  point=Point(x, y, srid=2180))


@pytest.fixture
def street(map_services):
    road = f.parcel("100", geom=f.box(*ROAD))
    cross = f.parcel("200", p=road.precinct, geom=f.box(*CROSS))
    lot = f.parcel("12", p=road.precinct, geom=f.box(*LOT))
    _piece(road, "dr", ROAD)
    _piece(cross, "dr", CROSS)
    _piece(lot, "B", LOT)
    f.building(lot)
    # Polna 2 and 4 face the street; Polna 6, the corner house, lies nearest the cross
    # street, which has Leśna 1 and 3 along it.
    _address(lot, "Polna", "2", 318030, 386020)
    _address(lot, "Polna", "4", 318070, 386020)
    _address(lot, "Polna", "6", 318140, 386030)
    _address(lot, "Leśna", "1", 318185, 385900)
    _address(lot, "Leśna", "3", 318185, 386100)
    return road, cross, lot


def _rows(layer_name: str, bbox) -> list[tuple]:
    sql = layer_named(layer_name).sql.replace(
        "!BOX!", "ST_MakeEnvelope(%s, %s, %s, %s, 2180)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) AS s ORDER BY id", list(bbox))  # noqa: S608
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_road_is_named_after_the_street_of_its_houses_and_written_along_it(street):
    # given a street with its houses and a cross street with two houses and a corner house
    road, cross, _lot = street

    # when the street names are read for the area
    rows = _rows("street_names", (317900, 385800, 318300, 386200))

    # then the east-west road says Polna, written level; the cross street says Leśna,
    # written upright along it (the corner house of Polna does not rename it)
    named = {row["street"]: row["angle"] for row in rows}
    assert set(named) == {"Polna", "Leśna"}
    assert abs(named["Polna"]) < 1
    assert abs(abs(named["Leśna"]) - 90) < 1


@pytest.mark.django_db
def test_a_road_without_a_majority_of_one_street_stays_unnamed(street):
    # given a second street's houses beside the cross street, as many as Leśna's
    _road, _cross, lot = street
    _address(lot, "Krótka", "1", 318185, 385950)
    _address(lot, "Krótka", "3", 318185, 386050)

    rows = _rows("street_names", (317900, 385800, 318300, 386200))

    # then only Polna is written: the cross street is not given a name it may not bear
    assert [row["street"] for row in rows] == ["Polna"]


@pytest.mark.django_db(transaction=True)
def test_the_base_map_draws_land_cover_roads_street_names_and_house_numbers(client, street):
    # when the base map is asked for around the lot at about 1:2 100
    response = client.get("/mapproxy/service", {
        "SERVICE": "WMS", "REQUEST": "GetMap", "VERSION": "1.1.1", "LAYERS": "base_map",
        "STYLES": "", "FORMAT": "image/png", "TRANSPARENT": "true", "WIDTH": 256,
        "HEIGHT": 256, "SRS": "EPSG:2180", "BBOX": ",".join(str(v) for v in FRAME)})

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "image/png", response.content[:300]
    image = Image.open(io.BytesIO(response.content)).convert("RGBA")
    px = 256 / (FRAME[2] - FRAME[0])

    def pixel(x: float, y: float) -> tuple[int, int]:
        return int((x - FRAME[0]) * px), int((FRAME[3] - y) * px)

    # then the lot is in the colour of built-up land, away from its house and labels
    r, g, b, a = image.getpixel(pixel(318010, 386060))
    assert a == 255 and max(abs(c - d) for c, d in zip((r, g, b), RESIDENTIAL, strict=True)) < 6
    # ... the road is white between its edges
    assert image.getpixel(pixel(317980, 385990))[:3] == (255, 255, 255)
    # ... the street's name is written on the road, in the street names' colour
    _, top = pixel(FRAME[0], ROAD[3])
    _, bottom = pixel(FRAME[0], ROAD[1])
    road = (image.getpixel((x, y)) for x in range(256) for y in range(top + 2, bottom - 1))
    text = [p for p in road
            if max(abs(c - d) for c, d in zip(p[:3], STREET_TEXT, strict=True)) < 60]
    assert len(text) > 30
    # ... and the house numbers stand at their address points (dark text near Polna 2)
    hx, hy = pixel(318030, 386020)
    near = [image.getpixel((x, y)) for x in range(hx - 8, hx + 9) for y in range(hy - 6, hy + 7)]
    assert sum(1 for p in near if p[3] > 200 and sum(p[:3]) < 450) >= 5


def _map_config(response) -> dict:
    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(found.group(1))


@pytest.mark.django_db
def test_without_an_orthophoto_the_resident_map_opens_on_the_base_map(client):
    config = _map_config(client.get("/mapa/"))

    assert [(b["name"], b["title"], b["visible"]) for b in config["baseLayers"]] == [
        ("base_map", "Mapa podkładowa", True)]
    overlays = {o["name"] for o in config["overlays"]}
    assert {"house_numbers", "street_names"} <= overlays
    assert not {"base_map", "land_cover"} & overlays


@pytest.mark.django_db
def test_the_case_maps_lay_the_cadastre_over_the_base_map_or_the_orthophoto_of_the_area(
        client):
    # given a resident starting an application on a parcel, no orthophoto published
    from permits.views import _map_config as case_map_config

    parcel = f.parcel("10", geom=f.box(318000, 386000, 318100, 386100))
    resident = f.user()

    # then the case map lays the cadastre over the base map
    config = case_map_config(user=resident, parcel_rows=[parcel])
    assert config["wms"]["layers"] == "base_map,parcels,buildings,parcel_numbers"

    # given an orthophoto over the parcel and another one far away
    for name, bbox in (("orto_far", (500000, 500000, 501000, 501000)),
                       ("orto_here", (317000, 385000, 319000, 387000))):
        Raster.objects.create(unit=parcel.unit, title=name, name=name, path=f"{name}.tif",
                              resolution=0.1, bands=3, data_type="Byte", size_bytes=1,
                              extent=Polygon.from_bbox(bbox))

    # then the orthophoto of the area is laid under the cadastre
    config = case_map_config(user=resident, parcel_rows=[parcel])
    assert config["wms"]["layers"] == "orto_here,parcels,buildings,parcel_numbers"

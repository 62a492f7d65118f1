"""Vector tiles at /tiles/: ST_AsMVT from PostGIS on web mercator and on the PL-1992 grid.

Tiles are decoded with a real MVT decoder (mapbox-vector-tile); which parcels a tile
must hold is worked out independently, with GEOS, from the tile's own envelope.
"""
import math
from datetime import UTC, datetime
from pathlib import Path

import mapbox_vector_tile
import pytest
import yaml
from django.conf import settings
from django.contrib.gis.geos import Point, Polygon

from cadastre_sync.models import Parcel
from layers.vector_tiles import BUFFER_PX, EXTENT_PX, GRIDS, VECTOR_LAYERS
from tests import factories
from tests.conftest import PARCEL

MERCATOR_HALF = 20037508.342789244
PL1992 = GRIDS["pl1992"]


def mercator_tile(x2180: float, y2180: float, z: int) -> tuple[int, int]:
    """The XYZ tile at zoom z holding an EPSG:2180 point, by the slippy-map formula."""
    point = Point(x2180, y2180, srid=2180).transform(3857, clone=True)
    n = 2**z
    return (math.floor((point.x + MERCATOR_HALF) / (2 * MERCATOR_HALF) * n),
            math.floor((MERCATOR_HALF - point.y) / (2 * MERCATOR_HALF) * n))


def mercator_envelope(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * MERCATOR_HALF / 2**z
    west, north = -MERCATOR_HALF + x * size, MERCATOR_HALF - y * size
    return west, north - size, west + size, north


def pl1992_tile(x2180: float, y2180: float, z: int) -> tuple[int, int]:
    size = 800_000 / 2**z
    return math.floor((x2180 - 100_000) / size), math.floor((900_000 - y2180) / size)


def pl1992_envelope(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 800_000 / 2**z
    west, north = 100_000 + x * size, 900_000 - y * size
    return west, north - size, west + size, north


def expected_parcels(envelope, srid: int) -> set[int]:
    """Current parcels touching the tile with its MVT buffer, found by GEOS and the ORM."""
    margin = (envelope[2] - envelope[0]) * BUFFER_PX / EXTENT_PX
    area = Polygon.from_bbox((envelope[0] - margin, envelope[1] - margin,
                              envelope[2] + margin, envelope[3] + margin))
    area.srid = srid
    area.transform(2180)
    return set(Parcel.objects.filter(retired_at__isnull=True, geom__intersects=area)
               .values_list("pk", flat=True))


def decode(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content,
                                     default_options={"y_coord_down": True})


@pytest.fixture
def parcels_around(two_parcels):
    """The two parcels, one retired over them, one 3 km away."""
    first, second = two_parcels
    retired = factories.parcel("10/3", geom=factories.box(318020, 386020, 318080, 386080),
                               retired_at=datetime(2024, 1, 1, tzinfo=UTC))
    far = factories.parcel("77", geom=factories.box(321000, 386000, 321050, 386050))
    return first, second, retired, far


@pytest.mark.django_db
def test_a_web_mercator_tile_decodes_to_exactly_the_parcels_it_touches(client, parcels_around):
    # given parcels 10/1 and 10/2, a retired one over them, one 3 km away
    first, second, retired, far = parcels_around
    z = 17
    x, y = mercator_tile(PARCEL[0] + 50, PARCEL[1] + 50, z)

    # when the z17 tile over 10/1 is asked for
    tile = decode(client.get(f"/tiles/parcels/{z}/{x}/{y}.mvt"))

    # then it holds the current parcels touching it, with id, number and idDzialki
    features = tile["parcels"]["features"]
    expected = expected_parcels(mercator_envelope(z, x, y), 3857)
    assert first.pk in expected and retired.pk not in expected and far.pk not in expected
    assert {f["id"] for f in features} == expected
    by_id = {f["id"]: f["properties"] for f in features}
    assert by_id[first.pk] == {"id": first.pk, "number": "10/1", "idDzialki": first.parcel_id}
    assert tile["parcels"]["extent"] == EXTENT_PX


@pytest.mark.django_db
def test_a_pl1992_tile_decodes_to_the_parcels_at_their_true_place(client, parcels_around):
    # given the parcels, and the pl1992 level 12 tile (0.76 m/px) over 10/1
    first, second, retired, far = parcels_around
    z = 12
    x, y = pl1992_tile(PARCEL[0] + 50, PARCEL[1] + 50, z)
    west, south, east, north = envelope = pl1992_envelope(z, x, y)

    # when it is asked for on the pl1992 grid
    tile = decode(client.get(f"/tiles/pl1992/parcels/{z}/{x}/{y}.mvt"))

    # then it holds exactly the parcels touching it, and 10/1 lies where it is in EPSG:2180
    features = {f["id"]: f for f in tile["parcels"]["features"]}
    assert set(features) == expected_parcels(envelope, 2180)
    assert first.pk in features and far.pk not in features
    ring = features[first.pk]["geometry"]["coordinates"][0]
    scale = (east - west) / EXTENT_PX
    xs = [west + px * scale for px, _ in ring]
    ys = [north - py * scale for _, py in ring]
    assert min(xs) == pytest.approx(PARCEL[0], abs=scale) and max(xs) == pytest.approx(
        PARCEL[2], abs=scale)
    assert min(ys) == pytest.approx(PARCEL[1], abs=scale) and max(ys) == pytest.approx(
        PARCEL[3], abs=scale)
    assert south < PARCEL[1] < north


@pytest.mark.django_db
def test_a_tile_is_one_query_with_a_strong_etag_and_304_when_unchanged(
        client, parcels_around, django_assert_num_queries):
    # given a tile over 10/1 that was fetched once
    first = parcels_around[0]
    x, y = mercator_tile(PARCEL[0] + 50, PARCEL[1] + 50, 16)
    url = f"/tiles/parcels/16/{x}/{y}.mvt"
    with django_assert_num_queries(1):
        fetched = client.get(url)
    etag = fetched["ETag"]

    # when it is asked for again with If-None-Match, and again after 10/1 changed
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    Parcel.objects.filter(pk=first.pk).update(number="10/9")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)

    # then a strong ETag and public caching; 304 with no body; a new tile and ETag after
    assert fetched.status_code == 200 and etag.startswith('"') and len(etag) > 20
    assert fetched["Cache-Control"] == "public, max-age=3600"
    assert "Cookie" not in fetched["Vary"]  # a public tile does not depend on who asks
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert changed.status_code == 200 and changed["ETag"] != etag
    numbers = {f["properties"]["number"] for f in decode(changed)["parcels"]["features"]}
    assert "10/9" in numbers and "10/1" not in numbers


@pytest.mark.django_db
def test_an_empty_tile_is_204_and_a_tile_below_the_min_zoom_is_never_built(client,
                                                                          parcels_around):
    # given parcels in Legnica only
    x, y = mercator_tile(700_000, 700_000, 16)  # north-east Poland

    # when a tile far from them, a z8 tile and a tile off the grid are asked for
    empty = client.get(f"/tiles/parcels/16/{x}/{y}.mvt")
    small_scale = client.get("/tiles/parcels/8/139/86.mvt")
    off_grid = client.get(f"/tiles/parcels/16/{2**16}/0.mvt")

    # then 204 with no body; 404 naming the zoom range; 404 for the tile outside the grid
    assert empty.status_code == 204 and empty.content == b""
    assert small_scale.status_code == 404
    assert small_scale.json()["detail"] == {"layer": "parcels", "z": 8, "minzoom": 14,
                                            "maxzoom": 20}
    # (in Polish, the office's language, whatever the browser asks for)
    assert "od poziomu powiększenia 14 do 20" in small_scale.json()["message"]
    assert off_grid.status_code == 404
    assert client.get("/tiles/no_such_layer/16/0/0.mvt").status_code == 404


@pytest.mark.django_db
def test_buildings_and_zones_are_served_with_their_fields(client, parcels_around):
    # given a building on 10/1 and a general plan zone under it
    from layers.models import ZoningPlan, ZoningZone

    first = parcels_around[0]
    building = factories.building(first)
    plan = ZoningPlan.objects.create(unit=factories.unit(), kind="general", identifier="POG",
                                     name="Plan ogólny testowy")
    zone = ZoningZone.objects.create(plan=plan, local_id="1SJ", label="1SJ", symbol="SJ",
                                     designation="zabudowa jednorodzinna",
                                     geom=factories.box(317900, 385900, 318300, 386300))
    x, y = mercator_tile(PARCEL[0] + 50, PARCEL[1] + 50, 16)

    # when their tiles over 10/1 are asked for
    buildings = decode(client.get(f"/tiles/buildings/16/{x}/{y}.mvt"))["buildings"]
    zones = decode(client.get(f"/tiles/general_zones/16/{x}/{y}.mvt"))["general_zones"]

    # then each holds its feature with its fields
    assert [f["properties"] for f in buildings["features"]] == [
        {"id": building.pk, "idBudynku": building.building_id, "kst": "1110", "storeys": 1}]
    assert [f["properties"] for f in zones["features"]] == [
        {"id": zone.pk, "label": "1SJ", "symbol": "SJ", "designation": "zabudowa jednorodzinna",
         "plan": "Plan ogólny testowy"}]


@pytest.mark.django_db
def test_tilejson_describes_the_layer_and_its_tiles_fetch(client, parcels_around):
    # given the parcels
    # when the TileJSON of parcels is read and its tile URL is followed for the z16 tile
    document = client.get("/tiles/parcels.json").json()
    x, y = mercator_tile(PARCEL[0] + 50, PARCEL[1] + 50, 16)
    url = document["tiles"][0].replace("{z}", "16").replace("{x}", str(x)).replace(
        "{y}", str(y))
    tile = decode(client.get(url.removeprefix("http://testserver")))

    # then it is TileJSON 3.0.0 whose layer, fields and zooms match the tiles served
    assert document["tilejson"] == "3.0.0" and document["scheme"] == "xyz"
    assert url.startswith("http://testserver/tiles/parcels/16/")
    assert (document["minzoom"], document["maxzoom"]) == (14, 20)
    west, south, east, north = document["bounds"]
    assert 13 < west < 15 and 48 < south < 50 and 24 < east < 26 and 54 < north < 56
    (layer,) = document["vector_layers"]
    assert layer["id"] == "parcels" and set(tile) == {"parcels"}
    assert set(layer["fields"]) == set(tile["parcels"]["features"][0]["properties"])
    assert all(isinstance(text, str) and text for text in layer["fields"].values())


@pytest.mark.django_db
def test_pl1992_tilejson_describes_the_mapproxy_pl1992_grid(client, parcels_around):
    # given MapProxy's own pl1992 grid definition
    base = yaml.safe_load((Path(settings.BASE_DIR) / "mapproxy" / "base.yaml").read_text())
    grid = base["grids"]["pl1992"]

    # when the pl1992 TileJSON of parcels is read
    document = client.get("/tiles/pl1992/parcels.json").json()

    # then its tile grid is MapProxy's: extent, north-west origin, resolutions, tile size
    tile_grid = document["tile_grid"]
    assert document["crs"] == grid["srs"]
    assert tile_grid["extent"] == grid["bbox"]
    assert tile_grid["origin"] == [grid["bbox"][0], grid["bbox"][3]] and grid["origin"] == "nw"
    assert tile_grid["tile_size"] == grid["tile_size"]
    assert tile_grid["resolutions"] == [grid["min_res"] / 2**z for z in range(grid["num_levels"])]
    assert (document["minzoom"], document["maxzoom"]) == (9, 15)
    assert document["tiles"] == ["http://testserver/tiles/pl1992/parcels/{z}/{x}/{y}.mvt"]


def test_every_vector_layer_is_a_registry_layer_with_the_columns_it_names():
    # given the vector layers
    # when each is matched with its registry layer
    # then the registry's query names every column the tile takes
    for layer in VECTOR_LAYERS:
        assert layer.published is not None, layer.name
        for field in layer.fields:
            assert field.column in layer.published.sql, (layer.name, field.column)
    assert PL1992.zoom_for(14) == 9


@pytest.mark.django_db(transaction=True)
def test_a_tile_survives_a_dropped_database_connection_without_a_health_check_query(
        client, two_parcels, django_assert_num_queries, monkeypatch):
    # given a tile fetched once, then the server ending that database connection
    from django.db import connection

    x, y = mercator_tile(PARCEL[0] + 50, PARCEL[1] + 50, 16)
    url = f"/tiles/parcels/16/{x}/{y}.mvt"
    assert client.get(url).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"], port=s["PORT"], dbname="postgres", user=s["USER"],
                         autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])

    # when the tile is asked for again, and once more as a new request in production starts
    # (Django's test client leaves out the per-request connection check)
    again = client.get(url)
    connection.close_if_unusable_or_obsolete()
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    with django_assert_num_queries(1):
        third = client.get(url)

    # then both are served: the dead connection was replaced, and no `SELECT 1` was sent
    assert again.status_code == 200 and third.status_code == 200
    assert again.content == third.content
    assert checks == []


@pytest.mark.django_db
def test_a_large_tile_is_gzipped_for_clients_that_accept_it_with_its_own_etag(client,
                                                                              two_parcels):
    # given 60 more parcels inside the z16 tile over 10/1, so that tile is over 1 KB
    import gzip

    x, y = mercator_tile(PARCEL[0] + 50, PARCEL[1] + 50, 16)
    area = Polygon.from_bbox(mercator_envelope(16, x, y))
    area.srid = 3857
    west, south, _east, _north = area.transform(2180, clone=True).extent
    for i in range(60):
        x0, y0 = west + 40 + 12 * (i % 10), south + 40 + 12 * (i // 10)
        factories.parcel(f"20/{i}", geom=factories.box(x0, y0, x0 + 10, y0 + 10))
    url = f"/tiles/parcels/16/{x}/{y}.mvt"

    # when it is asked for with and without gzip, and again with the gzip ETag
    plain = client.get(url)
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"])

    # then the gzipped tile is smaller and decodes to the same tile; each has its ETag
    assert len(plain.content) > 1024 and "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip" and len(zipped.content) < len(plain.content)
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] != plain["ETag"] and "Accept-Encoding" in zipped["Vary"]
    assert again.status_code == 304

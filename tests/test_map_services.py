"""The published map services: MapServer renders from PostGIS, MapProxy serves at /mapproxy/.

MapServer reads the test database through its own connection, so the tests that
need it to see rows use transactional tests (rows committed, tables flushed after).
Each test gets its own generated files and tile cache under tmp_path.
"""
import io
import logging
import subprocess

import pytest
import yaml
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Polygon
from django.db import connection
from mapproxy.config.loader import load_configuration
from owslib.wms import WebMapService
from PIL import Image

from layers import views
from layers.access import LayerScope
from layers.mapproxy_config import publication_write
from layers.mapserver import MAPFILE_NAME, mapserver_layer_names
from layers.models import ZoningZone
from layers.registry import LAYERS, Access, published_named, wms_names
from layers.services import zoning_import
from layers.zoning_symbols import GENERAL_PLAN_ZONES
from tests import factories
from tests.conftest import APP_ACT, APP_SET2, FRAME, PARCEL, is_outline


def _png(response) -> Image.Image:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "image/png", response.content[:500]
    return Image.open(io.BytesIO(response.content)).convert("RGBA")


def _getmap(client, **params):
    base = {"SERVICE": "WMS", "REQUEST": "GetMap", "LAYERS": "parcels", "STYLES": "",
            "FORMAT": "image/png", "TRANSPARENT": "true", "WIDTH": 256, "HEIGHT": 256}
    return client.get("/mapproxy/service", {**base, **params})


@pytest.mark.django_db
def test_wms_capabilities_list_every_public_registry_layer_within_poland(client, map_services):
    # given the published services of an empty database
    # when a client asks for the WMS 1.3.0 capabilities
    response = client.get("/mapproxy/service",
                          {"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": "1.3.0"})

    # then OWSLib reads them, every registry layer is there and parcels sit over Poland
    assert response.status_code == 200
    wms = WebMapService("http://testserver/mapproxy/service", xml=response.content,
                        version="1.3.0")
    assert list(wms.contents) == [name for name in wms_names()
                                  if published_named(name).access == Access.PUBLIC]
    parcels = wms["parcels"]
    assert parcels.title == "Działki ewidencyjne"
    assert parcels.queryable == 1
    assert {"EPSG:2180", "EPSG:3857", "EPSG:4326"} <= set(parcels.crsOptions)
    west, south, east, north = parcels.boundingBoxWGS84
    assert 13.0 < west < 14.2 and 48.5 < south < 49.1 and 24.1 < east < 25.5
    assert 54.8 < north < 55.5
    assert "http://testserver/mapproxy/service?" in response.content.decode()
    assert "text/html" in wms.getOperationByName("GetFeatureInfo").formatOptions


@pytest.mark.django_db(transaction=True)
def test_getmap_in_pl1992_draws_the_parcel_outline_on_transparent_ground(client, two_parcels):
    # given two parcels side by side
    # when the parcels layer is asked for around the first one in EPSG:2180
    image = _png(_getmap(client, VERSION="1.1.1", SRS="EPSG:2180",
                         BBOX=",".join(str(v) for v in FRAME)))

    # then the western edge (x = 318000, column 64) is drawn in the outline colour ...
    column = [image.getpixel((x, y)) for x in range(61, 68) for y in range(80, 176)]
    assert sum(is_outline(p) for p in column) >= 90
    # ... and the parcel's inside and the ground around it stay transparent
    assert image.getpixel((128, 128))[3] == 0
    assert image.getpixel((5, 5))[3] == 0 and image.getpixel((250, 250))[3] == 0


@pytest.mark.django_db(transaction=True)
def test_getmap_in_web_mercator_draws_the_parcel_outline(client, two_parcels):
    # given two parcels side by side and the frame around the first in EPSG:3857
    frame = Polygon.from_bbox(FRAME)
    frame.srid = 2180
    frame.transform(3857)
    west, south, east, north = frame.extent

    # when the parcels layer is asked for in EPSG:3857 through WMS 1.3.0
    image = _png(_getmap(client, VERSION="1.3.0", CRS="EPSG:3857",
                         BBOX=f"{west},{south},{east},{north}"))

    # then the outline is drawn (a closed ring of some hundreds of pixels) and the corners
    # of the frame, outside the parcel, stay transparent
    assert sum(is_outline(p) for p in image.get_flattened_data()) > 250
    assert image.getpixel((128, 128))[3] == 0
    assert image.getpixel((3, 3))[3] == 0 and image.getpixel((252, 252))[3] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("info_format", ["text/html", "application/vnd.ogc.gml"])
def test_getfeatureinfo_names_the_parcel_under_the_point(client, two_parcels, info_format):
    # given two parcels side by side
    first, second = two_parcels

    # when a client asks what lies at a point inside the first one (x = 318050)
    response = client.get("/mapproxy/service", {
        "SERVICE": "WMS", "REQUEST": "GetFeatureInfo", "VERSION": "1.1.1", "SRS": "EPSG:2180",
        "BBOX": ",".join(str(v) for v in FRAME), "WIDTH": 256, "HEIGHT": 256,
        "LAYERS": "parcels", "QUERY_LAYERS": "parcels", "STYLES": "", "FORMAT": "image/png",
        "X": 128, "Y": 128, "INFO_FORMAT": info_format,
    })

    # then the answer names that parcel, its record id and nothing of the neighbour
    assert response.status_code == 200
    assert response["Content-Type"].startswith(info_format)
    body = response.content.decode()
    assert first.parcel_id in body and second.parcel_id not in body
    if info_format == "text/html":
        assert "<th scope=\"row\">Identyfikator działki</th>" in body
        assert f"<td>{first.pk}</td>" in body
    else:
        assert f"<id>{first.pk}</id>" in body


@pytest.mark.django_db(transaction=True)
def test_wmts_tile_of_the_pl1992_grid_is_rendered_and_then_cached(client, map_services,
                                                                  two_parcels):
    # given the pl1992 tile at level 13 (0.38 m/px) holding the first parcel's south-west corner
    resolution = 3125 / 2**13
    col = int((PARCEL[0] + 10 - 100_000) / (256 * resolution))
    row = int((900_000 - (PARCEL[1] + 10)) / (256 * resolution))
    url = f"/mapproxy/wmts/parcels/pl1992/13/{col}/{row}.png"

    # when it is asked for twice
    first = client.get(url)
    second = client.get(url)

    # then MapServer drew the outline once and the cache answered the second time
    tile = _png(first)
    assert tile.size == (256, 256)
    assert sum(is_outline(p) for p in tile.get_flattened_data()) > 100
    assert second.content == first.content
    assert list((map_services / "cache" / connection.settings_dict["NAME"]).rglob("*.png"))


@pytest.mark.django_db
def test_wmts_capabilities_offer_both_grids_and_the_rest_url_template(client, map_services):
    # given the published services
    # when a client asks for the WMTS capabilities
    response = client.get("/mapproxy/wmts/1.0.0/WMTSCapabilities.xml")

    # then both tile matrix sets and the REST tile URL of each layer are there
    assert response.status_code == 200
    body = response.content.decode()
    assert "<ows:Identifier>pl1992</ows:Identifier>" in body
    assert "<ows:Identifier>GLOBAL_WEBMERCATOR</ows:Identifier>" in body
    assert ('template="http://testserver/mapproxy/wmts/parcels/{TileMatrixSet}/{TileMatrix}/'
            '{TileCol}/{TileRow}.png"') in body


@pytest.mark.django_db
def test_generated_mapproxy_configuration_loads_strictly_and_expands_everything(
        map_services, caplog):
    # given the configuration files written for the test database
    files = publication_write()

    # when MapProxy loads them with warnings as errors
    with caplog.at_level(logging.WARNING, logger="mapproxy"):
        load_configuration(str(files.mapproxy), ignore_warnings=False)

    # then nothing was warned about and no ${VARIABLE} is left for MapProxy to ignore
    assert [r.getMessage() for r in caplog.records] == []
    for path in (files.mapproxy, files.mapserver.mapfile, files.mapserver.config):
        assert "${" not in path.read_text()
    database = connection.settings_dict["NAME"]
    assert files.mapserver.directory == map_services / "var" / "generated" / database
    assert files.mapserver.mapfile.name == MAPFILE_NAME


@pytest.mark.django_db
def test_regenerating_leaves_identical_files_untouched(map_services):
    # given the files written once
    first = publication_write()
    paths = [first.mapproxy, first.mapserver.mapfile, first.mapserver.config]
    before = {path: (path.stat().st_mtime_ns, path.read_text()) for path in paths}

    # when they are written again
    again = publication_write()

    # then the same paths hold the same text, not rewritten, and no temporary file is left
    assert again == first
    assert {path: (path.stat().st_mtime_ns, path.read_text()) for path in paths} == before
    assert not list(first.mapserver.directory.rglob("*.tmp"))


@pytest.mark.django_db(transaction=True)
def test_mapfile_renders_every_layer_with_map2img(map_services):
    # given the mapfile for the test database (every layer's SQL runs against its schema)
    files = publication_write().mapserver
    out = map_services / "all.png"
    names = " ".join(name for layer in LAYERS for name in mapserver_layer_names(layer))

    # when MapServer's own renderer draws all of them at 1:2000
    result = subprocess.run(  # noqa: S603 - fixed binary, arguments built here
        ["/usr/bin/map2img", "-conf", str(files.config), "-m", str(files.mapfile),
         "-l", names, "-e", *(str(v) for v in FRAME), "-s", "256", "256", "-o", str(out)],
        capture_output=True, text=True, timeout=30, check=False,
    )

    # then it succeeds without a word and writes a PNG
    assert result.returncode == 0 and result.stdout + result.stderr == "", result
    assert Image.open(out).format == "PNG"


@pytest.mark.django_db  # a name outside the registry may still be a raster (a row)
def test_every_public_layer_is_granted_and_unknown_names_are_refused():
    # given MapProxy's authorisation callback for an anonymous visitor
    authorize = views.mapproxy_authorizer(AnonymousUser())
    names = [layer.name for layer in LAYERS if layer.access == Access.PUBLIC]

    # when MapProxy asks about the public layers, by name and by (layer, grid) for TMS
    # then all are granted; a name outside the registry is left out of a partial grant
    assert authorize("wms.map", names) == {"authorized": "full"}
    assert authorize("tms", [(name, "pl1992") for name in names]) == {"authorized": "full"}
    partial = authorize("wms.capabilities", ["parcels", "secret_layer"])
    assert partial["authorized"] == "partial" and list(partial["layers"]) == ["parcels"]


@pytest.mark.django_db(transaction=True)
def test_a_layer_the_user_may_not_see_is_hidden_and_refused(client, two_parcels, map_services,
                                                             monkeypatch):
    # given an access rule that hides the parcels layer from this (logged-in) user
    scope_of = views.layer_scope_named
    monkeypatch.setattr(views, "layer_scope_named", lambda user, name: (
        LayerScope(published_named(name), allowed=False, authenticated=True)
        if name == "parcels" else scope_of(user, name)))

    # when a client reads the capabilities and asks for a map and a tile of parcels
    capabilities = client.get("/mapproxy/service", {"SERVICE": "WMS",
                                                    "REQUEST": "GetCapabilities",
                                                    "VERSION": "1.3.0"})
    getmap = _getmap(client, VERSION="1.1.1", SRS="EPSG:2180",
                     BBOX=",".join(str(v) for v in FRAME))
    tile = client.get("/mapproxy/wmts/parcels/pl1992/13/2233/5263.png")

    # then parcels is not listed, both requests are refused, and nothing of it was rendered
    wms = WebMapService("http://testserver/mapproxy/service", xml=capabilities.content,
                        version="1.3.0")
    assert "parcels" not in wms.contents and "units" in wms.contents
    assert getmap.status_code == 403 and tile.status_code == 403
    assert not list((map_services / "cache").rglob("parcels_cache*"))


@pytest.mark.django_db  # the configuration lists the rasters, rows of the database
def test_composite_maps_draw_every_shape_before_any_label_in_one_request(map_services):
    # given the generated MapProxy configuration
    config = yaml.safe_load(publication_write().mapproxy.read_text())

    # when the general plan map's source is read
    req = config["sources"]["general_plan_map_mapserver"]["req"]

    # then one MapServer request draws the zones, buildings and parcels, then all labels
    assert req["layers"] == ("general_zones,buildings,parcels,"
                             "general_zones_labels,parcel_numbers")
    assert req["query_layers"] == "parcels,buildings,general_zones"
    assert config["caches"]["general_plan_map_cache"]["meta_buffer"] == 96


@pytest.mark.django_db(transaction=True)
def test_general_plan_map_shows_the_zone_colour_and_the_parcel_outline(client,
                                                                     zone_under_parcels):
    # given a SJ zone under the two parcels
    # when the composite map is asked for around the first parcel
    image = _png(_getmap(client, VERSION="1.1.1", SRS="EPSG:2180", LAYERS="general_plan_map",
                         BBOX=",".join(str(v) for v in FRAME)))

    # then the parcel's inside shows the zone's planning colour and its edge the outline
    sj = tuple(int(GENERAL_PLAN_ZONES["SJ"].colour[i:i + 2], 16) for i in (1, 3, 5))
    inside = image.getpixel((100, 100))
    assert inside[3] > 100 and max(abs(a - b) for a, b in zip(inside[:3], sj, strict=False)) < 40
    column = [image.getpixel((x, y)) for x in range(61, 68) for y in range(80, 176)]
    assert sum(is_outline(p) for p in column) >= 90


@pytest.mark.django_db(transaction=True)
def test_feature_info_of_the_composite_names_the_parcel_and_its_zone(client,
                                                                     zone_under_parcels):
    # given the first parcel inside zone 1SJ
    first, _ = zone_under_parcels

    # when a client asks the general plan map what is at a point of the parcel, as JSON
    response = client.get("/mapproxy/service", {
        "SERVICE": "WMS", "REQUEST": "GetFeatureInfo", "VERSION": "1.1.1", "SRS": "EPSG:2180",
        "BBOX": ",".join(str(v) for v in FRAME), "WIDTH": 256, "HEIGHT": 256,
        "LAYERS": "general_plan_map", "QUERY_LAYERS": "general_plan_map", "STYLES": "",
        "FORMAT": "image/png", "X": 128, "Y": 128, "INFO_FORMAT": "text/html",
    })

    # then both the parcel and the zone with its parameters are in the Polish answer
    body = response.content.decode()
    assert response.status_code == 200
    assert f"<td>{first.parcel_id}</td>" in body
    assert "<td>1SJ</td>" in body and "<td>12.00</td>" in body
    assert '<th scope="row">Maks. wysokość zabudowy [m]</th>' in body


@pytest.mark.django_db(transaction=True)
def test_an_imported_general_plan_is_on_the_map_with_its_parameters(client, map_services):
    # given set2's valid general plan imported for its gmina
    unit = factories.unit("121201_1", "Gmina Testowa")
    zoning_import(unit=unit, paths=[APP_SET2 / APP_ACT, APP_SET2 / "StrefaPlanistyczna_OK.gml"])
    zone = ZoningZone.objects.get(local_id="1POG-1SJ")
    point = zone.geom.point_on_surface
    frame = (point.x - 100, point.y - 100, point.x + 100, point.y + 100)

    # when a client asks what is at a point of zone 1SJ, and for the map there
    info = client.get("/mapproxy/service", {
        "SERVICE": "WMS", "REQUEST": "GetFeatureInfo", "VERSION": "1.1.1", "SRS": "EPSG:2180",
        "BBOX": ",".join(str(v) for v in frame), "WIDTH": 256, "HEIGHT": 256,
        "LAYERS": "general_zones", "QUERY_LAYERS": "general_zones", "STYLES": "",
        "FORMAT": "image/png", "X": 128, "Y": 128, "INFO_FORMAT": "application/json",
    })
    image = _png(_getmap(client, VERSION="1.1.1", SRS="EPSG:2180", LAYERS="general_zones",
                         BBOX=",".join(str(v) for v in frame)))

    # then the zone answers with its label and parameters, drawn in its planning colour
    properties = info.json()["features"][0]["properties"]
    assert (properties["label"], properties["symbol"], properties["status"]) == (
        "1SJ", "SJ", "w opracowaniu")
    assert (properties["max_intensity"], properties["max_height_m"]) == (0.9, 15.5)
    sj = tuple(int(GENERAL_PLAN_ZONES["SJ"].colour[i:i + 2], 16) for i in (1, 3, 5))
    above_the_label = image.getpixel((128, 40))
    assert max(abs(a - b) for a, b in zip(above_the_label[:3], sj, strict=False)) < 40


@pytest.mark.django_db(transaction=True)
def test_large_scale_wms_is_drawn_for_its_frame_and_small_scale_wms_from_tiles(client,
                                                                               two_parcels,
                                                                               map_services):
    # given the tile cache of the test database, empty
    cache = map_services / "cache" / connection.settings_dict["NAME"]

    # when the parcels are asked for at about 1:2 800 (200 m on 256 px) ...
    large = _getmap(client, VERSION="1.1.1", SRS="EPSG:2180",
                    BBOX=",".join(str(v) for v in FRAME))
    after_large = list(cache.rglob("*.png"))
    # ... and the units at about 1:50 000 (3.6 km on 256 px)
    small = _getmap(client, VERSION="1.1.1", SRS="EPSG:2180", LAYERS="units",
                    BBOX="316000,384000,319600,387600")

    # then the first is drawn by MapServer for the frame without a tile, the second from tiles
    assert large.status_code == 200 and small.status_code == 200
    assert after_large == []
    assert list((cache / "units_cache" / "pl1992").rglob("*.png"))

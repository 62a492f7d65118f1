"""Real OGC clients against a live server: OWSLib (WMS, WMTS) and GDAL's WMS and WMTS drivers.

The Django app serves the test database on a loopback port (pytest-django's
live_server); the clients speak HTTP to it as QGIS or a web map would. Rows are
committed (transactional tests) because MapServer reads them through its own
connection.
"""
import io
import math
import subprocess
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.contrib.gis.geos import Point, Polygon
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService
from PIL import Image

from layers.mapserver import EXTENT
from layers.registry import Access, published_named, published_names, wms_names
from tests.conftest import FRAME, NEIGHBOUR, PARCEL, is_outline


def public_names(names: list[str] | None = None) -> list[str]:
    """What an anonymous client is offered: every published name but restricted layers
    (in the WMS, `wms_names()`: the KIEG names too)."""
    return [name for name in (published_names() if names is None else names)
            if published_named(name).access == Access.PUBLIC]


pytestmark = pytest.mark.django_db(transaction=True)

POLAND_WGS84 = (14.0, 49.0, 24.2, 54.9)


@pytest.fixture
def parcels_pair(request):
    """Two committed parcels side by side (conftest.two_parcels) and fresh files."""
    return request.getfixturevalue("two_parcels")


@pytest.fixture
def wms(live_server, parcels_pair) -> WebMapService:
    return WebMapService(f"{live_server.url}/mapproxy/service", version="1.3.0", timeout=60)


@pytest.fixture
def wmts(live_server, parcels_pair) -> WebMapTileService:
    return WebMapTileService(f"{live_server.url}/mapproxy/wmts/1.0.0/WMTSCapabilities.xml",
                             timeout=60)


def _image(response) -> Image.Image:
    body = response.read()
    assert response.info()["Content-Type"] == "image/png", body[:300]
    return Image.open(io.BytesIO(body)).convert("RGBA")


def _outline_pixels(image: Image.Image) -> int:
    return sum(is_outline(p) for p in image.get_flattened_data())


def _frame_in(srid: int) -> tuple[float, float, float, float]:
    frame = Polygon.from_bbox(FRAME)
    frame.srid = 2180
    return frame.transform(srid, clone=True).extent


def test_wms_capabilities_list_every_public_layer_with_bounding_boxes_over_poland(wms):
    # given the live WMS read by OWSLib
    # then every published layer is there, over Poland, with its EPSG:2180 box as generated
    assert list(wms.contents) == public_names(wms_names())
    for name in public_names():
        layer = wms[name]
        west, south, east, north = layer.boundingBoxWGS84
        assert POLAND_WGS84[0] - 1 < west < east < POLAND_WGS84[2] + 1, name
        assert POLAND_WGS84[1] - 1 < south < north < POLAND_WGS84[3] + 1, name
        boxes = {box[4]: box[:4] for box in layer.crs_list}
        assert tuple(round(v) for v in boxes["EPSG:2180"]) == EXTENT, name
    # ... and the parcels' box holds the test parcels
    west, south, east, north = wms["parcels"].boundingBoxWGS84
    centre = Point(*((a + b) / 2 for a, b in zip(PARCEL[:2], PARCEL[2:], strict=True)),
                   srid=2180).transform(4326, clone=True)
    assert west < centre.x < east and south < centre.y < north


@pytest.mark.parametrize("srs", ["EPSG:2180", "EPSG:3857"])
def test_wms_getmap_through_owslib_draws_the_parcels(wms, srs):
    # given the frame around the first parcel, in the requested system (OWSLib swaps the
    # EPSG:2180 box to northing first for WMS 1.3.0, as the standard wants)
    bbox = FRAME if srs == "EPSG:2180" else _frame_in(3857)

    # when OWSLib asks for the parcels layer
    image = _image(wms.getmap(layers=["parcels"], styles=[""], srs=srs, bbox=bbox,
                              size=(256, 256), format="image/png", transparent=True))

    # then the outline of the parcel is drawn and the frame's corner stays clear
    assert _outline_pixels(image) > 250
    assert image.getpixel((3, 3))[3] == 0


@pytest.mark.parametrize(("info_format", "expected"), [
    ("application/json", '"parcel_id": "026101_1.0001.10/1"'),
    ("text/html", "<td>026101_1.0001.10/1</td>"),
    ("text/xml", "<ogr:parcel_id>026101_1.0001.10/1</ogr:parcel_id>"),  # GML
])
def test_wms_getfeatureinfo_at_an_interior_point_names_that_parcel(wms, parcels_pair,
                                                                   info_format, expected):
    # given two parcels side by side; pixel (128, 128) of FRAME is inside the first
    first, second = parcels_pair

    # when OWSLib asks what is there, in each format
    response = wms.getfeatureinfo(layers=["parcels"], query_layers=["parcels"], styles=[""],
                                  srs="EPSG:2180", bbox=FRAME, size=(256, 256),
                                  format="image/png", info_format=info_format, xy=(128, 128))
    body = response.read().decode()

    # then the answer holds the first parcel's id, and nothing of the second
    assert response.info()["Content-Type"].startswith(info_format)
    assert expected in body and str(first.pk) in body
    assert second.parcel_id not in body


def test_legend_of_every_layer_comes_from_the_url_the_capabilities_give(wms):
    # given the legend URL of each layer's default style, as a client reads it
    for name in public_names():
        url = wms[name].styles["default"]["legend"]

        # when it is fetched
        with urlopen(url, timeout=60) as response:  # noqa: S310 - our live test server
            legend = _image(response)

        # then it is an image with something drawn on it
        assert legend.width > 20 and legend.height > 10, name
        assert legend.getextrema()[3][1] > 0, name


def test_general_plan_legend_lists_every_zone_kind(wms):
    # given the legend of the general plan layer
    url = wms["general_zones"].styles["default"]["legend"]
    with urlopen(url, timeout=60) as response:  # noqa: S310 - our live test server
        legend = _image(response)

    # then it has a row for each of the 13 kinds, the other symbols and the labels
    assert legend.height >= 15 * 16


def test_wmts_capabilities_list_every_layer_on_both_grids(wmts):
    # given the live WMTS read by OWSLib
    # then every layer is offered on the PL-1992 and the web mercator grid, over Poland
    assert list(wmts.contents) == public_names()
    assert {"pl1992", "GLOBAL_WEBMERCATOR"} <= set(wmts.tilematrixsets)
    for name in public_names():
        layer = wmts[name]
        assert set(layer.tilematrixsetlinks) == {"pl1992", "GLOBAL_WEBMERCATOR"}, name
        west, south, east, north = layer.boundingBoxWGS84
        assert POLAND_WGS84[0] - 1 < west < east < POLAND_WGS84[2] + 1, name
    grid = wmts.tilematrixsets["pl1992"]
    assert grid.crs.endswith(":2180") and grid.tilematrix["00"].topleftcorner == (900000, 100000)


def test_wmts_tile_of_the_pl1992_grid_through_owslib_is_rendered(wmts):
    # given the level 13 tile holding the first parcel's south-west corner, from the grid as
    # the capabilities describe it (top left corner northing first, 256 px)
    matrix = wmts.tilematrixsets["pl1992"].tilematrix["13"]
    north, west = matrix.topleftcorner
    size = matrix.scaledenominator * 0.00028 * matrix.tilewidth
    column = int((PARCEL[0] + 10 - west) / size)
    row = int((north - (PARCEL[1] + 10)) / size)

    # when OWSLib fetches it
    tile = _image(wmts.gettile(layer="parcels", tilematrixset="pl1992", tilematrix="13",
                               row=row, column=column, format="image/png"))

    # then the parcel outline is drawn in it
    assert tile.size == (256, 256) and _outline_pixels(tile) > 100


def _xyz(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The slippy-map tile holding lon/lat, as web clients number them."""
    n = 2 ** zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_xyz_url_for_web_clients_gives_the_web_mercator_tile_with_the_parcel(live_server,
                                                                             parcels_pair):
    # given the XYZ numbering of the tile under the middle of the two parcels at zoom 18
    middle = Point(PARCEL[2], (PARCEL[1] + PARCEL[3]) / 2, srid=2180).transform(4326, clone=True)
    x, y = _xyz(middle.x, middle.y, 18)

    # when a web client asks for it by the WMTS REST URL template
    url = f"{live_server.url}/mapproxy/wmts/parcels/GLOBAL_WEBMERCATOR/18/{x}/{y}.png"
    with urlopen(url, timeout=60) as response:  # noqa: S310 - our live test server
        tile = _image(response)

    # then the shared edge of the two parcels crosses it ...
    assert _outline_pixels(tile) > 100
    # ... and a one-digit zoom, as XYZ clients write it, is taken too (matrices are "05")
    x, y = _xyz(middle.x, middle.y, 5)
    url = f"{live_server.url}/mapproxy/wmts/units/GLOBAL_WEBMERCATOR/5/{x}/{y}.png"
    with urlopen(url, timeout=60) as response:  # noqa: S310 - our live test server
        assert _image(response).size == (256, 256)


def _gdal(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=True, env={"GDAL_HTTP_TIMEOUT": "60", "CPL_DEBUG": "OFF",
                                           "PATH": "/usr/bin:/bin"})


GDAL_WMS = """<GDAL_WMS>
  <Service name="WMS">
    <Version>1.1.1</Version>
    <ServerUrl>{url}/mapproxy/service?</ServerUrl>
    <SRS>EPSG:2180</SRS>
    <ImageFormat>image/png</ImageFormat>
    <Layers>parcels</Layers>
    <Transparent>TRUE</Transparent>
  </Service>
  <DataWindow>
    <UpperLeftX>{x0}</UpperLeftX><UpperLeftY>{y1}</UpperLeftY>
    <LowerRightX>{x1}</LowerRightX><LowerRightY>{y0}</LowerRightY>
    <SizeX>256</SizeX><SizeY>256</SizeY>
  </DataWindow>
  <BandsCount>4</BandsCount>
  <BlockSizeX>256</BlockSizeX><BlockSizeY>256</BlockSizeY>
</GDAL_WMS>
"""


def test_gdal_wms_driver_reads_the_parcels_layer(live_server, parcels_pair, tmp_path):
    # given the layer described for GDAL's WMS driver over the two parcels' frame
    x0, y0, x1, y1 = FRAME
    (tmp_path / "parcels.xml").write_text(
        GDAL_WMS.format(url=live_server.url, x0=x0, y0=y0, x1=x1, y1=y1), encoding="utf-8")

    # when gdal_translate copies it to a PNG, and gdalinfo lists the WMS's layers
    _gdal("gdal_translate", "-q", "-of", "PNG", "parcels.xml", "parcels.png", cwd=tmp_path)
    listing = _gdal("gdalinfo", f"WMS:{live_server.url}/mapproxy/service?", cwd=tmp_path).stdout

    # then the raster holds the parcel outline on transparent ground ...
    image = Image.open(tmp_path / "parcels.png").convert("RGBA")
    assert image.size == (256, 256) and _outline_pixels(image) > 250
    assert image.getpixel((128, 128))[3] == 0
    # ... and every published layer is offered as a subdataset
    for name in public_names():
        assert f"LAYERS={name}&" in listing, name


def test_gdal_wmts_driver_reads_the_pl1992_tiles(live_server, parcels_pair, tmp_path):
    # given the WMTS capabilities as GDAL's WMTS driver reads them, pl1992 matrix set
    source = (f"WMTS:{live_server.url}/mapproxy/wmts/1.0.0/WMTSCapabilities.xml,"
              "layer=parcels,tilematrixset=pl1992")
    x0, y0, x1, y1 = FRAME[0], FRAME[1], NEIGHBOUR[2] + 50, FRAME[3]

    # when a window over both parcels is copied at the grid's level 13 resolution
    _gdal("gdal_translate", "-q", "-of", "PNG", "-projwin", str(x0), str(y1), str(x1), str(y0),
          "-tr", str(3125 / 2**13), str(3125 / 2**13), source, "both.png", cwd=tmp_path)

    # then the outlines of both parcels are there, so GDAL read the grid's corner right
    image = Image.open(tmp_path / "both.png").convert("RGBA")
    assert _outline_pixels(image) > 500

"""Orthophotos and other GeoTIFFs: checked, reprojected to EPSG:2180, published as base maps.

The rasters are made here with rasterio: a photograph-like image in PL-2000 zone 5
(EPSG:2176), red west of its middle and blue east of it, so the map can be checked
pixel by pixel at known places after reprojection.
"""
import io
from pathlib import Path

import numpy as np
import pytest
import rasterio
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from PIL import Image
from procrastinate import testing
from procrastinate.contrib.django import app
from rasterio.transform import from_origin

from layers.errors import RasterRejected
from layers.models import Raster, RasterImport
from layers.rasters import raster_add
from layers.tasks import raster_import_task
from tests import factories

CENTRE = Point(318_000.0, 386_000.0, srid=2180)  # Legnica
HALF = 300.0  # metres from the middle to each edge of the test image
PIXEL = 0.5  # metres
RED, BLUE = (200, 30, 30), (30, 30, 200)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def geotiff(path: Path, *, crs: str | None = "EPSG:2176", dtype: str = "uint8", bands: int = 3,
            nodata_everywhere: bool = False) -> Path:
    """A red/blue image 600 m square around CENTRE, written in `crs`."""
    middle = CENTRE.transform(2176, clone=True)
    size = int(2 * HALF / PIXEL)
    data = np.zeros((bands, size, size), dtype=dtype)
    for band, (west, east) in enumerate(zip(RED, BLUE, strict=True)):
        if band < bands:
            data[band, :, : size // 2], data[band, :, size // 2:] = west, east
    profile = {"driver": "GTiff", "width": size, "height": size, "count": bands, "dtype": dtype,
               "transform": from_origin(middle.x - HALF, middle.y + HALF, PIXEL, PIXEL)}
    if crs:
        profile["crs"] = crs
    if nodata_everywhere:
        profile["nodata"] = 0
        data[:] = 0
    with rasterio.open(path, "w", **profile) as out:
        out.write(data)
    return path


def add(path: Path, **options) -> str:
    out = io.StringIO()
    call_command("add_raster", str(path), unit="026101_1", stdout=out, **options)
    return out.getvalue()


def png(response) -> Image.Image:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "image/png", response.content[:300]
    return Image.open(io.BytesIO(response.content)).convert("RGBA")


def close(pixel, colour) -> bool:
    return pixel[3] > 200 and max(abs(a - b) for a, b in zip(pixel[:3], colour, strict=True)) < 40


def getmap(client, bbox: tuple[float, ...], layers: str = "orto_2024", srs: str = "EPSG:2180"):
    return client.get("/mapproxy/service", {
        "SERVICE": "WMS", "REQUEST": "GetMap", "VERSION": "1.1.1", "LAYERS": layers,
        "STYLES": "", "SRS": srs, "BBOX": ",".join(f"{v:.6f}" for v in bbox),
        "WIDTH": 256, "HEIGHT": 256, "FORMAT": "image/png", "TRANSPARENT": "true"})


@pytest.mark.django_db(transaction=True)
def test_a_geotiff_in_pl2000_is_published_as_a_reprojected_base_map(client, map_services, media,
                                                                    tmp_path):
    # given a GeoTIFF in EPSG:2176, and the map services already running without it
    factories.unit()
    source = geotiff(tmp_path / "orto.tif")
    before = client.get("/mapproxy/service", {"SERVICE": "WMS", "REQUEST": "GetCapabilities"})
    assert b"orto_2024" not in before.content

    # when an administrator adds it
    out = add(source, title="Ortofotomapa 2024", name="orto_2024")

    # then a Cloud-Optimized GeoTIFF in EPSG:2180 with overviews is stored under MEDIA ...
    raster = Raster.objects.get()
    assert (raster.name, raster.title, raster.unit.teryt) == ("orto_2024", "Ortofotomapa 2024",
                                                              "026101_1")
    stored = Path(raster.path)
    assert stored.parent == media / "rasters" and "orto_2024" in out
    with rasterio.open(stored) as cog:
        assert cog.crs.to_epsg() == 2180 and cog.count == 4
        assert cog.profile["tiled"] and cog.block_shapes[0] == (512, 512)
        assert cog.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert cog.overviews(1) == [2, 4]
    assert raster.extent.contains(CENTRE) and raster.resolution == pytest.approx(PIXEL, rel=0.01)
    # ... the running services offer it at once (no restart) ...
    capabilities = client.get("/mapproxy/service", {"SERVICE": "WMS",
                                                    "REQUEST": "GetCapabilities"})
    assert b"<Name>orto_2024</Name>" in capabilities.content
    assert "Ortofotomapa 2024" in capabilities.content.decode()
    # ... and WMS draws it in place: red west of the middle, blue east, nothing beyond it
    x, y = CENTRE.x, CENTRE.y
    image = png(getmap(client, (x - 400, y - 400, x + 400, y + 400)))  # 3.125 m/px
    assert close(image.getpixel((128 - 32, 128)), RED)  # 100 m west
    assert close(image.getpixel((128 + 32, 128)), BLUE)  # 100 m east
    assert image.getpixel((128, 128 - 32))[3] > 200
    assert image.getpixel((5, 5))[3] == 0 and image.getpixel((250, 250))[3] == 0  # 390 m out
    # in web mercator too (reprojected by MapServer for that grid)
    sw = Point(x - 100, y - 100, srid=2180).transform(3857, clone=True)
    ne = Point(x + 100, y + 100, srid=2180).transform(3857, clone=True)
    mercator = png(getmap(client, (sw.x, sw.y, ne.x, ne.y), srs="EPSG:3857"))
    assert close(mercator.getpixel((40, 128)), RED) and close(mercator.getpixel((216, 128)), BLUE)


@pytest.mark.django_db(transaction=True)
def test_wmts_and_xyz_tiles_of_the_raster_are_drawn_and_cached(client, map_services, media,
                                                               tmp_path):
    # given the raster published
    factories.unit()
    add(geotiff(tmp_path / "orto.tif"), title="Ortofotomapa 2024", name="orto_2024")

    # when the pl1992 tile at level 11 (1.5 m/px, 390 m) holding a point 150 m west of the
    # middle is asked for
    res = 3125 / 2 ** 11
    west = (CENTRE.x - 150, CENTRE.y)
    col, row = int((west[0] - 100_000) // (256 * res)), int((900_000 - west[1]) // (256 * res))
    tile = png(client.get(f"/mapproxy/wmts/orto_2024/pl1992/11/{col}/{row}.png"))

    # then the pixel at that point is red, and the tile was cached
    px = int((west[0] - 100_000) / res - col * 256), int((900_000 - west[1]) / res - row * 256)
    assert close(tile.getpixel(px), RED)
    assert list((map_services / "cache").rglob("orto_2024_cache/pl1992/**/*.png"))


BAD = {
    "no_crs": ({"crs": None}, "raster_no_crs", "no coordinate reference system"),
    "float": ({"dtype": "float32"}, "raster_data_type", "Unsupported data type float32"),
    "bands": ({"bands": 5}, "raster_bands", "5 bands"),
    "no_data": ({"nodata_everywhere": True}, "raster_no_data", "no data"),
    "outside": ({"crs": "EPSG:32633"}, "raster_outside", "outside Poland"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.django_db
def test_a_bad_raster_is_refused_with_its_reason_and_nothing_is_written(case, media, tmp_path):
    # given a raster that cannot be a base map
    unit = factories.unit()
    options, code, reason = BAD[case]
    source = geotiff(tmp_path / f"{case}.tif", **options)

    # when it is added
    with pytest.raises(CommandError) as caught:
        add(source, title="Zły raster")

    # then the command names the file and the reason; no row, no file was left
    assert str(caught.value).startswith(f"{source}: refused, nothing was written: ")
    assert reason in str(caught.value)
    assert Raster.objects.count() == 0
    assert not list(media.rglob("*")) or not list((media / "rasters").iterdir())
    with pytest.raises(RasterRejected) as service:
        raster_add(path=source, unit=unit, title="Zły raster")
    assert service.value.detail["code"] == code


@pytest.mark.django_db
def test_a_damaged_file_is_refused_as_unreadable(media, tmp_path):
    # given a GeoTIFF cut off half way, and a file that is no raster at all
    factories.unit()
    whole = geotiff(tmp_path / "whole.tif").read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole[: len(whole) // 2])
    text = tmp_path / "notes.tif"
    text.write_text("not a raster")

    for path in (cut, text):
        # when each is added
        with pytest.raises(CommandError) as caught:
            add(path, title="Uszkodzony")

        # then it is refused as damaged or unreadable, and nothing is written
        assert "damaged or is not a raster GDAL can read" in str(caught.value), path
    assert Raster.objects.count() == 0
    assert not (media / "rasters").exists() or not list((media / "rasters").iterdir())


@pytest.mark.django_db
def test_a_layer_name_in_use_is_refused_before_any_work(media, tmp_path):
    # given a raster source and a name the registry publishes already
    factories.unit()
    source = geotiff(tmp_path / "orto.tif")

    # when the raster is added under that name, or under a name that is no layer name
    with pytest.raises(CommandError, match="A layer named parcels is published already"):
        add(source, title="Działki?", name="parcels")
    with pytest.raises(CommandError, match="is not valid"):
        add(source, title="Orto", name="Orto 2024!")

    # then nothing was written
    assert Raster.objects.count() == 0 and not (media / "rasters").exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_a_raster_in_the_admin_unpublishes_it_and_removes_its_files(
        client, map_services, media, tmp_path):
    # given a published raster with a cached tile, and the source file it came from
    factories.unit()
    source = geotiff(tmp_path / "orto.tif")
    add(source, title="Ortofotomapa 2024", name="orto_2024")
    raster = Raster.objects.get()
    png(getmap(client, (CENTRE.x - 400, CENTRE.y - 400, CENTRE.x + 400, CENTRE.y + 400)))
    tiles = next((map_services / "cache").rglob("orto_2024_cache"))
    admin = factories.user(is_staff=True, is_superuser=True)
    client.force_login(admin)

    # when an administrator deletes it
    response = client.post(f"/admin/layers/raster/{raster.pk}/delete/", {"post": "yes"})

    # then it is no longer offered, its COG and its tiles are gone, the source is kept
    assert response.status_code == 302 and Raster.objects.count() == 0
    capabilities = client.get("/mapproxy/service", {"SERVICE": "WMS",
                                                    "REQUEST": "GetCapabilities"})
    assert b"orto_2024" not in capabilities.content
    assert not Path(raster.path).exists() and not tiles.exists() and source.exists()


@pytest.fixture
def queue():
    connector = testing.InMemoryConnector()
    with app.replace_connector(connector):
        yield connector


@pytest.mark.django_db
def test_an_upload_in_the_admin_is_queued_and_published_by_the_worker(
        client, map_services, media, tmp_path, queue, django_capture_on_commit_callbacks):
    # given a unit administrator and a GeoTIFF, and a second file that has no CRS
    unit = factories.unit()
    person = factories.staff(unit, "unit_admin")
    person.is_staff = True
    person.save()
    client.force_login(person)
    good = geotiff(tmp_path / "orto.tif").read_bytes()
    bad = geotiff(tmp_path / "bez_ukladu.tif", crs=None).read_bytes()

    # when both are uploaded in the administration and the worker runs the queued jobs
    for name, data, layer in (("orto.tif", good, "orto_2024"), ("bez_ukladu.tif", bad, "")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/admin/layers/rasterimport/add/", {
                "unit": unit.pk, "upload": SimpleUploadedFile(name, data),
                "title": "Ortofotomapa 2024", "name": layer})
        assert response.status_code == 302, response.content[:500]
    for queued in queue.jobs.values():
        assert (queued["task_name"], queued["queue_name"]) == ("layers.raster_import", "imports")
        with translation.override("en"):
            raster_import_task(**queued["args"])

    # then the first is published, the second refused with the reason, no upload is kept
    published, refused = RasterImport.objects.order_by("id")
    assert (published.status, published.raster.name) == ("succeeded", "orto_2024")
    assert Raster.objects.get().title == "Ortofotomapa 2024"
    assert refused.status == "failed" and "no coordinate reference system" in refused.message
    assert refused.raster is None
    assert not list((media / "raster_uploads").iterdir())
    page = client.get(f"/admin/layers/rasterimport/{refused.pk}/change/")
    assert page.status_code == 200 and "gdal_edit.py" in page.content.decode()

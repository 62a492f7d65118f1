"""Adding an orthophoto or any GeoTIFF as a base layer.

`raster_add` checks the file with rasterio and refuses it with a reason a person can
act on (no coordinate system, unreadable, a data type or band layout a base map cannot
show, no data at all, outside Poland); otherwise it reprojects the image to EPSG:2180
as RGBA (alpha: where the photograph has data) into a Cloud-Optimized GeoTIFF with
internal overviews, records a Raster row and regenerates the map configuration, which
every running MapProxy reloads on its next request. A refused or failed file leaves
nothing behind: no row, no file.
"""
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from rasterio.enums import ColorInterp, Resampling
from rasterio.errors import RasterioError
from rasterio.shutil import copy as rio_copy
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from core.jobs import job_fail, job_finish, job_guard, job_start
from core.models import AdministrativeUnit

from .errors import RasterInvalid, RasterRejected
from .mapserver import EXTENT, SRID
from .models import Raster, RasterImport
from .registry import published_named

MEDIA_SUBDIR = "rasters"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
# Only 8-bit images: photographs and scanned maps. Elevation models (16-bit, float)
# need a colour ramp chosen by a person before they can be a base map.
SUPPORTED_DTYPES = ("uint8",)
BLOCK = 512
# Pixels read per side when checking that a file decodes and holds any data.
SAMPLE = 256


@dataclass(frozen=True)
class RasterCheck:
    width: int
    height: int
    bands: int
    data_type: str
    crs: str
    paletted: bool


def raster_check(path: str | Path) -> RasterCheck:
    """Open `path` and decide whether it can be a base map; RasterRejected says why not."""
    path = Path(path)
    if not path.is_file():
        raise _rejected(path, "raster_no_file", _("There is no such file."))
    if path.stat().st_size == 0:
        raise _rejected(path, "raster_empty", _("The file is empty."))
    try:
        with rasterio.open(path) as src:
            check = _check_open(path, src)
            _check_decodes(path, src)
            return check
    except RasterioError as exc:
        raise _rejected(path, "raster_unreadable", _(
            "The file is damaged or is not a raster GDAL can read: %(error)s"),
            error=str(exc).splitlines()[0]) from exc


def _check_open(path: Path, src) -> RasterCheck:
    if src.crs is None:
        raise _rejected(path, "raster_no_crs", _(
            "The raster has no coordinate reference system; add one (e.g. with gdal_edit.py "
            "-a_srs EPSG:2180) and try again."))
    if src.width == 0 or src.height == 0:
        raise _rejected(path, "raster_empty", _("The raster has no pixels."))
    types = sorted(set(src.dtypes))
    if any(t not in SUPPORTED_DTYPES for t in types):
        raise _rejected(path, "raster_data_type", _(
            "Unsupported data type %(types)s: a base map must be 8-bit (Byte); convert or "
            "colour it first."), types=", ".join(types))
    paletted = src.count == 1 and src.colorinterp[0] == ColorInterp.palette
    if src.count not in (1, 2, 3, 4):
        raise _rejected(path, "raster_bands", _(
            "Unsupported band layout: %(count)d bands. A base map has 1 (grey or a colour "
            "table), 2 (grey and alpha), 3 (RGB) or 4 (RGBA) bands."), count=src.count)
    left, bottom, right, top = transform_bounds(src.crs, f"EPSG:{SRID}",
                                                              *src.bounds)
    if right < EXTENT[0] or left > EXTENT[2] or top < EXTENT[1] or bottom > EXTENT[3]:
        raise _rejected(path, "raster_outside", _(
            "The raster lies outside Poland (its extent in EPSG:2180 is %(extent)s); is its "
            "coordinate reference system right?"),
            extent=", ".join(f"{v:.0f}" for v in (left, bottom, right, top)))
    return RasterCheck(src.width, src.height, src.count, types[0], src.crs.to_string(),
                       paletted)


def _check_decodes(path: Path, src) -> None:
    # Reading a decimated copy of every band finds a damaged file (a truncated strip, a
    # bad compressed block) before anything is written, and whether any pixel has data.
    shape = (min(src.height, SAMPLE), min(src.width, SAMPLE))
    src.read(out_shape=(src.count, *shape), resampling=Resampling.nearest)
    if not src.dataset_mask(out_shape=shape).any():
        raise _rejected(path, "raster_no_data", _(
            "Every pixel of the raster is marked as no data: there is nothing to show."))


def _rejected(path: Path, code: str, message, **values) -> RasterRejected:
    text = message % values if values else message
    return RasterRejected(text, detail={"file": path.name, "code": code, **values})


def raster_add(*, path: str | Path, unit: AdministrativeUnit, title: str,
               name: str | None = None) -> Raster:
    """Check, reproject and publish a raster; see the module's description."""
    path = Path(path)
    name = _name(name or slugify(title).replace("-", "_"))
    title = title.strip()
    if not title:
        raise RasterInvalid(_("Give the raster a title."), detail={"title": title})
    check = raster_check(path)
    folder = Path(settings.MEDIA_ROOT) / MEDIA_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.tif"
    try:
        cog_write(path, target, paletted=check.paletted)
        with rasterio.open(target) as out:
            extent = Polygon.from_bbox(tuple(out.bounds))
            extent.srid = SRID
            resolution = abs(out.transform.a)
        with transaction.atomic():
            raster = Raster.objects.create(
                unit=unit, title=title, name=name, source_name=path.name[:255],
                path=str(target), extent=extent, resolution=resolution, bands=check.bands,
                data_type=check.data_type, size_bytes=target.stat().st_size)
            raster_republish()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return raster


def raster_delete(*, raster: Raster) -> None:
    """Stop publishing a raster; delete its file and its tiles (the source file is not ours)."""
    from .mapproxy_config import cache_dir

    path, tiles = Path(raster.path), cache_dir() / f"{raster.name}_cache"
    with transaction.atomic():
        raster.delete()
        raster_republish()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
        transaction.on_commit(lambda: shutil.rmtree(tiles, ignore_errors=True))


def raster_republish() -> None:
    """Regenerate the map configuration (once committed); running MapProxy apps reload it."""
    transaction.on_commit(_write)


def _write() -> None:
    from .mapproxy_config import publication_write  # publication reads rasters

    publication_write()


def _name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise RasterInvalid(_(
            "The layer name %(name)s is not valid: use 2 to 60 lowercase letters, digits and "
            "underscores, starting with a letter.") % {"name": repr(name)},
            detail={"name": name})
    if published_named(name) is not None or Raster.objects.filter(name=name).exists():
        raise RasterInvalid(_("A layer named %(name)s is published already; choose another "
                              "name.") % {"name": name}, detail={"name": name})
    return name


def cog_write(source: Path, target: Path, *, paletted: bool = False) -> None:
    """`source` reprojected to EPSG:2180 as RGBA, a Cloud-Optimized GeoTIFF at `target`.

    Block by block into a tiled temporary GeoTIFF (memory stays bounded for any size of
    orthophoto), then GDAL's COG driver writes the final file with averaged overviews.
    The temporary files sit beside the target and are removed whatever happens.
    """
    fd, rgba = tempfile.mkstemp(dir=target.parent, prefix=f".{uuid.uuid4().hex}.",
                                suffix=".tif")
    os.close(fd)
    part = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        with rasterio.open(source) as src:
            colormap = src.colormap(1) if paletted else None
            resampling = Resampling.nearest if paletted else Resampling.bilinear
            # Without a nodata value or an alpha band, an alpha band marks where the image
            # is once reprojected (its rotated edges are then transparent, not black).
            alpha = src.nodata is None and ColorInterp.alpha not in src.colorinterp
            with WarpedVRT(src, crs=f"EPSG:{SRID}", resampling=resampling,
                           add_alpha=alpha) as vrt:
                _write_rgba(vrt, Path(rgba), colormap)
        rio_copy(rgba, part, driver="COG", COMPRESS="DEFLATE", PREDICTOR="2",
                 BLOCKSIZE=str(BLOCK), OVERVIEWS="AUTO", OVERVIEW_RESAMPLING="AVERAGE",
                 BIGTIFF="IF_SAFER")
        os.replace(part, target)
    finally:
        Path(rgba).unlink(missing_ok=True)
        part.unlink(missing_ok=True)


def _write_rgba(vrt, path: Path, colormap: dict | None) -> None:
    profile = {"driver": "GTiff", "width": vrt.width, "height": vrt.height, "count": 4,
               "dtype": "uint8", "crs": vrt.crs, "transform": vrt.transform, "tiled": True,
               "blockxsize": BLOCK, "blockysize": BLOCK, "compress": "deflate",
               "photometric": "RGB", "alpha": "YES", "BIGTIFF": "IF_SAFER"}
    lookup = _palette(colormap) if colormap is not None else None
    with rasterio.open(path, "w", **profile) as out:
        for row in range(0, vrt.height, BLOCK):
            for col in range(0, vrt.width, BLOCK):
                window = Window(col, row, min(BLOCK, vrt.width - col),
                                min(BLOCK, vrt.height - row))
                out.write(_rgba(vrt, window, lookup), window=window)


def _rgba(vrt, window: Window, lookup: np.ndarray | None) -> np.ndarray:
    data = vrt.read(window=window)
    mask = vrt.dataset_mask(window=window)
    if lookup is not None:  # a colour table: each value stands for an RGBA colour
        rgba = np.moveaxis(lookup[data[0]], -1, 0)
        return np.concatenate([rgba[:3], np.minimum(rgba[3:], mask[None])])
    grey_or_rgb = data[:1].repeat(3, axis=0) if vrt.count in (1, 2) else data[:3]
    return np.concatenate([grey_or_rgb, mask[None]])


def _palette(colormap: dict) -> np.ndarray:
    lookup = np.zeros((256, 4), dtype=np.uint8)
    for value, colour in colormap.items():
        lookup[value] = colour
    return lookup


UPLOAD_SUBDIR = "raster_uploads"


def raster_import_submit(*, unit: AdministrativeUnit, upload, title: str, name: str = "",
                         by=None) -> RasterImport:
    """Store an uploaded raster under a generated name, record the job and queue it."""
    from .tasks import raster_import_task  # the task module imports this one

    folder = Path(settings.MEDIA_ROOT) / UPLOAD_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name).suffix.lower()[:8]
    target = folder / f"{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = RasterImport.objects.create(unit=unit, created_by=by, source_name=upload.name[:255],
                                      source_path=str(target), title=title, name=name)
    transaction.on_commit(lambda: raster_import_task.defer(job_id=job.pk))
    return job


def raster_import_run(*, job: RasterImport) -> Raster | None:
    """Run a queued upload (the worker's entry): publish it, or record why not.

    The uploaded copy is deleted either way: the COG is what is kept.
    """
    claimed = RasterImport.objects.filter(pk=job.pk, status=RasterImport.QUEUED).update(
        status=RasterImport.RUNNING)
    if not claimed:
        return None
    job_start(job)
    try:
        with job_guard(job, expected=(RasterRejected, RasterInvalid)):
            raster = raster_add(path=job.source_path, unit=job.unit, title=job.title,
                                name=job.name or None)
            RasterImport.objects.filter(pk=job.pk).update(raster=raster)
            job_finish(job, message=f"{raster.name}: {raster.resolution:.3f} m/px")
    except (RasterRejected, RasterInvalid) as exc:
        job_fail(job, message=str(exc.message))
        return None
    finally:
        Path(job.source_path).unlink(missing_ok=True)
    return raster

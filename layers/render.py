"""Map images for print (a zoning extract's wyrys, a case's base map) from our own services.

The image is drawn by MapServer from the mapfile generated out of the layer registry,
the very one behind /mapproxy/ (WMS GetMap run by the warm `mapserv` for one frame, as
`shp2img`/`map2img` would, but with the print resolution: MAP_RESOLUTION makes MapServer
count the scale at that many dots per inch and scale line widths and label sizes with it,
so 1:1000 on paper is 1:1000 and a 10 pt label stays 10 pt). Outlines (the parcels an
extract is for) are drawn on top by Pillow in map coordinates.
"""
import io
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.gis.geos import GEOSGeometry
from PIL import Image, ImageColor, ImageDraw

from core.errors import InvalidInput, ServiceUnavailable

from .mapproxy_config import publication
from .mapserver import SRID, mapserver_shape_and_label_names
from .mapserver_pool import mapserver_call
from .registry import Access, CompositeLayer, published_named

MM_PER_INCH = 25.4
MAX_PIXELS = 4096  # the mapfile's MAXSIZE
RENDER_TIMEOUT_S = 30


@dataclass(frozen=True)
class MapFrame:
    """A rectangle of the ground (EPSG:2180 metres) drawn on paper at a scale."""

    bbox: tuple[float, float, float, float]
    width_px: int
    height_px: int
    dpi: float

    @classmethod
    def at_scale(cls, *, center: tuple[float, float], scale: int, width_mm: float,
                 height_mm: float, dpi: float = 150) -> "MapFrame":
        """The frame of `width_mm` × `height_mm` on paper around `center` at 1:`scale`."""
        if scale <= 0 or width_mm <= 0 or height_mm <= 0 or dpi <= 0:
            raise InvalidInput(detail={"frame": "scale, size and dpi must be positive"})
        half_w = width_mm / 1000 * scale / 2
        half_h = height_mm / 1000 * scale / 2
        return cls(bbox=(center[0] - half_w, center[1] - half_h,
                         center[0] + half_w, center[1] + half_h),
                   width_px=round(width_mm / MM_PER_INCH * dpi),
                   height_px=round(height_mm / MM_PER_INCH * dpi), dpi=dpi)

    @property
    def scale(self) -> float:
        """The scale denominator on paper (ground metres per paper metre)."""
        paper_m = self.width_px / self.dpi * MM_PER_INCH / 1000
        return (self.bbox[2] - self.bbox[0]) / paper_m

    def to_pixel(self, x: float, y: float) -> tuple[float, float]:
        x0, y0, x1, y1 = self.bbox
        return ((x - x0) / (x1 - x0) * self.width_px, (y1 - y) / (y1 - y0) * self.height_px)


@dataclass(frozen=True)
class Outline:
    """A geometry drawn over the map as a line (a polygon's rings)."""

    geom: GEOSGeometry
    colour: str = "#0044ff"
    width_mm: float = 0.7


def mapserver_layers(names: Sequence[str]) -> list[str]:
    """The MapServer layers drawing published layers or composites `names`, bottom to top:
    every shape first, then every label, so no line crosses a label."""
    shapes, labels = [], []
    for name in names:
        published = published_named(name)
        if published is None:
            raise InvalidInput(detail={"layers": f"no published layer {name!r}"})
        if published.access != Access.PUBLIC:
            # A print leaves the portal: only what anyone may see goes on it.
            raise InvalidInput(detail={"layers": f"layer {name!r} is not public"})
        members = published.layers if isinstance(published, CompositeLayer) else (published,)
        for member in members:
            shape, label = mapserver_shape_and_label_names(member)
            shapes += [shape] if shape else []
            labels += [label] if label else []
    return shapes + labels


def map_render(*, frame: MapFrame, layers: Sequence[str],
               outlines: Sequence[Outline] = ()) -> Image.Image:
    """An RGB image of `frame` with the published `layers` and `outlines` drawn on top."""
    if not (0 < frame.width_px <= MAX_PIXELS and 0 < frame.height_px <= MAX_PIXELS):
        raise InvalidInput(detail={"frame": f"{frame.width_px}×{frame.height_px} px is over "
                                            f"{MAX_PIXELS} px or empty"})
    image = Image.open(io.BytesIO(_getmap(frame, mapserver_layers(layers)))).convert("RGB")
    _outlines_draw(image, frame, outlines)
    return image


def _getmap(frame: MapFrame, ms_layers: list[str]) -> bytes:
    files = publication().files.mapserver
    query = urlencode({
        "map": str(files.mapfile), "SERVICE": "WMS", "VERSION": "1.1.1", "REQUEST": "GetMap",
        "LAYERS": ",".join(ms_layers), "STYLES": "", "SRS": f"EPSG:{SRID}",
        "BBOX": ",".join(f"{v:.3f}" for v in frame.bbox),
        "WIDTH": frame.width_px, "HEIGHT": frame.height_px, "FORMAT": "image/png",
        "TRANSPARENT": "FALSE", "BGCOLOR": "0xFFFFFF", "MAP_RESOLUTION": f"{frame.dpi:g}",
    })
    answer = mapserver_call({"QUERY_STRING": query}, config=files.config,
                            working_dir=files.directory, timeout=RENDER_TIMEOUT_S)
    if "image/png" not in (answer.header("content-type") or "").lower():
        raise ServiceUnavailable(detail={"mapserver": answer.body[:300].decode(
            "utf-8", "replace")})
    return answer.body


def _outlines_draw(image: Image.Image, frame: MapFrame, outlines: Sequence[Outline]) -> None:
    draw = ImageDraw.Draw(image)
    for outline in outlines:
        width = max(1, round(outline.width_mm / MM_PER_INCH * frame.dpi))
        colour = ImageColor.getrgb(outline.colour)
        for ring in _rings(outline.geom):
            points = [frame.to_pixel(x, y) for x, y, *_ in ring]
            draw.line(points, fill=colour, width=width, joint="curve")


def _rings(geom: GEOSGeometry):
    if geom.geom_type == "Polygon":
        yield from (ring.coords for ring in geom)
    elif geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        for part in geom:
            yield from _rings(part)
    elif geom.geom_type in ("LineString", "LinearRing"):
        yield geom.coords
    elif geom.geom_type == "MultiLineString":
        yield from (line.coords for line in geom)

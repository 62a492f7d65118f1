"""Rasters as published layers: what the mapfile, MapProxy and the access check read.

Rasters are rows (added by `manage.py add_raster`), not entries of the static layer
registry; each is published as a base layer under its own name, public like the
registry's public layers, drawn by MapServer from its Cloud-Optimized GeoTIFF.
"""
from dataclasses import dataclass

from .registry import Access


@dataclass(frozen=True)
class RasterLayer:
    name: str
    title_pl: str
    title_en: str
    abstract_pl: str
    abstract_en: str
    path: str
    extent: tuple[float, float, float, float]  # EPSG:2180
    bands: int
    access: Access = Access.PUBLIC
    max_scale: int | None = None
    min_scale: int | None = None

    @property
    def is_queryable(self) -> bool:
        return False


def raster_layers() -> list[RasterLayer]:
    """Every raster published, by name."""
    from .models import Raster  # the registry side stays importable without the ORM

    return [_layer(r) for r in Raster.objects.select_related("unit").order_by("name")]


def raster_layer_named(name: str) -> RasterLayer | None:
    from .models import Raster

    raster = Raster.objects.select_related("unit").filter(name=name).first()
    return _layer(raster) if raster else None


def _layer(raster) -> RasterLayer:
    return RasterLayer(
        name=raster.name, title_pl=raster.title, title_en=raster.title,
        abstract_pl=f"Podkład rastrowy: {raster.title} ({raster.unit.name}), "
                    f"{raster.resolution:.2f} m/piksel.",
        abstract_en=f"Raster base map: {raster.title} ({raster.unit.name}), "
                    f"{raster.resolution:.2f} m/pixel.",
        path=raster.path, extent=tuple(raster.extent.extent), bands=raster.bands)

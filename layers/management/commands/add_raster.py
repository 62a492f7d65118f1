"""manage.py add_raster PATH --unit TERYT --title TITLE [--name NAME]

Parses the arguments and hands off to layers.rasters.raster_add, which checks the file,
writes a Cloud-Optimized GeoTIFF in EPSG:2180 and publishes it as a base layer.
"""
from django.core.management.base import BaseCommand, CommandError

from core.commands import unit_option
from layers.errors import RasterInvalid, RasterRejected
from layers.rasters import raster_add


class Command(BaseCommand):
    help = ("Publish an orthophoto or any 8-bit GeoTIFF as a base layer (WMS, WMTS, XYZ): "
            "checked, reprojected to EPSG:2180, written as a Cloud-Optimized GeoTIFF.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--unit", required=True, help="TERYT code of the unit")
        parser.add_argument("--title", required=True, help="title shown to map users")
        parser.add_argument("--name", default=None,
                            help="layer name (lowercase, digits, _); default from the title")

    def handle(self, *args, **options) -> None:
        unit = unit_option(options["unit"])
        try:
            raster = raster_add(path=options["path"], unit=unit, title=options["title"],
                                name=options["name"])
        except RasterRejected as exc:
            raise CommandError(f"{options['path']}: refused, nothing was written: "
                               f"{exc.message}") from exc
        except RasterInvalid as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{raster.name}: {raster.title}, {raster.resolution:.3f} m/px, "
                          f"{raster.size_bytes} bytes, stored in {raster.path}")

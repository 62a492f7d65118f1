"""manage.py unit_add TERYT --name NAME [--boundary FILE]: host a unit, from nothing.

Without --boundary the unit's boundary is derived from its precincts by the first
cadastre import and follows every later one. Run again with --boundary to give (or
replace) the boundary of a unit already hosted.
"""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.boundaries import boundary_from_file
from core.errors import InvalidInput
from core.identifiers import parse_teryt
from core.models import AdministrativeUnit
from core.services import unit_boundary_set, unit_create


class Command(BaseCommand):
    help = ("Add a unit (gmina, powiat, voivodeship) by its TERYT code; its boundary from a "
            "PRG shapefile/GML or any OGR file, or derived from its cadastre imports.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("teryt", help="WWPPGG_R for a gmina, WWPP for a powiat, WW")
        parser.add_argument("--name", help="the unit's name, e.g. Legnica")
        parser.add_argument("--boundary", help="a file holding the unit's boundary (PRG "
                            "gminy shapefile, zipped or not, GML, GeoPackage, GeoJSON)")
        parser.add_argument("--office-name", default="")
        parser.add_argument("--office-email", default="")

    def handle(self, *args, teryt: str, **options) -> None:
        try:
            code = parse_teryt(teryt).code
        except ValidationError as exc:
            raise CommandError(f"{teryt}: {exc.messages[0]}") from exc
        unit = AdministrativeUnit.objects.filter(teryt=code).first()
        if unit is not None and not options["boundary"]:
            raise CommandError(_("%(unit)s is already hosted; give --boundary FILE to set its "
                                 "boundary") % {"unit": unit})
        boundary = self._boundary(options["boundary"], code)  # read before anything is written
        if unit is None:
            unit = self._create(code, options)
        if boundary is not None:
            unit_boundary_set(unit=unit, boundary=boundary)
            self.stdout.write(_("%(unit)s: boundary from %(file)s (%(km2).2f km²)") % {
                "unit": unit, "file": options["boundary"], "km2": boundary.area / 1e6})
        else:
            self.stdout.write(_("%(unit)s: no boundary given; it is derived from the precincts "
                                "after each cadastre import") % {"unit": unit})
        self.stdout.write(self.style.SUCCESS(_("%(unit)s is hosted (id %(id)d)") % {
            "unit": unit, "id": unit.pk}))

    def _boundary(self, path: str | None, code: str):
        if not path:
            return None
        try:
            return boundary_from_file(path, teryt=code)
        except InvalidInput as exc:
            raise CommandError(str(exc.message)) from exc

    def _create(self, code: str, options: dict) -> AdministrativeUnit:
        if not options["name"]:
            raise CommandError(_("--name is required for a new unit"))
        try:
            unit = unit_create(teryt=code, name=options["name"],
                               office_name=options["office_name"],
                               office_email=options["office_email"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(_("%(unit)s: created") % {"unit": unit})
        return unit

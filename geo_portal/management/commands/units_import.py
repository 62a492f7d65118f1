"""manage.py units_import TERC_FILE --under TERYT [--prg FILE ...] [--template NAME]

Hosts every local government unit of a TERYT TERC file under a voivodeship or powiat (the
unit named by --under and those whose code extends it) with its name and type, takes the
boundaries from PRG files (one per level: A01 voivodeships, A02 powiaty, A03 gminy; a
shapefile, a zipped one as /vsizip/path.zip, GML or any OGR source), and switches on the
services of an operator's template for the units of its level. Running it again with the
same files changes nothing; it answers what it created, updated and left unchanged.
"""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from core.boundaries import boundaries_from_file
from core.errors import InvalidInput
from core.identifiers import parse_teryt
from core.models import AdministrativeUnit
from core.services import units_import
from core.terc import terc_read
from permits.models import ServiceTemplate
from permits.services import service_template_apply


class Command(BaseCommand):
    help = ("Host the units of a TERYT TERC file under a voivodeship or powiat, with PRG "
            "boundaries and the services of a template; safe to run again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("terc", help="TERC file as GUS publishes it (CSV or XML)")
        parser.add_argument("--under", required=True,
                            help="TERYT code of the voivodeship (WW) or powiat (WWPP)")
        parser.add_argument("--prg", action="append", default=[],
                            help="PRG boundary file (JPT_KOD_JE codes); may be repeated")
        parser.add_argument("--template", default="",
                            help="name of a service template to switch on, e.g. "
                                 "\"gmina, standard set\"")
        parser.add_argument("--dry-run", action="store_true",
                            help="read and check everything, write nothing")

    def handle(self, *args, terc: str, under: str, prg: list[str], template: str,
               dry_run: bool, **options) -> None:
        under = self._under(under)
        chosen = self._template(template)
        try:
            units = terc_read(terc, under=under)
            if not units:
                raise CommandError(_("%(file)s lists no unit under %(teryt)s.")
                                   % {"file": terc, "teryt": under})
            boundaries = {}
            for path in prg:
                boundaries.update(boundaries_from_file(path, teryts={u.teryt for u in units}))
            with transaction.atomic():
                done = units_import(units=units, boundaries=boundaries)
                services = (service_template_apply(
                    template=chosen, units=AdministrativeUnit.objects.filter(
                        teryt__in=[u.teryt for u in units])) if chosen else None)
                if dry_run:
                    transaction.set_rollback(True)
        except (InvalidInput, ValidationError) as exc:
            raise CommandError(str(getattr(exc, "message", None) or "; ".join(exc.messages))
                               ) from exc
        self._report(done, boundaries, units, services, dry_run)

    def _under(self, code: str) -> str:
        try:
            return parse_teryt(code).code
        except ValidationError as exc:
            raise CommandError(f"--under {code}: {exc.messages[0]}") from exc

    def _template(self, name: str) -> ServiceTemplate | None:
        if not name:
            return None
        template = ServiceTemplate.objects.filter(name=name).first()
        if template is None:
            known = ", ".join(ServiceTemplate.objects.values_list("name", flat=True)) or "—"
            raise CommandError(_("There is no service template “%(name)s” (templates: "
                                 "%(known)s).") % {"name": name, "known": known})
        return template

    def _report(self, done, boundaries, units, services, dry_run) -> None:
        write = self.stdout.write
        write(_("Units in the file: %(n)s; created: %(created)s, updated: %(updated)s, "
                "unchanged: %(unchanged)s.") % {
            "n": len(units), "created": len(done["created"]), "updated": len(done["updated"]),
            "unchanged": len(done["unchanged"])})
        without = sorted(u.teryt for u in units if u.teryt not in boundaries)
        write(_("Boundaries found in the PRG files: %(n)s of %(total)s.")
              % {"n": len(boundaries), "total": len(units)})
        if without:
            write(_("No boundary for: %(codes)s.") % {"codes": ", ".join(without[:20])
                                                     + (" …" if len(without) > 20 else "")})
        if services is not None:
            write(_("Services switched on: %(enabled)s in %(units)s units (%(unchanged)s "
                    "already on).") % services)
        if dry_run:
            write(self.style.WARNING(_("Dry run: nothing was written.")))

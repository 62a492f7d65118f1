"""manage.py import_zoning: check and import zoning plan files, printing the report."""
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import GeoPortalError
from layers.errors import ZoningImportRejected
from layers.services import zoning_import
from layers.zoning_import import READERS
from layers.zoning_import.report import report_lines


def field_mapping(values: list[str]) -> dict[str, str]:
    """`--map symbol=PRZEZN,plan_name=NAZWA --map label=OZN` -> {target: source field}."""
    mapping = {}
    for value in values:
        for pair in filter(None, (part.strip() for part in value.split(","))):
            target, sep, source = pair.partition("=")
            if not sep or not target.strip() or not source.strip():
                raise CommandError(f"--map: “{pair}” is not FIELD=SOURCE (e.g. symbol=PRZEZN)")
            mapping[target.strip()] = source.strip()
    return mapping


class Command(BaseCommand):
    help = ("Check zoning plan files and import them when they hold no errors: a general plan "
            "from APP 2.0 GML (the act and its zone files together), or local plans from any "
            "file OGR reads, with --map naming the fields. Prints the report.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--unit", required=True, help="TERYT code of the unit, e.g. 026101_1")
        parser.add_argument("--kind", choices=sorted(READERS), default="general")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=SOURCE,...",
                            help="local plans: which source field holds symbol, label, "
                                 "designation, plan_name, resolution_number, resolution_date, "
                                 "text_url, local_id, ...")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, **options) -> None:
        try:
            result = zoning_import(unit=options["unit"], paths=options["paths"],
                                   kind=options["kind"], mapping=field_mapping(options["map"]),
                                   dry_run=options["dry_run"])
        except ZoningImportRejected as exc:
            self.stdout.write("\n".join(report_lines(exc.result)))
            raise CommandError(f"{len(exc.result.errors)} error(s); nothing imported") from exc
        except GeoPortalError as exc:
            raise CommandError(f"{exc.message} {exc.detail or ''}".strip()) from exc
        self.stdout.write("\n".join(report_lines(result)))

"""manage.py import_cadastre PATH --unit TERYT [--format ...] [--strict] [--dry-run] [--map ...]

Parses the arguments, records the import as a job and hands off to the service;
prints the report (cadastre_sync.import_report) in the office's language.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cadastre_sync.errors import ImportRejected
from cadastre_sync.import_report import phases_text, report_lines
from cadastre_sync.importers.base import AUTO, FORMAT_CHOICES, parse_field_map
from cadastre_sync.services import cadastre_import, cadastre_import_job_create
from core.commands import unit_option


def field_map(value: str) -> dict[str, str]:
    try:
        return parse_field_map(value)
    except ValueError as exc:
        raise CommandError(f"--map: {exc}") from exc


class Command(BaseCommand):
    help = "Import a county cadastre export (EGiB GML 2021/2015, SWDE, or any OGR file)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--unit", required=True, help="TERYT code of the gmina, WWPPGG_R")
        parser.add_argument("--format", default=AUTO, choices=FORMAT_CHOICES)
        parser.add_argument("--strict", action="store_true",
                            help="refuse the whole file on any error (default: refuse only "
                                 "the faulty objects and import the rest)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check and count everything, write nothing")
        parser.add_argument("--map", default="", help="OGR field mapping, e.g. "
                            "parcel_id=ID_DZIALKI,area=POLE (or a JSON object)")

    def handle(self, *args, **options) -> None:
        unit = unit_option(options["unit"])
        job = cadastre_import_job_create(
            unit=unit, source_name=Path(options["path"]).name, fmt=options["format"],
            strict=options["strict"], dry_run=options["dry_run"],
            field_map=field_map(options["map"]))
        try:
            result = cadastre_import(unit=unit, path=options["path"], fmt=options["format"],
                                     strict=options["strict"], dry_run=options["dry_run"],
                                     field_map=job.options["field_map"], job=job)
        except ImportRejected as exc:
            counts = exc.result.counts_dict() if exc.result else {}
            for line in report_lines(source=job.source_name, fmt="", counts=counts,
                                     problems=exc.problems, imported=False):
                self.stderr.write(line)
            raise CommandError(_("%(path)s: not imported, nothing was changed (%(errors)d "
                                 "errors; job %(job)d).") % {
                "path": options["path"], "errors": exc.detail["errors"], "job": job.pk}) from exc
        lines = report_lines(source=result.source, fmt=result.format,
                             counts=result.counts_dict(), problems=result.problems,
                             imported=True, dry_run=result.dry_run)
        for line in lines[1:]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(
            f"{lines[0]} " + _("Job %(job)d, %(seconds)s s (%(phases)s).") % {
                "job": job.pk, "seconds": number_format(result.seconds, 1),
                "phases": phases_text(result.phases)}))

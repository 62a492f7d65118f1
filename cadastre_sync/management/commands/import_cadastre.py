"""manage.py import_cadastre PATH --unit TERYT [--format ...] [--strict] [--dry-run] [--map ...]

Parses the arguments, records the import as a job and hands off to the service;
prints the counts and the report.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cadastre_sync.errors import ImportRejected
from cadastre_sync.importers.base import AUTO, FORMAT_CHOICES, parse_field_map
from cadastre_sync.services import cadastre_import, cadastre_import_job_create
from core.commands import unit_option

KINDS = ("parcel", "building", "precinct", "register_unit", "owner", "share")
COLUMNS = ("created", "updated", "retired", "unchanged", "rejected")


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
                            help="reject invalid polygons instead of repairing them")
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
            for problem in exc.problems:
                self.stderr.write(f"{problem.severity}: {problem}")
            raise CommandError(f"{options['path']}: not imported, nothing was changed "
                               f"({exc.detail['errors']} errors; job {job.pk}).") from exc
        self._print(result, job.pk)

    def _print(self, result, job_id: int) -> None:
        for problem in result.problems:
            self.stdout.write(f"{problem.severity}: {problem}")
        self.stdout.write(f"{'':<14}" + "".join(f"{c:>11}" for c in COLUMNS))
        for kind in KINDS:
            counts = result.counts.get(kind)
            if counts:
                self.stdout.write(f"{kind:<14}" + "".join(f"{getattr(counts, c):>11}"
                                                          for c in COLUMNS))
        skipped = ", ".join(f"{name} {n}" for name, n in sorted(result.skipped.items()))
        done = "dry run, nothing written" if result.dry_run else f"job {job_id}"
        phases = ", ".join(f"{name} {s:.1f} s" for name, s in result.phases.items())
        self.stdout.write(self.style.SUCCESS(
            f"{result.source} ({result.format}) in {result.seconds:.1f} s ({phases}), {done}; "
            f"warnings: {result.warnings}" + (f"; skipped: {skipped}" if skipped else "")))

"""manage.py import_tax_records PATH --unit TERYT [--profile NAME] [--strict]

Reads a tax system's CSV or XLSX export into the unit's tax register as a recorded job.
Lenient by default (good rows in, refused rows listed with their line); --strict writes
nothing when any row is refused.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cadastre_sync.tax.services import tax_import_job_run
from core.commands import unit_option


class Command(BaseCommand):
    help = "Import tax records (CSV in UTF-8 or Windows-1250, or XLSX) into a gmina's register."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--unit", required=True, help="TERYT code of the gmina, WWPPGG_R")
        parser.add_argument("--profile", default=None, help="column profile name")
        parser.add_argument("--strict", action="store_true",
                            help="import nothing if any row is refused")

    def handle(self, *args, **options) -> None:
        unit = unit_option(options["unit"])
        job, result = tax_import_job_run(unit=unit, path=Path(options["path"]),
                                         strict=options["strict"], profile=options["profile"])
        for problem in job.report:
            self.stderr.write(f"{job.source_name}:{problem['line'] or ''}: {problem['message']}")
        if result is None:
            raise CommandError(f"{options['path']}: not imported, nothing was changed "
                               f"({job.message}; job {job.pk})")
        counts = ", ".join(f"{kind} {values}" for kind, values in result.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"{job.source_name} ({result.detected.get('format')}, "
            f"{result.detected.get('encoding') or '-'}, "
            f"separator {result.detected.get('delimiter') or '-'!r}) job {job.pk}: "
            f"{job.message}; {counts}"))

"""manage.py reconcile --unit TERYT [--year YYYY] [--full] [--json]

Compares the unit's tax register with its cadastre as a recorded run (only what changed
since the last run when it can, everything with --full); prints the counts (new,
persisting, resolved, not a discrepancy) and the findings per category.
"""
import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from cadastre_sync.models import ReconciliationRun
from cadastre_sync.tax.reconcile import reconcile
from core.commands import unit_option


class Command(BaseCommand):
    help = "Reconcile a gmina's tax register with its cadastre (findings kept per run)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--unit", required=True, help="TERYT code of the gmina, WWPPGG_R")
        parser.add_argument("--year", type=int, default=None,
                            help="tax year whose rates apply (default: this year)")
        parser.add_argument("--full", action="store_true",
                            help="compare everything, not only what changed since the last run")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options) -> None:
        unit = unit_option(options["unit"])
        year = options["year"] or timezone.now().year
        try:
            result = reconcile(unit=unit, year=year,
                               scope=ReconciliationRun.FULL if options["full"] else "auto")
        except (DatabaseError, ValueError) as exc:
            raise CommandError(f"reconciliation of {unit.teryt} failed: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps({"unit": unit.teryt, "run": result.run.pk,
                                          "year": year, "counts": result.counts},
                                         ensure_ascii=False, indent=2, default=str))
            return
        counts = result.counts
        self.stdout.write(f"{'category':<24}{'findings':>10}{'estimate [zł]':>16}")
        for category, row in counts["found"].items():
            self.stdout.write(f"{category:<24}{row['findings']:>10}{row['estimate']:>16}")
        self.stdout.write(self.style.SUCCESS(
            f"{result.run.scope} run {result.run.pk} ({unit.teryt}, rates of {year}) in "
            f"{result.seconds:.1f} s: "
            f"{counts['new']} new, {counts['persisting']} persisting, {counts['resolved']} "
            f"resolved, {counts['suppressed']} not a discrepancy; {counts['open']} open"))

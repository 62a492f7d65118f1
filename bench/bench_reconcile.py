"""Tax reconciliation of a demo gmina against the bare join that matches by parcel id;
and the tax file import rate.

The demo gmina (BENCH_SCALE_PARCELS parcels) gets its derived tax roll with drift injected
(geo_portal.demo.tax). Each repeat times one full reconciliation run (every finding
category, findings merged into the run history) and, interleaved, the baseline: one
FULL JOIN of the unit's current parcels with its tax objects on the parcel id, counting
what is unmatched on either side — what vendor tools do. The import is timed on a CSV
export of the same roll (one row per object and holder), read into a second unit.
"""
import csv
import tempfile
from pathlib import Path

from django.db import connection, transaction
from harness import Context, Result, timed

from cadastre_sync.models import TaxAccount, Taxpayer
from cadastre_sync.tax.columns import DEFAULT_COLUMNS
from cadastre_sync.tax.importer import tax_records_import
from cadastre_sync.tax.reconcile import reconcile
from core.models import AdministrativeUnit
from geo_portal.demo.generator import REPLACE, demo_data_generate
from geo_portal.demo.tax import DEMO_YEAR, demo_tax_roll

UNIT = "026101_1"
IMPORT_UNIT = "020101_1"

BARE_JOIN = """
SELECT count(*) FILTER (WHERE t.id IS NULL), count(*) FILTER (WHERE p.id IS NULL)
FROM (SELECT id, parcel_id FROM cadastre_sync_parcel
      WHERE unit_id = %(unit)s AND retired_at IS NULL) p
FULL JOIN (SELECT id, parcel_ref FROM cadastre_sync_taxobject
           WHERE unit_id = %(unit)s AND parcel_ref <> '') t ON t.parcel_ref = p.parcel_id
"""

EXPORT = """
SELECT a.number, h.role, tp.pesel, tp.regon, tp.nip, tp.first_name, tp.surname, tp.name,
       o.kind, o.parcel_ref, o.building_ref, o.category, o.land_use, o.soil_class,
       replace(o.area_ha::text, '.', ','), replace(o.floor_area_m2::text, '.', ',')
FROM cadastre_sync_taxobject o
JOIN cadastre_sync_taxaccount a ON a.id = o.account_id
JOIN cadastre_sync_accountholder h ON h.account_id = a.id
JOIN cadastre_sync_taxpayer tp ON tp.id = h.taxpayer_id
WHERE o.unit_id = %(unit)s ORDER BY a.number, o.id, tp.id
"""


def bare_join(unit_id: int) -> float:
    with connection.cursor() as cursor:
        return timed(lambda: cursor.execute(BARE_JOIN, {"unit": unit_id}) or cursor.fetchall())


def export_csv(unit_id: int, folder: Path) -> tuple[Path, int]:
    path = folder / "podatki.csv"
    with connection.cursor() as cursor, path.open("w", encoding="cp1250", newline="",
                                                   errors="replace") as out:
        cursor.execute(EXPORT, {"unit": unit_id})
        writer = csv.writer(out, delimiter=";")
        writer.writerow(DEFAULT_COLUMNS.values())
        rows = 0
        for row in cursor:
            writer.writerow(["" if v is None else v for v in row])
            rows += 1
    return path, rows


def import_fresh(unit: AdministrativeUnit, path: Path) -> float:
    with transaction.atomic():
        TaxAccount.objects.filter(unit=unit).delete()
        Taxpayer.objects.filter(unit=unit).delete()
    return timed(lambda: tax_records_import(unit=unit, path=path))


def run(ctx: Context) -> list[Result]:
    ctx = ctx.at_scale()
    report = demo_data_generate(teryt=UNIT, parcels=ctx.parcels, seed=1, existing=REPLACE)
    unit = report.unit
    roll = demo_tax_roll(unit=unit, seed=1)
    ours, baseline, counts = [], [], {}
    for _ in range(ctx.repeat):
        baseline.append(bare_join(unit.pk))
        result = reconcile(unit=unit, year=DEMO_YEAR)
        ours.append(result.seconds)
        counts = {k: v["findings"] for k, v in result.counts["found"].items()}
    other, _ = AdministrativeUnit.objects.get_or_create(teryt=IMPORT_UNIT,
                                                        defaults={"name": "Bolesławiec"})
    with tempfile.TemporaryDirectory() as folder:
        path, rows = export_csv(unit.pk, Path(folder))
        imports = [import_fresh(other, path) for _ in range(ctx.repeat)]
        again = [timed(lambda: tax_records_import(unit=other, path=path))
                 for _ in range(ctx.repeat)]
    return [
        Result("reconcile (all categories)", "s", ours, baseline,
               extra={"parcels": ctx.parcels, "tax_objects": roll["objects"],
                      "findings": counts},
               goal="1,000,000 parcels vs 1,000,000 tax objects under 60 s"),
        Result("tax import rows/s", "rows/s", [rows / s for s in imports],
               extra={"rows": rows, "seconds": imports}, goal="CSV, Windows-1250"),
        Result("tax re-import (unchanged) rows/s", "rows/s", [rows / s for s in again],
               extra={"rows": rows, "seconds": again}),
    ]

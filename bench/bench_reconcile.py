"""Tax reconciliation of a demo gmina against the bare join that matches by parcel id,
full and incremental; and the tax file import rate.

The demo gmina (BENCH_SCALE_PARCELS parcels) gets its derived tax roll with drift injected
(geo_portal.demo.tax). Each repeat times, interleaved with the baseline (one FULL JOIN of
the unit's current parcels with its tax objects on the parcel id, counting what is
unmatched on either side — what vendor tools do):
- an incremental run after a change to 1% of the parcels, half of it as a cadastre
  import makes it (the land of a parcel re-measured), half as a tax import does (a
  declared area corrected); the next repeat undoes it, so the data ends as it began;
- a full run (every finding category, findings merged into the run history), which
  must find exactly what the incremental run left (every open finding's category, key,
  severity, estimate, evidence and geometry).
The findings of a full run are checked against those of the reconciliation as it was
before it was rewritten for speed (its SQL read from git, commit REFERENCE_COMMIT, run on
the same data in the same session, timed too): every open finding's category, key,
severity, estimate, evidence and geometry. Any difference fails the benchmark.
BENCH_REUSE_DATA=1 keeps a demo gmina of the right size already in the benchmark
database (generating a million parcels takes many minutes).
The import is timed on a CSV export of the same roll (one row per object and holder),
read into a second unit.
"""
import csv
import os
import subprocess
import tempfile
import types
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from harness import Context, Result, timed

from cadastre_sync.models import ReconciliationRun, TaxAccount, Taxpayer
from cadastre_sync.tax import reconcile as reconcile_module
from cadastre_sync.tax import rules as tax_rules
from cadastre_sync.tax.columns import DEFAULT_COLUMNS
from cadastre_sync.tax.importer import tax_records_import
from cadastre_sync.tax.reconcile import reconcile
from core.models import AdministrativeUnit, LegalRule
from geo_portal.demo.generator import REPLACE, SKIP, demo_data_generate
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


# The reconciliation before its rewrite for speed and incremental runs: its statements
# (cadastre_sync/tax/reconcile_sql.py of this commit) in the order it ran them.
REFERENCE_COMMIT = "61188dbe152228d7a8619b366c6b994cff2223d9"
REFERENCE_STEPS = ("RULES", "PARCELS", "SUCCESSION", "PARCEL_UNTAXED", "PARCEL_NOT_CURRENT",
                   "LAND_SIDE_BY_SIDE", "LAND_DIFFERENCE", "BUILDINGS", "BUILDING_UNDECLARED",
                   "FLOOR_AREA", "BUILDING_NOT_CURRENT", "OWNERS", "OWNER_MATCHES",
                   "OWNER_MISMATCH", "SEVERITY")
REFERENCE_FOUND = """
SELECT category, count(*), sum(round(estimate, 2))::text FROM rec_found
GROUP BY category ORDER BY category
"""
REFERENCE_DIGEST = """
SELECT md5(string_agg(concat_ws('|', category, key, parcel_ref, building_ref, severity,
                                round(estimate, 2)::text, evidence::text,
                                md5(COALESCE(ST_AsEWKB(geom), ''::bytea))),
                      E'\\n' ORDER BY category, key))
FROM rec_found
"""


def reference_findings(unit) -> tuple[dict, float]:
    """What the reconciliation before the rewrite finds on this data, and its time."""
    source = subprocess.run(
        ["git", "-C", str(Path(__file__).resolve().parent), "show",
         f"{REFERENCE_COMMIT}:cadastre_sync/tax/reconcile_sql.py"],
        capture_output=True, text=True, check=True).stdout
    before = types.ModuleType("reconcile_sql_before")
    exec(compile(source, "reconcile_sql_before.py", "exec"), before.__dict__)  # noqa: S102
    params = reconcile_module._params(unit, types.SimpleNamespace(pk=0, year=DEMO_YEAR))
    params.pop("_rates")
    statements = []
    for name in REFERENCE_STEPS:
        step = getattr(before, name)
        statements += [step] if isinstance(step, str) else list(step)
    drop = "DROP TABLE IF EXISTS " + ", ".join(f"pg_temp.{t}" for t in before.TEMP_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(drop)
        cursor.execute("SET jit = off")
        cursor.execute("SET enable_memoize = off")

        def steps() -> None:
            for statement in statements:
                cursor.execute(statement, params)

        seconds = timed(steps)
        cursor.execute(REFERENCE_FOUND)
        categories = {c: [n, e] for c, n, e in cursor.fetchall()}
        cursor.execute(REFERENCE_DIGEST)
        found = {"categories": categories, "digest": cursor.fetchone()[0]}
        cursor.execute(drop)
        cursor.execute("RESET jit")
        cursor.execute("RESET enable_memoize")
    return found, seconds


# The open findings: counts and estimates per category, and a digest of every field.
FINDINGS = """
SELECT category, count(*), sum(estimate)::text FROM cadastre_sync_taxfinding
WHERE unit_id = %(unit)s AND status = 'open' GROUP BY category ORDER BY category
"""
DIGEST = """
SELECT md5(string_agg(concat_ws('|', category, key, parcel_ref, building_ref, severity,
                                estimate::text, evidence::text,
                                md5(COALESCE(ST_AsEWKB(geom), ''::bytea))),
                      E'\n' ORDER BY category, key))
FROM cadastre_sync_taxfinding WHERE unit_id = %(unit)s AND status = 'open'
"""

# One percent of the parcels changed: even draws re-measure a parcel's land (as a
# cadastre import would), odd ones correct its declared area (as a tax import would).
# `sign` +1 makes the change, -1 undoes it.
CHANGE_LAND = """
UPDATE cadastre_sync_landusepiece l SET area_ha = l.area_ha + %(sign)s * 0.0100
FROM cadastre_sync_parcel p
WHERE p.id = l.parcel_id AND p.unit_id = %(unit)s AND p.retired_at IS NULL
  AND abs(hashint8(p.id)) %% 200 = 0
"""
CHANGE_TAX = """
UPDATE cadastre_sync_taxobject t SET area_ha = t.area_ha + %(sign)s * 0.0100
FROM cadastre_sync_parcel p
WHERE t.unit_id = %(unit)s AND t.parcel_ref = p.parcel_id AND t.area_ha IS NOT NULL
  AND p.unit_id = %(unit)s AND p.retired_at IS NULL AND abs(hashint8(p.id)) %% 200 = 1
"""


def findings(unit_id: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(FINDINGS, {"unit": unit_id})
        categories = {c: [n, e] for c, n, e in cursor.fetchall()}
        cursor.execute(DIGEST, {"unit": unit_id})
        return {"categories": categories, "digest": cursor.fetchone()[0]}


def change(unit_id: int, sign: int) -> int:
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(CHANGE_LAND, {"unit": unit_id, "sign": sign})
        land = cursor.rowcount
        cursor.execute(CHANGE_TAX, {"unit": unit_id, "sign": sign})
        return land + cursor.rowcount


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
    reuse = os.environ.get("BENCH_REUSE_DATA") == "1"
    report = demo_data_generate(teryt=UNIT, parcels=ctx.parcels, seed=1,
                                existing=SKIP if reuse else REPLACE)
    unit = report.unit
    if reuse and report.existing_parcels not in (0, ctx.parcels):
        raise AssertionError(f"BENCH_REUSE_DATA: the demo gmina has "
                             f"{report.existing_parcels:,} parcels, not {ctx.parcels:,}")
    roll = demo_tax_roll(unit=unit, seed=1)
    full, incremental, baseline, counts, coverage = [], [], [], {}, []
    # The reference took every farm building (KŚT 108) as exempt; farm buildings are now
    # exempt only on a farm's land. Both sides compare under the reference's building-class
    # table, given as this unit's own rule for the comparison only.
    before_law = LegalRule.objects.create(
        unit=unit, key=tax_rules.KST_TAX_RULE, valid_from=date(DEMO_YEAR, 1, 1),
        value={kst: tax_rules.TAX_EXEMPT if key == tax_rules.TAX_EXEMPT_ON_FARM else key
               for kst, key in tax_rules.KST_TAX.items()},
        act="bench: the building-class table of " + REFERENCE_COMMIT[:7], verified=False)
    first = reconcile(unit=unit, year=DEMO_YEAR, scope=ReconciliationRun.FULL)
    reference, before = reference_findings(unit)
    if findings(unit.pk) != reference:
        raise AssertionError(f"the findings differ from the reconciliation before the "
                             f"rewrite: {findings(unit.pk)} != {reference}")
    before_law.delete()
    reconcile(unit=unit, year=DEMO_YEAR, scope=ReconciliationRun.FULL)  # today's law
    changed, sign = 0, 1
    for _ in range(ctx.repeat):
        baseline.append(bare_join(unit.pk))
        changed = change(unit.pk, sign)
        sign = -sign
        result = reconcile(unit=unit, year=DEMO_YEAR)
        if result.run.scope != ReconciliationRun.INCREMENTAL:
            raise AssertionError(f"the run after the change was full: {result.run.coverage}")
        incremental.append(result.seconds)
        coverage.append(result.run.coverage)
        after_incremental = findings(unit.pk)
        baseline.append(bare_join(unit.pk))
        result = reconcile(unit=unit, year=DEMO_YEAR, scope=ReconciliationRun.FULL)
        full.append(result.seconds)
        counts = {k: v["findings"] for k, v in result.counts["found"].items()}
        if findings(unit.pk) != after_incremental or result.counts["new"] \
                or result.counts["resolved"]:
            raise AssertionError("the incremental run's findings differ from the full run's")
    if sign < 0:  # undo the last change, so the data ends as it began
        change(unit.pk, -1)
        reconcile(unit=unit, year=DEMO_YEAR)
    other, _ = AdministrativeUnit.objects.get_or_create(teryt=IMPORT_UNIT,
                                                        defaults={"name": "Bolesławiec"})
    with tempfile.TemporaryDirectory() as folder:
        path, rows = export_csv(unit.pk, Path(folder))
        imports = [import_fresh(other, path) for _ in range(ctx.repeat)]
        again = [timed(lambda: tax_records_import(unit=other, path=path))
                 for _ in range(ctx.repeat)]
    return [
        Result("reconcile full (all categories)", "s", full, baseline,
               extra={"parcels": ctx.parcels, "tax_objects": roll["objects"],
                      "findings": counts, "first_run_s": first.seconds,
                      "before_rewrite_s": round(before, 3),
                      "equal_to_before_rewrite": True, "incremental_equals_full": True},
               goal="1,000,000 parcels vs 1,650,000 tax objects under 30 s, findings as "
                    "before"),
        Result("reconcile incremental (1% of parcels changed)", "s", incremental, baseline,
               extra={"changed_rows": changed, "coverage": coverage},
               goal="under 5 s at 1,000,000 parcels, findings identical to a full run"),
        Result("tax import rows/s", "rows/s", [rows / s for s in imports],
               extra={"rows": rows, "seconds": imports}, goal="CSV, Windows-1250"),
        Result("tax re-import (unchanged) rows/s", "rows/s", [rows / s for s in again],
               extra={"rows": rows, "seconds": again}),
    ]

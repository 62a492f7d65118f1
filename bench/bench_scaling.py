"""How cost grows with the number of parcels: the cost curve at BENCH_SCALES.

`BENCH_SCALES=100000,1000000,5000000 make bench BENCH=scaling` measures, at every
scale, on the demo gmina of that many parcels (`<ctx.database>_<parcels>`, the database
the map, vector tile and parcel API benchmarks share, generated once by `demo_data`):

- parcel at point and search: the parcel API benchmark (gunicorn, one keep-alive
  connection; at point against the bare SQL), ms per request;
- MVT z16: the vector tile benchmark's web-mercator z16 tiles (view against bare
  ST_AsMVT), ms per tile;
- cold tile: the map services benchmark's cold pl1992 metatile renders of the parcel
  and plan layers (MapProxy + MapServer; baseline the same tiles from the cache), ms;
- reconciliation: a full run of the gmina's tax reconciliation against the demo tax
  roll (baseline the bare join by parcel id), s per run and µs per parcel;
- cadastre import: a generated EGiB GML 2021 export of one gmina (BENCH_IMPORT_PARCELS,
  default 100 000 parcels) imported into another unit of the same database with
  `--dry-run` (every step, the merge into the full tables included, then rolled back,
  so the database stays as generated), against ogr2ogr loading the same file; s per
  import. A region's cadastre arrives gmina by gmina, so what must stay flat is the
  cost of one gmina's file as the region grows, not a 5M-parcel file.

Each scale's own results (with their baselines) are returned, then one "curve" row per
operation and pair of neighbouring scales whose baseline is the smaller scale's samples:
its ratio is the growth between scales. Per-parcel costs should stay flat (ratio near 1),
index lookups may grow with log(parcels) (log 5M / log 100k = 1.34). How long the
generation of each scale took is recorded in var/bench/generated.json and reported.
Without BENCH_SCALES the module measures nothing (the other benchmarks cover one scale).
"""
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from harness import Context, Result

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "var" / "bench" / "generated.json"
DEFAULT_URL = "postgis://postgres@127.0.0.1:55432/geo_portal"
IMPORT_UNIT, IMPORT_UNIT_NAME = "020101_1", "Bolesławiec"

# Operation -> (how its cost should grow, goal text); the curve's rows in this order.
LOOKUP = "index lookup, at most logarithmic: ratio <= 1.5"
FLAT = "flat per parcel: ratio <= 1.25"
OPERATIONS = {
    "parcel at point": LOOKUP,
    "MVT z16": LOOKUP,
    "cold tile": LOOKUP,
    "search": LOOKUP,
    "reconciliation per parcel": FLAT,
    "cadastre import": "flat per file (same file, larger region): ratio <= 1.25",
}


def scales() -> list[int]:
    raw = os.environ.get("BENCH_SCALES", "")
    try:
        values = sorted({int(v.replace("_", "")) for v in raw.split(",") if v.strip()})
    except ValueError:
        raise SystemExit(f"BENCH_SCALES must be parcel counts separated by commas, "
                         f"not {raw!r}") from None
    return values


def run(ctx: Context) -> list[Result]:
    wanted = scales()
    if not wanted:
        print("    BENCH_SCALES is not set: no cost curve (e.g. BENCH_SCALES=100000,1000000)")
        return []
    import_parcels = int(os.environ.get("BENCH_IMPORT_PARCELS", "100000"))
    measured: dict[int, dict[str, Result]] = {}
    results: list[Result] = []
    for parcels in wanted:
        at = replace(ctx, parcels=parcels, scale_parcels=parcels)
        load_before = os.getloadavg()
        generation = scale_database(at)
        ops = measure_scale(at, import_parcels)
        facts = {"parcels": parcels, "generation": generation, "database": database_facts(at),
                 "load_before": [round(v, 2) for v in load_before],
                 "load_after": [round(v, 2) for v in os.getloadavg()]}
        for result in ops.values():
            result.extra.setdefault("scale", facts)
        measured[parcels] = ops
        for result in _unique(ops.values()):
            results.append(replace(result, name=f"{result.name} @ {_size(parcels)}"))
        print(f"    {_size(parcels)} parcels measured; load {facts['load_after']}", flush=True)
    curve = curve_rows(measured)
    print(curve_table(measured), flush=True)
    return results + curve


def _size(parcels: int) -> str:
    return f"{parcels:,}"


def _unique(results) -> list[Result]:
    seen, out = set(), []
    for result in results:
        if id(result) not in seen:
            seen.add(id(result))
            out.append(result)
    return out


# The data ------------------------------------------------------------------------------

def _url(ctx: Context, database: str | None = None) -> str:
    base = urlparse(os.environ.get("DATABASE_URL", DEFAULT_URL))
    return urlunparse(base._replace(path=f"/{database or f'{ctx.database}_{ctx.parcels}'}"))


def _psql_value(url: str, sql: str) -> str:
    """The query's value, or "" when it fails or waits over a second for a lock (a
    generator building a table's indexes after its load holds it until commit)."""
    parts = urlparse(url)
    done = subprocess.run(["psql", "-Atq", "-h", parts.hostname, "-p", str(parts.port or 5432),
                           "-U", parts.username or "postgres", "-d", parts.path.lstrip("/"),
                           "-c", "SET lock_timeout = '1s'", "-c", sql],
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def _generated() -> dict:
    try:
        return json.loads(GENERATED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def scale_database(ctx: Context) -> dict:
    """Make the demo gmina of ctx.parcels parcels if its database lacks it; return how long
    generating it took (now, or when it was made, as recorded then)."""
    from bench_map_services import bench_database

    url = _url(ctx)
    name = urlparse(url).path.lstrip("/")
    has = _parcels_wait(url)
    started = time.perf_counter()
    bench_database(ctx)  # migrates; generates only when empty (demo_data --if-empty)
    if has:
        return _generated().get(name, {"seconds": None, "note": "generated before, not timed"})
    # Wall time of creating, migrating and filling the database (demo_data, tax roll
    # included), as an operator setting up a test region would wait for it.
    record = {"seconds": round(time.perf_counter() - started, 1), "parcels": ctx.parcels,
              "load": [round(v, 2) for v in os.getloadavg()],
              "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    known = _generated()
    known[name] = record
    GENERATED.parent.mkdir(parents=True, exist_ok=True)
    GENERATED.write_text(json.dumps(known, indent=2), encoding="utf-8")
    print(f"    generated {ctx.parcels:,} parcels in {record['seconds']:,.0f} s", flush=True)
    return record


BUSY = ("SELECT coalesce(max(extract(epoch FROM now() - xact_start))::int, 0) "
        "FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state <> 'idle' AND xact_start IS NOT NULL")


def _busy_wait(url: str, ready: str, what: str) -> bool:
    """While the `ready` query is not true and another session has a transaction open in
    the database (a scale generated ahead of the run: `bench_scaling.py generate N`),
    wait for it rather than generating the same data twice. Returns `ready`."""
    announced = False
    while (_psql_value(url, ready) != "t"
           and (open_s := int(_psql_value(url, BUSY) or 0)) > 0):
        if not announced:
            print(f"    {urlparse(url).path[1:]}: {what} being made by another session "
                  f"(for {open_s:,} s): waiting", flush=True)
            announced = True
        time.sleep(10)
    return _psql_value(url, ready) == "t"


def _roll_ready(url: str) -> bool:
    """The tax roll is there, or no other session is making it (the child then makes it).
    A roll still being made by `generate` is not waited for: at 5M parcels it takes
    longer than every other measurement of the scale together."""
    has = _psql_value(url, "SELECT count(*) > 0 FROM cadastre_sync_taxobject") == "t"
    return has or int(_psql_value(url, BUSY) or 0) == 0


def _parcels_wait(url: str) -> bool:
    return _busy_wait(url, "SELECT count(*) > 0 FROM cadastre_sync_parcel", "parcels")


def database_facts(ctx: Context) -> dict:
    """Sizes an operator compares with the machine's memory (docs/scaling.md)."""
    url = _url(ctx)
    row = _psql_value(url, "SELECT pg_database_size(current_database()), "
                           "pg_total_relation_size('cadastre_sync_parcel'), "
                           "pg_indexes_size('cadastre_sync_parcel'), "
                           "(SELECT count(*) FROM cadastre_sync_parcel)")
    names = ("database_mb", "parcel_table_mb", "parcel_indexes_mb", "parcel_rows")
    values = [int(v) for v in row.split("|")] if row else []
    return {name: (value if name == "parcel_rows" else round(value / 2**20))
            for name, value in zip(names, values, strict=False)}


# The operations at one scale -----------------------------------------------------------

def _pick(results: list[Result], *words: str) -> Result:
    """The result whose name holds all `words` (case aside)."""
    for result in results:
        if all(word.lower() in result.name.lower() for word in words):
            return result
    raise RuntimeError(f"no result named with {words!r} among {[r.name for r in results]}")


def measure_scale(ctx: Context, import_parcels: int) -> dict[str, Result]:
    import bench_parcel_api
    import bench_vector_tiles

    # Reconciliation last: a scale generated ahead may still be making its tax roll.
    ops: dict[str, Result] = {}
    api = bench_parcel_api.run(ctx)
    ops["parcel at point"] = _said(ctx, "parcel at point", _pick(api, "parcel API at point"))
    ops["search"] = _said(ctx, "search", _pick(api, "parcel API search"))
    mvt = bench_vector_tiles.run(ctx)
    ops["MVT z16"] = _said(ctx, "MVT z16", _pick(mvt, "mvt parcels", "mercator z16"))
    cold = cold_tiles(ctx)
    ops["cold tile"] = _said(ctx, "cold tile", _pick(cold, "map cold tile parcels"))
    ops["cold tile, plan"] = _said(ctx, "cold tile, plan",
                                   _pick(cold, "map cold tile general_plan_map"))
    ops["cadastre import"] = _said(ctx, "cadastre import",
                                   cadastre_import(ctx, import_parcels))
    for name, result in reconciliation(ctx).items():
        ops[name] = _said(ctx, name, result)
    if "reconciliation" not in ops:
        print(f"    {_size(ctx.parcels)}: reconciliation not measured: the scale's tax roll "
              "is still being made (bench_scaling.py generate); run again when it is done",
              flush=True)
    return {op: ops[op] for op in [*OPERATIONS, *ops] if op in ops}


def _said(ctx: Context, op: str, result: Result) -> Result:
    """Print each figure as it is measured: a long run shows its progress."""
    base = f", baseline {result.baseline_median:,.4g}" if result.baseline_samples else ""
    print(f"    {_size(ctx.parcels)}: {op}: median {result.median:,.4g} {result.unit}{base} "
          f"(n={len(result.samples)}; load {os.getloadavg()[0]:.1f})", flush=True)
    return result


def cold_tiles(ctx: Context) -> list[Result]:
    """The map services benchmark's cold tiles, without its throughput and GetMap rounds."""
    import tempfile

    import bench_map_services as maps

    knobs = maps.Knobs.from_env()
    database = maps.bench_database(ctx)
    points = maps.sample_points(database, knobs)
    with tempfile.TemporaryDirectory(prefix="gp-bench-curve-") as tmp, \
            maps.Server(database, Path(tmp), knobs) as server:
        return maps.cold_tiles(server, knobs, points, skip=(-1, -1))


def reconciliation(ctx: Context) -> dict[str, Result]:
    """Full runs on the scale's gmina, in a child process whose settings name its database."""
    if not _roll_ready(_url(ctx)):
        return {}
    env = {**os.environ, "DATABASE_URL": _url(ctx), "DJANGO_SETTINGS_MODULE":
           "geo_portal.settings", "DJANGO_DEBUG": "0", "DJANGO_LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, __file__, "reconcile", str(ctx.repeat)], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    extra = {"parcels": ctx.parcels, "tax_objects": got["tax_objects"],
             "roll_seconds": got["roll_seconds"], "findings": got["findings"]}
    whole = Result("reconcile (all categories)", "s", got["ours"], got["bare"], extra=extra,
                   goal="per parcel flat across scales")
    per = 1e6 / ctx.parcels
    per_parcel = Result("reconcile per parcel", "µs", [s * per for s in got["ours"]],
                        [s * per for s in got["bare"]], extra=extra, goal=FLAT)
    return {"reconciliation": whole, "reconciliation per parcel": per_parcel}


def cadastre_import(ctx: Context, parcels: int) -> Result:
    """One gmina's export imported (dry run) into a region of ctx.parcels, vs ogr2ogr."""
    import bench_cadastre_import as imp

    url = _url(ctx)
    imp.unit_ensure(url, IMPORT_UNIT, IMPORT_UNIT_NAME)
    path = imp.export_file(parcels, seed=1, unit=IMPORT_UNIT)
    ours, theirs, rss = [], [], 0
    for _ in range(ctx.repeat):
        seconds, peak = imp.import_once(url, path, unit=IMPORT_UNIT, dry_run=True)
        ours.append(seconds)
        rss = max(rss, peak)
        theirs.append(imp.ogr2ogr_once(url, path))
    imp.ogr_schema_drop(url)
    return Result("cadastre import (dry run) vs ogr2ogr", "s", ours, theirs,
                  extra={"file_parcels": parcels, "file_mb": round(path.stat().st_size / 2**20),
                         "region_parcels": ctx.parcels, "peak_rss_mb": round(rss / 1024)},
                  goal="the same file: flat across scales")


# The curve -----------------------------------------------------------------------------

def curve_rows(measured: dict[int, dict[str, Result]]) -> list[Result]:
    """Per operation and neighbouring scales: samples at the larger, baseline the smaller."""
    rows = []
    sizes = sorted(measured)
    for op, goal in OPERATIONS.items():
        for small, large in zip(sizes, sizes[1:], strict=False):
            if op not in measured[small] or op not in measured[large]:
                continue
            a, b = measured[small][op], measured[large][op]
            rows.append(Result(f"curve {op}: {_size(large)} vs {_size(small)}", a.unit,
                               list(b.samples), list(a.samples), goal=goal,
                               extra={"scales": [small, large], "log_ratio":
                                      round(math.log(large) / math.log(small), 3)}))
    return rows


def curve_table(measured: dict[int, dict[str, Result]]) -> str:
    """Median per operation at each scale, and the growth from the smallest scale."""
    sizes = sorted(measured)
    head = ["operation", *(f"{_size(n)}" for n in sizes),
            *(f"x{n // sizes[0]:,}" for n in sizes[1:])]
    rows = [head]
    for op in [*OPERATIONS, "reconciliation"]:
        medians = [measured[n][op].median if op in measured[n] else None for n in sizes]
        unit = next((measured[n][op].unit for n in sizes if op in measured[n]), "")
        first = medians[0]
        rows.append([op, *(f"{m:,.3g} {unit}" if m is not None else "–" for m in medians),
                     *(f"{m / first:.2f}x" if m is not None and first else "–"
                       for m in medians[1:])])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["cost curve (median per operation; growth against the smallest scale)"]
    for row in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(lines)


# The reconciliation child process -------------------------------------------------------

def _reconcile_child(repeat: int) -> dict:
    from bench_reconcile import UNIT, bare_join

    from cadastre_sync.models import ReconciliationRun, TaxObject
    from cadastre_sync.tax.reconcile import reconcile
    from core.models import AdministrativeUnit
    from geo_portal.demo.tax import DEMO_YEAR, demo_tax_roll

    unit = AdministrativeUnit.objects.get(teryt=UNIT)
    objects = TaxObject.objects.filter(unit=unit).count()
    roll_seconds = None
    if not objects:  # the roll is made once per scale database and kept
        started = time.perf_counter()
        objects = demo_tax_roll(unit=unit, seed=1)["objects"]
        roll_seconds = round(time.perf_counter() - started, 1)
    ours, bare, findings = [], [], {}
    for _ in range(repeat):
        bare.append(bare_join(unit.pk))
        # A full run: without changes since the last run "auto" would re-check nothing.
        result = reconcile(unit=unit, year=DEMO_YEAR, scope=ReconciliationRun.FULL)
        ours.append(result.seconds)
        findings = {k: v["findings"] for k, v in result.counts["found"].items()}
    return {"ours": ours, "bare": bare, "tax_objects": objects, "roll_seconds": roll_seconds,
            "findings": findings}


def generate(parcels: int) -> dict:
    """`python bench/bench_scaling.py generate N`: make (and time) one scale ahead of a run."""
    from run import BENCH_DATABASE

    return scale_database(Context(parcels=parcels, repeat=1, database=BENCH_DATABASE,
                                  scale_parcels=parcels))


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
    if sys.argv[1] == "reconcile":
        import django

        django.setup()
        print(json.dumps(_reconcile_child(int(sys.argv[2]))))
    elif sys.argv[1] == "generate":
        print(json.dumps(generate(int(sys.argv[2]))))
    else:
        raise SystemExit("usage: bench_scaling.py generate PARCELS")

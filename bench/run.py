#!/usr/bin/env python
"""Run the benchmarks: `.venv/bin/python bench/run.py [names...]`.

Every `bench/bench_<name>.py` module is run (or only those named, with or without
the `bench_` prefix) against its own database, `geo_portal_bench` on the cluster of
DATABASE_URL (or BENCH_DATABASE_URL), created with PostGIS and migrated first, so
the demo data is never touched. Sizes: BENCH_PARCELS (default 100000) and
BENCH_REPEAT (default 3); the vector tile, parcel API and reconciliation benchmarks run at
BENCH_SCALE_PARCELS (default 1000000), the size their goals are set for. Prints a table
and writes bench/results/<UTC>.json and bench/results/latest.json.
"""
import importlib
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_URL = "postgis://postgres@127.0.0.1:55432/geo_portal"
BENCH_DATABASE = "geo_portal_bench"

sys.path[:0] = [str(ROOT), str(BENCH_DIR)]

from harness import Context, table, write_json  # noqa: E402


def bench_url() -> str:
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    parsed = urlparse(os.environ.get("DATABASE_URL", DEFAULT_URL))
    return urlunparse(parsed._replace(path=f"/{BENCH_DATABASE}"))


def database_ensure(url: str) -> None:
    """Create the benchmark database with PostGIS when it is missing."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    server = urlunparse(parsed._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    target = urlunparse(parsed._replace(scheme="postgresql"))
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def discover(names: list[str]) -> list:
    wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
    found = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    unknown = wanted - set(found)
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))} "
                         f"(have: {', '.join(found)})")
    return [importlib.import_module(name) for name in found if not wanted or name in wanted]


def main(argv: list[str]) -> int:
    url = bench_url()
    database_ensure(url)
    os.environ["DATABASE_URL"] = url  # read by the settings at django.setup()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_portal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    ctx = Context(parcels=int(os.environ.get("BENCH_PARCELS", "100000")),
                  repeat=int(os.environ.get("BENCH_REPEAT", "3")),
                  database=urlparse(url).path.lstrip("/"),
                  scale_parcels=int(os.environ.get("BENCH_SCALE_PARCELS", "1000000")))
    started = datetime.now(UTC)
    results, errors = [], {}
    for module in discover(argv):
        print(f"==> {module.__name__} ({ctx.parcels:,} parcels, {ctx.repeat} repeats)",
              flush=True)
        try:
            results.extend(module.run(ctx))
        except Exception as exc:  # one broken benchmark must not hide the others' results
            traceback.print_exc()
            errors[module.__name__] = f"{type(exc).__name__}: {exc}"
    print(table(results))
    for name, error in errors.items():
        print(f"FAILED {name}: {error}")
    path = write_json(results, ctx, started, errors=errors)
    print(f"results: {path.relative_to(ROOT)} (and bench/results/latest.json)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Vector tiles: a parcels MVT tile through our view against the bare ST_AsMVT query.

The data is the demo gmina of ctx.parcels parcels (BENCH_SCALE_PARCELS) in its own database,
`<ctx.database>_<parcels>`, made once by `demo_data` (shared with bench_map_services).
BENCH_MVT_TILES tiles per zoom (default 40) lie over parcels picked in a fixed
pseudo-random order, at web-mercator z14, z16 and z18 and at the pl1992 levels showing
the same (9, 11, 13).

For each tile, interleaved, ctx.repeat times after one warm-up of each:
- ours: GET /tiles/... through Django's WSGI handler, in process, as gunicorn calls it:
  every middleware, URL resolution, the access policy, the view, the ETag, gzip (asked
  for, as browsers do);
- baseline: the very SQL statement the view runs, on a plain psycopg connection.
Samples are ms per tile; the ratio median(ours) / median(baseline) should be at most 2.

The measurement runs in a child process whose Django settings name the bench database,
so the harness's own database and settings are left alone.
Run through the harness: `.venv/bin/python bench/run.py vector_tiles`.
"""
import gzip
import io
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import Context, Result

ROOT = Path(__file__).resolve().parent.parent
ZOOMS = (("webmercator", 14), ("webmercator", 16), ("webmercator", 18),
         ("pl1992", 9), ("pl1992", 11), ("pl1992", 13))
MERCATOR_HALF = 20037508.342789244
GOAL = "ratio <= 2"


def run(ctx: Context) -> list[Result]:
    from bench_map_services import bench_database

    ctx = ctx.at_scale()
    database = bench_database(ctx)
    tiles = int(os.environ.get("BENCH_MVT_TILES", "40"))
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": "geo_portal.settings", "DJANGO_LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, __file__, str(tiles), str(ctx.repeat)], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True)
    measured = json.loads(done.stdout)
    return [
        Result(name=f"mvt parcels {row['grid']} z{row['z']} (view vs ST_AsMVT)", unit="ms",
               samples=row["view"], baseline_samples=row["bare"], goal=GOAL,
               extra={"tiles": tiles, "parcels": ctx.parcels, "bytes_median": row["bytes"],
                      "features_median": row["features"], "empty_tiles": row["empty"]})
        for row in measured
    ]


# The child process ---------------------------------------------------------------------

def _tile_of(grid, x: float, y: float, z: int) -> tuple[int, int]:
    """The tile of `grid` at level z holding the EPSG:2180 point (x, y)."""
    from django.contrib.gis.geos import Point

    if grid.srid != 2180:
        point = Point(x, y, srid=2180).transform(grid.srid, clone=True)
        x, y = point.x, point.y
    size = grid.size / 2**z
    return math.floor((x - grid.bounds[0]) / size), math.floor((grid.bounds[3] - y) / size)


def _points(count: int) -> list[tuple[float, float]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM "
            "cadastre_sync_parcel WHERE retired_at IS NULL ORDER BY md5(id::text) LIMIT %s) s",
            [count])
        return cursor.fetchall()


def _bare_connection():
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"], port=s["PORT"], dbname=s["NAME"], user=s["USER"],
                           password=s["PASSWORD"] or None, autocommit=True,
                           cursor_factory=psycopg.ClientCursor)


def _ms(action) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()
    return (time.perf_counter() - started) * 1000, value


class WsgiClient:
    """GET through Django's WSGI handler, as gunicorn calls it (no test-client extras)."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.app = WSGIHandler()

    def get(self, path: str) -> bytes:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8101", "HTTP_HOST": "127.0.0.1",
                   "HTTP_ACCEPT_ENCODING": "gzip",  # as browsers and QGIS ask
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
                   "wsgi.errors": sys.stderr}
        status = []
        body = b"".join(self.app(environ, lambda s, h, exc_info=None: status.append(s)))
        if not status[0].startswith(("200", "204")):
            raise RuntimeError(f"{path}: {status[0]}")
        return body


def measure(tiles: int, repeat: int) -> list[dict]:
    from layers.vector_tiles import GRIDS, vector_layer_named

    layer = vector_layer_named("parcels")
    client, bare = WsgiClient(), _bare_connection()
    points = _points(tiles)
    return [_measure_zoom(client, bare, layer, GRIDS[grid], z, points, repeat)
            for grid, z in ZOOMS]


def _measure_zoom(client, bare, layer, grid, z: int, points, repeat: int) -> dict:
    import statistics

    import mapbox_vector_tile

    from layers.vector_tiles import BUFFER_PX, EXTENT_PX, tile_sql

    coords = sorted({_tile_of(grid, x, y, z) for x, y in points})
    sql = tile_sql(layer, grid, scoped=False)
    width = grid.size / 2**z

    def url(x: int, y: int) -> str:
        return f"/tiles/{grid.url_prefix}{layer.name}/{z}/{x}/{y}.mvt"

    def query(x: int, y: int):
        params = {"z": z, "x": x, "y": y, "margin": width * BUFFER_PX / EXTENT_PX,
                  "segment": width / 8, "name": layer.name, "units": None}
        return bare.execute(sql, params).fetchone()

    sizes, features = [], []
    for x, y in coords:  # warm-up of both, and what the tiles hold
        body = client.get(url(x, y))
        body = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        query(x, y)
        sizes.append(len(body))
        decoded = mapbox_vector_tile.decode(body) if body else {}
        features.append(len(decoded.get(layer.name, {}).get("features", [])))
    view, base = [], []
    for _ in range(repeat):
        for x, y in coords:
            view.append(_ms(lambda x=x, y=y: client.get(url(x, y)))[0])
            base.append(_ms(lambda x=x, y=y: query(x, y))[0])
    return {"grid": grid.name, "z": z, "view": view, "bare": base,
            "bytes": statistics.median(sizes), "features": statistics.median(features),
            "empty": sizes.count(0)}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]))))

"""The services national systems call: OGC API - Features items and ULDK GetParcelByXY.

The stack, data and client are the parcel API benchmark's (bench_parcel_api: gunicorn on a
loopback port, one keep-alive connection, the demo gmina of BENCH_SCALE_PARCELS parcels).

What is measured, with the issue's goals:
- OGC API items for a 1:2000 window: GET /ogcapi/collections/parcels/items?bbox=..&f=json
  for a 573 m x 430 m window (1024 x 768 px of 0.28 mm at 1:2000) around BENCH_WINDOWS
  points, interleaved with the bare SQL giving the same parcels as GeoJSON in WGS84 through
  the same GiST index; p95 and median(API) / median(SQL) reported;
- ULDK GetParcelByXY (`xy=x,y` in EPSG:2180, result=id,geom_wkt) interleaved with the
  parcel API's parcel at the same point; p95 and median(ULDK) / median(parcel API).

Run: `.venv/bin/python bench/run.py national_services` (small: BENCH_SCALE_PARCELS=10000
BENCH_POINTS=50 BENCH_WINDOWS=20 BENCH_REPEAT=1).
"""
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench_parcel_api import Server, _at_path, _connect, bench_database, sample_points
from harness import Context, Result

# 1024 x 768 px of 0.28 mm at 1:2000, in metres.
WINDOW_M = (1024 * 0.00028 * 2000, 768 * 0.00028 * 2000)
ITEMS_LIMIT = 10000  # the OGC API's largest page (layers.ogcapi.items.MAX_LIMIT)

BARE_WINDOW = """
SELECT count(*), json_agg(ST_AsGeoJSON(ST_Transform(p.geom, 4326), 6)::json)
FROM cadastre_sync_parcel p JOIN cadastre_sync_precinct pr ON pr.id = p.precinct_id
WHERE p.retired_at IS NULL AND p.geom && ST_MakeEnvelope(%s, %s, %s, %s, 2180)
"""


def run(ctx: Context) -> list[Result]:
    ctx = ctx.at_scale()
    points_n = int(os.environ.get("BENCH_POINTS", 400))
    windows_n = int(os.environ.get("BENCH_WINDOWS", 100))
    database = bench_database(ctx)
    points = _points_2180(database, sample_points(database, points_n, 1))
    windows = _windows(database, sample_points(database, windows_n, 2))
    uldk_ms, api_ms, items_ms, bare_ms, counts = [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="gp-bench-national-") as tmp, \
            Server(database, Path(tmp)) as server, _connect(database) as conn:
        for window in windows[:3]:  # warm: connections opened, query plans cached
            server.timed_get(_items_path(window[1]))
        for _ in range(ctx.repeat):
            for (x, y), (lon, lat) in points:
                uldk_ms.append(server.timed_get(_uldk_path(x, y)))
                api_ms.append(server.timed_get(_at_path(lon, lat)))
            for box_2180, box_4326 in windows:
                items_ms.append(server.timed_get(_items_path(box_4326)))
                started = time.perf_counter()
                count, _features = conn.execute(BARE_WINDOW, box_2180).fetchone()
                bare_ms.append((time.perf_counter() - started) * 1000)
                counts.append(count)
    extra = {"parcels": ctx.parcels, "points": len(points), "windows": len(windows),
             "window_m": WINDOW_M,
             "parcels_per_window_median": sorted(counts)[len(counts) // 2] if counts else 0}
    return [
        Result("OGC API items, 1:2000 window vs bare SQL", "ms", items_ms, bare_ms,
               extra=extra, goal="p95 and ratio reported"),
        Result("ULDK GetParcelByXY vs parcel API at point", "ms", uldk_ms, api_ms,
               extra=extra, goal="p95 and ratio reported"),
    ]


def _points_2180(database: str, lonlats: list[tuple[float, float]]):
    with _connect(database) as conn:
        return [(conn.execute("SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID("
                              "ST_MakePoint(%s, %s), 4326), 2180) AS p", [lon, lat]).fetchone(),
                 (lon, lat)) for lon, lat in lonlats]


def _windows(database: str, lonlats: list[tuple[float, float]]):
    """Per point: the window in EPSG:2180 (for the SQL) and its box in WGS84 (for the API)."""
    half_w, half_h = WINDOW_M[0] / 2, WINDOW_M[1] / 2
    out = []
    with _connect(database) as conn:
        for lon, lat in lonlats:
            x, y = conn.execute("SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID("
                                "ST_MakePoint(%s, %s), 4326), 2180) AS p", [lon, lat]).fetchone()
            box = (x - half_w, y - half_h, x + half_w, y + half_h)
            wgs = conn.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                               "ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 2180), 4326) e",
                               box).fetchone()
            out.append((box, wgs))
    return out


def _uldk_path(x: float, y: float) -> str:
    return "/uldk/?" + urlencode({"request": "GetParcelByXY", "xy": f"{x:.2f},{y:.2f}",
                                  "result": "id,geom_wkt"})


def _items_path(box) -> str:
    return "/ogcapi/collections/parcels/items?" + urlencode(
        {"f": "json", "limit": ITEMS_LIMIT, "bbox": ",".join(f"{v:.7f}" for v in box)})

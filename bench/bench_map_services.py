"""Map services under load: cached tiles against a static file, cold tiles, WMS GetMap.

The stack is the production one on a loopback port: gunicorn serving geo_portal.wsgi
(gthread, as scripts/run_demo.py runs it), MapProxy inside it, MapServer rendering from
PostGIS. The data is the demo gmina with BENCH_PARCELS parcels (default 100 000) in a
database of its own, `geo_portal_bench_<parcels>`, generated once by `demo_data` and
reused by later runs.

What is measured, with the issue's goals:
- cached tile throughput: one pl1992 tile, already in MapProxy's cache, asked for N times
  by a few client threads, against the very same PNG served as a static file by the same
  server (WhiteNoise); the ratio should be at least 0.5;
- cold tile render at large scale (pl1992 level 13, about 1:1 400): tiles on distinct
  metatiles, so each one makes MapServer draw a 4x4 metatile; p95 under 250 ms;
- WMS GetMap 1024x768 of the composite planning map at 1:2 000 (MapServer draws the
  frame) and 1:10 000 (assembled from tiles), each asked for twice.

Run it as `.venv/bin/python bench/bench_map_services.py` (prints a table, writes
bench/results/map_services.json) or through the harness: `run(ctx) -> list[Result]`.
"""
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
UNIT, UNIT_NAME = "026101_1", "Legnica"
DEFAULT_URL = "postgis://postgres@127.0.0.1:55432/geo_portal"
# The pl1992 grid of mapproxy/base.yaml: origin north-west, 3125 m/px halving per level.
GRID_WEST, GRID_NORTH, GRID_RES0, TILE = 100_000, 900_000, 3125.0, 256
LARGE_SCALE_LEVEL = 13  # 0.38 m/px, about 1:1 400
META = 4  # MapProxy metatiles are 4x4 tiles


try:  # the shared harness, when it is there
    from bench.harness import Result  # type: ignore[import-not-found]
except ImportError:  # standalone: the same fields
    @dataclass
    class Result:
        name: str
        value: float
        unit: str
        goal: str = ""
        passed: bool | None = None
        detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    parcels: int = 100_000
    requests: int = 4_000  # per throughput measurement
    threads: int = 4  # client threads
    workers: int = 2  # gunicorn processes (gthread, 4 threads each)
    cold_tiles: int = 40
    getmaps: int = 30
    seed: int = 1

    @classmethod
    def from_ctx(cls, ctx) -> "Config":
        """Attributes of the harness context win over BENCH_* variables over defaults."""
        values = {}
        for name, default in asdict(cls()).items():
            raw = getattr(ctx, name, None)
            if raw is None:
                raw = os.environ.get(f"BENCH_{name.upper()}", default)
            values[name] = int(raw)
        return cls(**values)


def run(ctx=None) -> list[Result]:
    config = Config.from_ctx(ctx)
    database = bench_database(config.parcels)
    points = sample_points(database, config)
    with tempfile.TemporaryDirectory(prefix="gp-bench-") as tmp:
        work = Path(tmp)
        tile_path = tile_url("parcels", *tile_at(*points[0], LARGE_SCALE_LEVEL))
        # First start: render the tile into the cache, keep its bytes as a static file;
        # WhiteNoise reads its directory once, when the server starts.
        with Server(database, work, config) as server:
            body = server.get(tile_path)
        (work / "static" / "bench").mkdir(parents=True)
        (work / "static" / "bench" / "tile.png").write_bytes(body)
        with Server(database, work, config) as server:
            results = throughput(server, config, tile_path, "/static/bench/tile.png")
            results += cold_tiles(server, config, points[1:])
            results += getmaps(server, config, points)
    for result in results:
        result.detail.setdefault("parcels", config.parcels)
    return results


# The data ------------------------------------------------------------------------------

def bench_database(parcels: int) -> str:
    """URL of the bench database with the demo gmina of `parcels` parcels, made if needed."""
    base = urlparse(os.environ.get("DATABASE_URL", DEFAULT_URL))
    name = f"geo_portal_bench_{parcels}"
    _create_database(base, name)
    url = urlunparse(base._replace(path=f"/{name}"))
    env = {**os.environ, "DATABASE_URL": url}
    manage = [str(VENV_BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "demo_data", "--unit", UNIT, "--name", UNIT_NAME, "--parcels",
                    str(parcels), "--if-empty"], cwd=ROOT, env=env, check=True)
    return url


def _connect(url, dbname: str):
    import psycopg

    return psycopg.connect(host=url.hostname, port=url.port or 5432, dbname=dbname,
                           user=url.username or "postgres", password=url.password,
                           autocommit=True)


def _create_database(base, name: str) -> None:
    with _connect(base, "postgres") as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def sample_points(database: str, config: Config) -> list[tuple[float, float]]:
    """Points inside parcels of the town, spread over it, the same for the same data."""
    url = urlparse(database)
    with _connect(url, url.path.lstrip("/")) as conn:
        rows = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p, id "
            "FROM cadastre_sync_parcel WHERE retired_at IS NULL "
            "ORDER BY md5(id::text || %s) LIMIT %s) s",
            [str(config.seed), 20 * (config.cold_tiles + config.getmaps)]).fetchall()
    return [(x, y) for x, y in rows]


# The server ----------------------------------------------------------------------------

class Server:
    """gunicorn serving geo_portal.wsgi on a free loopback port, for one `with` block."""

    def __init__(self, database: str, work: Path, config: Config) -> None:
        self.port = _free_port()
        self.env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "0",
                    "GEO_PORTAL_VAR_DIR": str(work / "var"),
                    "MAPPROXY_CACHE_DIR": str(work / "cache"),
                    "DJANGO_STATIC_ROOT": str(work / "static"),
                    "DJANGO_LOG_LEVEL": "WARNING"}
        self.command = [str(VENV_BIN / "gunicorn"), "geo_portal.wsgi",
                        "--bind", f"127.0.0.1:{self.port}", "--workers", str(config.workers),
                        "--threads", "4", "--worker-class", "gthread", "--timeout", "120",
                        "--no-control-socket", "--log-level", "warning"]
        self.process = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/mapproxy/service?SERVICE=WMS&REQUEST=GetCapabilities")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.3)
        for _ in range(4 * self._workers()):  # every worker builds its MapProxy app
            self.get("/mapproxy/service?SERVICE=WMS&REQUEST=GetCapabilities")
        return self

    def _workers(self) -> int:
        return int(self.command[self.command.index("--workers") + 1])

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)

    def get(self, path: str) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            return _fetch(conn, path)
        finally:
            conn.close()


def _fetch(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise OSError(f"{path}: HTTP {response.status} {body[:200]!r}")
    return body


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Tiles and frames ----------------------------------------------------------------------

def tile_at(x: float, y: float, level: int) -> tuple[int, int, int]:
    size = GRID_RES0 / 2**level * TILE
    return level, int((x - GRID_WEST) / size), int((GRID_NORTH - y) / size)


def tile_url(layer: str, level: int, col: int, row: int) -> str:
    return f"/mapproxy/wmts/{layer}/pl1992/{level}/{col}/{row}.png"


def getmap_url(x: float, y: float, scale: int, layers: str) -> str:
    half_w, half_h = 512 * scale * 0.00028, 384 * scale * 0.00028
    return "/mapproxy/service?" + urlencode({
        "SERVICE": "WMS", "VERSION": "1.1.1", "REQUEST": "GetMap", "SRS": "EPSG:2180",
        "BBOX": f"{x - half_w},{y - half_h},{x + half_w},{y + half_h}", "WIDTH": 1024,
        "HEIGHT": 768, "LAYERS": layers, "STYLES": "", "FORMAT": "image/png",
        "TRANSPARENT": "true"})


# Measurements --------------------------------------------------------------------------

def load(server: Server, path: str, requests: int, threads: int) -> tuple[float, list[float]]:
    """Requests per second and latencies (s) of `requests` GETs from `threads` threads."""
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        mine = []
        try:
            for _ in range(n):
                started = time.perf_counter()
                _fetch(conn, path)
                mine.append(time.perf_counter() - started)
        except BaseException as exc:  # noqa: BLE001 - reported after the join
            errors.append(exc)
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    load_threads = [threading.Thread(target=client, args=(requests // threads,))
                    for _ in range(threads)]
    started = time.perf_counter()
    for thread in load_threads:
        thread.start()
    for thread in load_threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return len(latencies) / seconds, latencies


def throughput(server: Server, config: Config, tile: str, static: str) -> list[Result]:
    load(server, tile, 200, config.threads)  # warm both paths in every worker
    load(server, static, 200, config.threads)
    tile_rps, tile_lat = load(server, tile, config.requests, config.threads)
    static_rps, static_lat = load(server, static, config.requests, config.threads)
    ratio = tile_rps / static_rps
    detail = {"threads": config.threads, "workers": config.workers, "requests": config.requests}
    return [
        Result("cached tile throughput", round(tile_rps), "req/s",
               detail={**detail, "p50_ms": _ms(_pct(tile_lat, 50)), "path": tile}),
        Result("static file throughput", round(static_rps), "req/s",
               detail={**detail, "p50_ms": _ms(_pct(static_lat, 50)), "path": static}),
        Result("cached tile / static file", round(ratio, 2), "ratio", goal=">= 0.5",
               passed=ratio >= 0.5, detail=detail),
    ]


def cold_tiles(server: Server, config: Config, points) -> list[Result]:
    results = []
    for layer in ("parcels", "general_plan_map"):
        paths, metas = [], set()
        for x, y in points:
            level, col, row = tile_at(x, y, LARGE_SCALE_LEVEL)
            if (col // META, row // META) not in metas:  # a metatile not yet drawn
                metas.add((col // META, row // META))
                paths.append(tile_url(layer, level, col, row))
            if len(paths) == config.cold_tiles:
                break
        times = _timed(server, paths)
        p95 = _pct(times, 95)
        results.append(Result(f"cold tile render p95 ({layer}, 1:1400)", _ms(p95), "ms",
                              goal="< 250", passed=p95 < 0.25,
                              detail={"p50_ms": _ms(_pct(times, 50)), "tiles": len(times),
                                      "max_ms": _ms(max(times))}))
    return results


def getmaps(server: Server, config: Config, points) -> list[Result]:
    """1:2 000 is drawn by MapServer for the frame; 1:10 000 is assembled from tiles."""
    chosen = random.Random(config.seed).sample(points, config.getmaps)
    results = []
    for scale, how in ((2000, "drawn for the frame"), (10_000, "from tiles")):
        paths = [getmap_url(x, y, scale, "general_plan_map") for x, y in chosen]
        for attempt in ("first", "again"):
            times = _timed(server, paths)
            results.append(Result(
                f"WMS GetMap 1024x768 p95 (general_plan_map 1:{scale}, {how}, {attempt})",
                _ms(_pct(times, 95)), "ms",
                detail={"p50_ms": _ms(_pct(times, 50)), "requests": len(times)}))
    return results


def _timed(server: Server, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        started = time.perf_counter()
        server.get(path)
        times.append(time.perf_counter() - started)
    return times


def _pct(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def main() -> None:
    results = run()
    for r in results:
        verdict = "" if r.passed is None else ("  ok" if r.passed else "  MISSED")
        goal = f" (goal {r.goal})" if r.goal else ""
        print(f"{r.name:<70} {r.value:>10} {r.unit}{goal}{verdict}")
    out = ROOT / "bench" / "results" / "map_services.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
    print(f"written {out}")


if __name__ == "__main__":
    main()

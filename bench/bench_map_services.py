"""Map services under load: cached tiles against a static file, cold tiles, WMS GetMap.

The stack is the production one on a loopback port: gunicorn serving geo_portal.wsgi
(gthread, as scripts/run_demo.py runs it), MapProxy inside it, MapServer rendering from
PostGIS. The data is the demo gmina with ctx.parcels parcels (BENCH_PARCELS) in a
database of its own, `<ctx.database>_<parcels>`, generated once by `demo_data` and
reused by later runs (the harness's own database is left to the other benchmarks).

What is measured, with the issue's goals:
- cached tile throughput: one pl1992 tile, already in MapProxy's cache, asked for
  BENCH_REQUESTS times per round by BENCH_THREADS client threads, interleaved block by
  block within each round with the very same PNG served as a static file by the same
  server (WhiteNoise), the baseline; samples are req/s per round (ctx.repeat rounds),
  and the per-request latencies of the same rounds are a second result; the ratio
  should be at least 0.8;
- cold tile render at large scale (pl1992 level 13, about 1:1 400): BENCH_COLD_TILES tiles
  on distinct metatiles, so each one makes MapServer draw a metatile, asked by
  BENCH_CLIENTS (8) clients at once; samples are ms per tile. The baseline is the same
  tiles drawn by mapserv run as a CGI per metatile (MAPSERVER_PROCESSES=0, as before
  MapServer was kept warm) on a second server with a cache of its own: the tiles are
  split in two halves, each server draws one half then the other, so both draw every
  tile cold and neither always goes first; p95 under 250 ms. The CPU the warm server's
  web workers, mapserv processes and database backends spent per cold tile is given
  with it (`cpu ms per cold tile`, from /proc: the stages of a tile's cost);
- WMS GetMap 1024x768 of the composite planning map at 1:2 000 (MapServer draws the
  frame) and 1:10 000 (assembled from tiles): BENCH_GETMAPS frames, a first pass and
  max(1, ctx.repeat - 1) passes again; samples are ms per request, p95 reported.

Run through the harness: `.venv/bin/python bench/run.py map_services`.
"""
import http.client
import os
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

from harness import Context, Result

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
UNIT, UNIT_NAME = "026101_1", "Legnica"
DEFAULT_URL = "postgis://postgres@127.0.0.1:55432/geo_portal"
# The pl1992 grid of mapproxy/base.yaml: origin north-west, 3125 m/px halving per level.
GRID_WEST, GRID_NORTH, GRID_RES0, TILE = 100_000, 900_000, 3125.0, 256
LARGE_SCALE_LEVEL = 13  # 0.38 m/px, about 1:1 400
META = 4  # tiles on distinct 4x4 blocks lie on distinct (2x2) MapProxy metatiles
STATIC_PATH = "/static/bench/tile.png"


@dataclass(frozen=True)
class Knobs:
    """What the harness context does not say: BENCH_<NAME> variables, else these defaults."""

    requests: int = 1_000  # per throughput round, for the tile and for the static file
    threads: int = 4  # client threads
    workers: int = 2  # gunicorn processes (gthread, 4 threads each)
    cold_tiles: int = 40  # per layer
    clients: int = 8  # clients asking for cold tiles at once
    getmaps: int = 30  # frames per scale
    seed: int = 1

    @classmethod
    def from_env(cls) -> "Knobs":
        return cls(**{name: int(os.environ.get(f"BENCH_{name.upper()}", default))
                      for name, default in asdict(cls()).items()})


def run(ctx: Context) -> list[Result]:
    knobs = Knobs.from_env()
    database = bench_database(ctx)
    points = sample_points(database, knobs)
    with tempfile.TemporaryDirectory(prefix="gp-bench-") as tmp:
        work = Path(tmp)
        tile = tile_at(*points[0], LARGE_SCALE_LEVEL)
        tile_path = tile_url("parcels", *tile)
        # First start: render the tile into the cache, keep its bytes as a static file;
        # WhiteNoise reads its directory once, when the server starts.
        static = work / "static" / "bench"
        static.mkdir(parents=True)
        (work / "cgi" / "static").mkdir(parents=True)  # the CGI baseline's (none served)
        with Server(database, work, knobs) as server:
            body = server.get(tile_path)
        (static / "tile.png").write_bytes(body)
        with Server(database, work, knobs) as server, \
                Server(database, work / "cgi", knobs, MAPSERVER_PROCESSES="0") as cgi:
            results = throughput(server, ctx, knobs, tile_path, STATIC_PATH)
            results += cold_tiles(server, knobs, points[1:], skip=_meta(tile), cgi=cgi)
            results += getmaps(server, ctx, knobs, points)
    for result in results:
        result.extra.setdefault("knobs", asdict(knobs))
    return results


# The data ------------------------------------------------------------------------------

def bench_database(ctx: Context) -> str:
    """URL of the bench database with the demo gmina of ctx.parcels parcels, made if needed."""
    base = urlparse(os.environ.get("DATABASE_URL", DEFAULT_URL))
    name = f"{ctx.database}_{ctx.parcels}"
    _create_database(base, name)
    url = urlunparse(base._replace(path=f"/{name}"))
    env = {**os.environ, "DATABASE_URL": url}
    manage = [str(VENV_BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "demo_data", "--unit", UNIT, "--name", UNIT_NAME, "--parcels",
                    str(ctx.parcels), "--if-empty"], cwd=ROOT, env=env, check=True)
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


def sample_points(database: str, knobs: Knobs) -> list[tuple[float, float]]:
    """Points inside parcels of the town, spread over it, the same for the same data."""
    url = urlparse(database)
    with _connect(url, url.path.lstrip("/")) as conn:
        rows = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p, id "
            "FROM cadastre_sync_parcel WHERE retired_at IS NULL "
            "ORDER BY md5(id::text || %s) LIMIT %s) s",
            [str(knobs.seed), 20 * (knobs.cold_tiles + knobs.getmaps)]).fetchall()
    return [(x, y) for x, y in rows]


# The server ----------------------------------------------------------------------------

class Server:
    """gunicorn serving geo_portal.wsgi on a free loopback port, for one `with` block."""

    def __init__(self, database: str, work: Path, knobs: Knobs, **env: str) -> None:
        self.port = _free_port()
        self.env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "0",
                    "GEO_PORTAL_VAR_DIR": str(work / "var"),
                    "MAPPROXY_CACHE_DIR": str(work / "cache"),
                    "DJANGO_STATIC_ROOT": str(work / "static"),
                    "DJANGO_LOG_LEVEL": "WARNING", **env}
        self.command = [str(VENV_BIN / "gunicorn"), "geo_portal.wsgi",
                        "--bind", f"127.0.0.1:{self.port}", "--workers", str(knobs.workers),
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


# Each round is split into blocks, tile and static file alternating (A B B A ...): on a
# machine whose load drifts over seconds, both see the same load, block by block.
THROUGHPUT_BLOCKS = 4


def throughput(server: Server, ctx: Context, knobs: Knobs, tile: str,
               static: str) -> list[Result]:
    """ctx.repeat rounds of knobs.requests requests for the tile and as many for the static
    file, in THROUGHPUT_BLOCKS alternating blocks each; a sample is one round's req/s."""
    load(server, tile, 200, knobs.threads)  # warm both paths in every worker
    load(server, static, 200, knobs.threads)
    tile_rps, static_rps, tile_ms, static_ms = [], [], [], []
    block = max(knobs.threads, knobs.requests // THROUGHPUT_BLOCKS)
    for round_ in range(ctx.repeat):
        took = {tile: 0.0, static: 0.0}
        answered = {tile: 0, static: 0}
        for index in range(2 * THROUGHPUT_BLOCKS):
            first, second = (tile, static) if (round_ + index // 2) % 2 == 0 else (static, tile)
            path = first if index % 2 == 0 else second
            per_second, latencies = load(server, path, block, knobs.threads)
            took[path] += len(latencies) / per_second
            answered[path] += len(latencies)
            (tile_ms if path == tile else static_ms).extend(_ms(s) for s in latencies)
        tile_rps.append(answered[tile] / took[tile])
        static_rps.append(answered[static] / took[static])
    extra = {"tile": tile, "baseline": f"{static} (the same PNG, WhiteNoise)",
             "rounds": ctx.repeat, "blocks per round": THROUGHPUT_BLOCKS,
             "server": "the same gunicorn and middleware for both; the tile's file is found "
                       "and read per request, WhiteNoise's is known at start"}
    return [
        Result("map cached tile throughput", "req/s", tile_rps, static_rps, extra=extra,
               goal=">= 0.8x static file"),
        Result("map cached tile latency", "ms", tile_ms, static_ms, extra=extra),
    ]


def cold_tiles(server: Server, knobs: Knobs, points, skip: tuple[int, int],
               cgi: Server | None = None) -> list[Result]:
    """Tiles on metatiles not drawn yet (not `skip`'s), knobs.clients at a time; the baseline
    is the same tiles drawn cold by `cgi` (interleaved by halves), or without `cgi` the
    same tiles asked again from the cache."""
    results = []
    for layer in ("parcels", "general_plan_map"):
        paths, metas = [], {skip}
        for x, y in points:
            tile = tile_at(x, y, LARGE_SCALE_LEVEL)
            if _meta(tile) not in metas:
                metas.add(_meta(tile))
                paths.append(tile_url(layer, *tile))
            if len(paths) == knobs.cold_tiles:
                break
        extra = {"level": LARGE_SCALE_LEVEL, "tiles": len(paths), "clients": knobs.clients}
        cpu = CpuMeter(server)
        if cgi is None:
            with cpu:
                cold = _timed_at_once(server, paths, knobs.clients)
            base = _timed_at_once(server, paths, knobs.clients)
            extra["baseline"] = "the same tiles again, from the cache"
        else:
            half = len(paths) // 2
            first, second = paths[:half], paths[half:]
            with cpu:
                cold = _timed_at_once(server, first, knobs.clients)
            base = _timed_at_once(cgi, second, knobs.clients)
            base += _timed_at_once(cgi, first, knobs.clients)
            with cpu:
                cold += _timed_at_once(server, second, knobs.clients)
            extra["baseline"] = "the same tiles drawn cold by mapserv as a CGI per metatile"
        extra["cpu ms per cold tile"] = cpu.per(len(paths))
        results.append(Result(f"map cold tile {layer} 1:1400", "ms", cold, base, extra=extra,
                              goal="p95 < 250 ms"))
    return results


class CpuMeter:
    """CPU time spent while inside `with` blocks by the server's processes (web workers,
    and the warm mapserv processes they started) and by the database's backends serving
    the bench database, read from Linux's /proc (user and system time of every thread):
    what a cold tile costs in each stage, whatever else the machine runs. Empty where
    /proc is not."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.spent = {"web": 0.0, "mapserv": 0.0, "postgres": 0.0}
        self._start: dict[int, tuple[str, float]] = {}

    def __enter__(self) -> "CpuMeter":
        self._start = self._sample()
        return self

    def __exit__(self, *exc) -> None:
        for pid, (stage, seconds) in self._sample().items():
            before = self._start.get(pid)
            self.spent[stage] += seconds - (before[1] if before and before[0] == stage else 0)

    def per(self, tiles: int) -> dict[str, float]:
        if not Path("/proc/self/stat").exists():
            return {}
        return {stage: round(seconds * 1000 / max(tiles, 1), 1)
                for stage, seconds in self.spent.items()}

    def _sample(self) -> dict[int, tuple[str, float]]:
        if not Path("/proc/self/stat").exists():
            return {}
        parents, names, seconds = {}, {}, {}
        tick = os.sysconf("SC_CLK_TCK")
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                fields = stat[stat.rindex(")") + 2:].split()
                names[int(entry.name)] = stat[stat.index("(") + 1:stat.rindex(")")]
                parents[int(entry.name)] = int(fields[1])
                seconds[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
        tree, stages = {self.server.process.pid}, {}
        for _ in range(4):  # gunicorn, its workers, the watchdog shells, mapserv
            tree |= {pid for pid, parent in parents.items() if parent in tree}
        for pid in tree:
            stages[pid] = "mapserv" if names.get(pid) == "mapserv" else "web"
        for pid in self._backends():
            stages[pid] = "postgres"
        return {pid: (stage, seconds[pid]) for pid, stage in stages.items() if pid in seconds}

    def _backends(self) -> list[int]:
        url = urlparse(self.server.env["DATABASE_URL"])
        try:
            with _connect(url, url.path.lstrip("/")) as conn:
                rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = "
                                    "current_database() AND pid <> pg_backend_pid()").fetchall()
        except Exception:  # noqa: BLE001 - a figure left out, never the benchmark
            return []
        return [pid for (pid,) in rows]


def _timed_at_once(server: Server, paths: list[str], clients: int) -> list[float]:
    """Milliseconds of each GET, `clients` client threads taking the next path in turn."""
    todo = iter(paths)
    lock = threading.Lock()
    times: list[float] = []
    errors: list[BaseException] = []

    def client() -> None:
        while True:
            with lock:
                path = next(todo, None)
            if path is None:
                return
            started = time.perf_counter()
            try:
                server.get(path)
            except BaseException as exc:  # noqa: BLE001 - reported after the join
                errors.append(exc)
                return
            with lock:
                times.append(_ms(time.perf_counter() - started))

    threads = [threading.Thread(target=client) for _ in range(max(1, clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return times


def getmaps(server: Server, ctx: Context, knobs: Knobs, points) -> list[Result]:
    """1:2 000 is drawn by MapServer for the frame; 1:10 000 is assembled from tiles."""
    chosen = random.Random(knobs.seed).sample(points, knobs.getmaps)
    results = []
    for scale, how in ((2000, "drawn"), (10_000, "from tiles")):
        paths = [getmap_url(x, y, scale, "general_plan_map") for x, y in chosen]
        first = _timed(server, paths)
        again = [ms for _ in range(max(1, ctx.repeat - 1)) for ms in _timed(server, paths)]
        extra = {"layers": "general_plan_map", "size": "1024x768", "frames": len(paths)}
        results += [
            Result(f"map GetMap 1:{scale} {how}, first", "ms", first, extra=extra),
            Result(f"map GetMap 1:{scale} {how}, again", "ms", again,
                   extra={**extra, "passes": max(1, ctx.repeat - 1)}),
        ]
    return results


def _meta(tile: tuple[int, int, int]) -> tuple[int, int]:
    _, col, row = tile
    return col // META, row // META


def _timed(server: Server, paths: list[str]) -> list[float]:
    """Milliseconds of each GET, one after the other."""
    times = []
    for path in paths:
        started = time.perf_counter()
        server.get(path)
        times.append(_ms(time.perf_counter() - started))
    return times


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


if __name__ == "__main__":
    import sys

    import run as harness_run

    sys.exit(harness_run.main(["map_services"]))

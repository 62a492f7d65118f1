"""The parcel API of the resident's map: parcel at a point against the bare SQL, and search.

The stack is the production one on a loopback port: gunicorn serving geo_portal.wsgi
(gthread, keep-alive), the client on one persistent HTTP connection, as a browser's
fetch() would be. The data is the demo gmina with ctx.parcels parcels (BENCH_SCALE_PARCELS) in
the database `<ctx.database>_<parcels>`, generated once by `demo_data` and shared with
the map services benchmark.

What is measured, with the issue's goals:
- parcel at a point: GET /api/parcels/at/?lon=..&lat=.. for BENCH_POINTS points inside
  parcels (spread over the town, the same ones every run), interleaved point by point
  with the bare SQL that answers the same question (the parcel row and its geometry as
  GeoJSON in WGS84, through the same GiST index) on a psycopg connection; samples in ms;
  the goal is p95 under 20 ms and median(API) / median(SQL) under 3;
- search: GET /api/parcels/search/?q=.. for a mix of what residents type (precinct name
  and number, a number alone, a full id, a near miss, a precinct name, a street and house
  number); samples in ms, p95 reported.

Run through the harness: `.venv/bin/python bench/run.py parcel_api`.
"""
import http.client
import os
import random
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

from harness import Context, Result

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
UNIT, UNIT_NAME = "026101_1", "Legnica"
DEFAULT_URL = "postgis://postgres@127.0.0.1:55432/geo_portal"

BARE_AT_POINT = """
SELECT p.parcel_id, p.number, p.registered_area_ha, pr.number, pr.name, u.teryt, u.name,
       ST_AsGeoJSON(ST_Transform(p.geom, 4326), 7)
FROM cadastre_sync_parcel p
JOIN cadastre_sync_precinct pr ON pr.id = p.precinct_id
JOIN core_administrativeunit u ON u.id = p.unit_id
WHERE p.retired_at IS NULL
  AND ST_Intersects(p.geom, ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 2180))
ORDER BY p.id LIMIT 1
"""


@dataclass(frozen=True)
class Knobs:
    """BENCH_<NAME> variables, else these defaults."""

    points: int = 400  # at-point requests per round (and as many bare queries)
    searches: int = 200  # search requests per round
    seed: int = 1

    @classmethod
    def from_env(cls) -> "Knobs":
        return cls(**{name: int(os.environ.get(f"BENCH_{name.upper()}", default))
                      for name, default in asdict(cls()).items()})


def run(ctx: Context) -> list[Result]:
    ctx = ctx.at_scale()
    knobs = Knobs.from_env()
    database = bench_database(ctx)
    points = sample_points(database, knobs.points, knobs.seed)
    queries = search_queries(database, knobs.searches, knobs.seed)
    at_ms, sql_ms, search_ms = [], [], []
    with tempfile.TemporaryDirectory(prefix="gp-bench-api-") as tmp, \
            Server(database, Path(tmp)) as server, _connect(database) as conn:
        warm(server, conn, points[:20])
        for _ in range(ctx.repeat):
            for lon, lat in points:
                at_ms.append(server.timed_get(_at_path(lon, lat)))
                sql_ms.append(_timed_sql(conn, lon, lat))
            search_ms += [server.timed_get(_search_path(q)) for q in queries]
    extra = {"knobs": asdict(knobs), "points": len(points), "parcels": ctx.parcels}
    return [
        Result("parcel API at point vs bare SQL", "ms", at_ms, sql_ms, extra=extra,
               goal="p95 < 20 ms, ratio < 3"),
        Result("parcel API search", "ms", search_ms, extra={**extra, "queries": len(queries)},
               goal="p95 reported"),
    ]


# The data ------------------------------------------------------------------------------

def bench_database(ctx: Context) -> str:
    """URL of the bench database with the demo gmina of ctx.parcels parcels, made if needed."""
    base = urlparse(os.environ.get("DATABASE_URL", DEFAULT_URL))
    name = f"{ctx.database}_{ctx.parcels}"
    with _connect(urlunparse(base._replace(path="/postgres"))) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunparse(base._replace(path=f"/{name}"))
    env = {**os.environ, "DATABASE_URL": url}
    manage = [str(VENV_BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "demo_data", "--unit", UNIT, "--name", UNIT_NAME, "--parcels",
                    str(ctx.parcels), "--if-empty"], cwd=ROOT, env=env, check=True)
    return url


def _connect(url: str):
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(host=parsed.hostname, port=parsed.port or 5432,
                           dbname=parsed.path.lstrip("/"), user=parsed.username or "postgres",
                           password=parsed.password, autocommit=True)


def sample_points(database: str, count: int, seed: int) -> list[tuple[float, float]]:
    """WGS84 points inside current parcels, spread over the town, the same for the same data."""
    with _connect(database) as conn:
        rows = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 4326) "
            "AS p FROM cadastre_sync_parcel WHERE retired_at IS NULL "
            "ORDER BY md5(id::text || %s) LIMIT %s) s", [str(seed), count]).fetchall()
    return [(x, y) for x, y in rows]


def search_queries(database: str, count: int, seed: int) -> list[str]:
    """What residents type, in equal parts: precinct and number, number alone, full id, a near
    miss (a number that is not there), a precinct name, a street and house number."""
    with _connect(database) as conn:
        parcels = conn.execute(
            "SELECT p.parcel_id, p.number, pr.name FROM cadastre_sync_parcel p "
            "JOIN cadastre_sync_precinct pr ON pr.id = p.precinct_id "
            "WHERE p.retired_at IS NULL ORDER BY md5(p.id::text || %s) LIMIT %s",
            [str(seed), count]).fetchall()
        addresses = conn.execute(
            "SELECT street, house_number FROM cadastre_sync_address WHERE street <> '' "
            "ORDER BY md5(id::text || %s) LIMIT %s", [str(seed), count]).fetchall()
    rng = random.Random(seed)
    makers = [
        lambda p, a: f"{p[2]} {p[1]}",
        lambda p, a: p[1],
        lambda p, a: p[0],
        lambda p, a: f"{p[2]} {p[1].split('/')[0]}/{rng.randint(50, 99)}",
        lambda p, a: p[2][:5],
        lambda p, a: f"{a[0]} {a[1]}",
    ]
    return [makers[i % len(makers)](parcels[i % len(parcels)], addresses[i % len(addresses)])
            for i in range(count)]


def warm(server: "Server", conn, points) -> None:
    for lon, lat in points:
        server.timed_get(_at_path(lon, lat))
        _timed_sql(conn, lon, lat)


def _at_path(lon: float, lat: float) -> str:
    return "/api/parcels/at/?" + urlencode({"lon": f"{lon:.7f}", "lat": f"{lat:.7f}"})


def _search_path(query: str) -> str:
    return "/api/parcels/search/?" + urlencode({"q": query})


def _timed_sql(conn, lon: float, lat: float) -> float:
    started = time.perf_counter()
    row = conn.execute(BARE_AT_POINT, [lon, lat]).fetchone()
    elapsed = (time.perf_counter() - started) * 1000
    if row is None:
        raise RuntimeError(f"bare SQL found no parcel at {lon}, {lat}")
    return elapsed


# The server ----------------------------------------------------------------------------

class Server:
    """gunicorn serving geo_portal.wsgi on a free loopback port; one keep-alive connection."""

    def __init__(self, database: str, work: Path) -> None:
        self.port = _free_port()
        self.env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "0",
                    "GEO_PORTAL_VAR_DIR": str(work / "var"),
                    "DJANGO_STATIC_ROOT": str(work / "static"), "DJANGO_LOG_LEVEL": "ERROR"}
        self.command = [str(VENV_BIN / "gunicorn"), "geo_portal.wsgi",
                        "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                        "--threads", "2", "--worker-class", "gthread", "--keep-alive", "30",
                        "--timeout", "120", "--no-control-socket", "--log-level", "warning"]
        self.process = None
        self.conn = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.timed_get("/api/parcels/search/?q=1")
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        if self.conn is not None:
            self.conn.close()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)

    def timed_get(self, path: str) -> float:
        """Milliseconds from sending the request to having read the whole answer."""
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Accept": "application/json"})
        response = self.conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise OSError(f"{path}: HTTP {response.status} {body[:200]!r}")
        return elapsed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

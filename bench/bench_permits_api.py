"""Application submissions through the JSON API under load, and exactly-once storage.

The production stack on a loopback port: gunicorn (2 gthread workers × 10 threads) serving
geo_portal.wsgi; BENCH_CLIENTS (20) concurrent clients, each a resident with an API token
and a keep-alive connection, each POSTing /wnioski/api/applications/ with submit=true (a
tree-removal permit for a parcel of the demo gmina: draft, PostGIS check of the tree's
place, fee, case number, SHA-256 digest, PDF, event, e-mail after commit) for
BENCH_SECONDS (10) seconds per round, ctx.repeat rounds.

- sustained submissions per second (one sample per round), and latency in ms of every
  accepted submission with its p95; the baseline, measured in the same run by the same
  clients between rounds: GET /wnioski/api/kinds/ (the API's fixed cost: auth, routing,
  one query, JSON);
- after the run: every submission answered 201 is stored exactly once (its client key is in
  exactly one application, which is submitted and has its event), nothing answered with an
  error is stored, and the case numbers of the run are unique: lost = 0, duplicated = 0.

Run through the harness: `.venv/bin/python bench/run.py permits_api`.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from harness import Context, Result

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
UNIT, UNIT_NAME = "026101_1", "Legnica"


def run(ctx: Context) -> list[Result]:
    from django.core.management import call_command

    call_command("demo_data", unit=UNIT, name=UNIT_NAME, parcels=ctx.parcels, if_empty=True,
                 verbosity=0)
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    run_id = uuid.uuid4().hex[:12]
    tokens, parcels, species = _setup(clients)
    rates, latencies, baseline, accepted, refused = [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="gp-bench-permits-") as tmp, \
            Server(Path(tmp), threads=clients // 2) as server:
        for round_no in range(ctx.repeat):
            baseline += _load(server, tokens, seconds / 4, lambda i, n: ("GET", _KINDS, None))
            body = _submission(run_id, round_no, parcels, species)
            started = time.perf_counter()
            samples = _load(server, tokens, seconds, body, keep=accepted, errors=refused)
            rates.append(len(samples) / (time.perf_counter() - started))
            latencies += samples
    check = _exactly_once(run_id, accepted, refused)
    _forget(run_id)
    extra = {"clients": clients, "seconds_per_round": seconds, "accepted": len(accepted),
             "refused": len(refused), **check}
    if check["lost"] or check["duplicated"] or check["stored_after_error"]:
        raise RuntimeError(f"submissions not stored exactly once: {check}")
    return [
        Result("permit submissions via API, 20 clients", "req/s", rates, extra=extra,
               goal="sustained rate reported; lost = duplicated = 0"),
        Result("permit submission latency vs GET kinds", "ms", latencies, baseline,
               extra=extra, goal="p95 reported"),
    ]


_KINDS = f"/wnioski/api/kinds/?unit={UNIT}"


def _setup(clients: int):
    """Residents with tokens, tree removal offered, parcels with a point inside each."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from core.models import AdministrativeUnit
    from core.services import api_token_create
    from permits.models import KindSetting
    from permits.trees.models import Species

    unit = AdministrativeUnit.objects.get(teryt=UNIT)
    KindSetting.objects.update_or_create(unit=unit, kind="trees",
                                         defaults={"enabled": True, "case_prefix": "BENCH"})
    tokens = []
    for i in range(clients):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-resident-{i}")
        tokens.append(api_token_create(user=user, name="bench")[1])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parcel_id, ST_X(p), ST_Y(p) FROM (SELECT parcel_id, ST_PointOnSurface(geom) "
            "AS p FROM cadastre_sync_parcel WHERE retired_at IS NULL AND unit_id = %s "
            "ORDER BY md5(id::text) LIMIT 500) s", [unit.pk])
        parcels = cursor.fetchall()
    return tokens, parcels, Species.objects.get(latin_name="Tilia").pk


def _submission(run_id: str, round_no: int, parcels, species: int):
    def make(client: int, n: int):
        parcel_id, x, y = parcels[(client * 7919 + n) % len(parcels)]
        key = f"{run_id}-{round_no}-{client}-{n}"
        content = {"applicant_name": f"Bench {client}", "applicant_address": "ul. Testowa 1",
                   "natural_person": False, "own_land": False, "business": True,
                   "reason": key, "trees": [{"species": species, "x": x, "y": y,
                                             "circumference_5cm": 140, "stems_130cm": [120]}]}
        body = {"kind": "trees", "parcels": [parcel_id], "submit": True, "content": content}
        return "POST", "/wnioski/api/applications/", (key, json.dumps(body))
    return make


def _load(server, tokens, seconds: float, make, keep=None, errors=None) -> list[float]:
    """Each client sends back to back until the time is up; latencies (ms) of successes."""
    samples: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        headers = {"Authorization": f"Bearer {tokens[i]}", "Accept": "application/json",
                   "Content-Type": "application/json"}
        n = 0
        while time.perf_counter() < stop:
            method, path, payload = make(i, n)
            key, body = payload if payload else (None, None)
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if response.status in (200, 201):
                    samples.append(elapsed)
                    if keep is not None:
                        keep.append((key, json.loads(data)["id"]))
                elif errors is not None:
                    errors.append((key, response.status, data[:200]))
            n += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def _exactly_once(run_id: str, accepted, refused) -> dict:
    from django.db.models import Count

    from permits.models import Application

    stored = (Application.objects.filter(payload__reason__startswith=run_id)
              .values("payload__reason").annotate(n=Count("id")))
    by_key = {row["payload__reason"]: row["n"] for row in stored}
    ids = {pk for _key, pk in accepted}
    ok = Application.objects.filter(pk__in=ids, state="submitted", events__action="submit")
    numbers = list(Application.objects.filter(payload__reason__startswith=run_id)
                   .values_list("case_number", flat=True))
    return {
        "lost": sum(1 for key, _pk in accepted if by_key.get(key, 0) == 0)
        + (len(ids) - ok.count()),
        "duplicated": sum(n - 1 for n in by_key.values() if n > 1)
        + (len(numbers) - len(set(numbers))),
        "stored_after_error": sum(1 for key, *_ in refused if key and by_key.get(key)),
    }


def _forget(run_id: str) -> None:
    """The run's applications deleted once counted: they hold the demo gmina's parcels, and
    the benchmarks that generate it again (cache_refresh, demo_data, reconcile) replace it."""
    from permits.models import Application

    Application.objects.filter(payload__reason__startswith=run_id).delete()


class Server:
    """gunicorn serving geo_portal.wsgi on a free loopback port."""

    def __init__(self, work: Path, threads: int) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.env = {**os.environ, "DJANGO_DEBUG": "0", "GEO_PORTAL_VAR_DIR": str(work / "var"),
                    "DJANGO_MEDIA_ROOT": str(work / "media"),
                    "DJANGO_STATIC_ROOT": str(work / "static"), "DJANGO_LOG_LEVEL": "ERROR",
                    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        self.command = [str(VENV_BIN / "gunicorn"), "geo_portal.wsgi", "--bind",
                        f"127.0.0.1:{self.port}", "--workers", "2", "--threads", str(threads),
                        "--worker-class", "gthread", "--keep-alive", "30", "--timeout", "120",
                        "--no-control-socket", "--log-level", "warning"]
        self.process = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", _KINDS)
                conn.getresponse().read()
                conn.close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)

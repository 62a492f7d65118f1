"""Cadastre import: a generated EGiB GML 2021 export against ogr2ogr loading the same file.

What is measured, with the issue's goals:
- wall time of `manage.py import_cadastre` on a generated export of BENCH_PARCELS parcels
  (default 100 000; with land-use pieces, buildings, register units, owners, shares,
  label and boundary-point objects, archived versions), into an empty cadastre;
- wall time of `ogr2ogr -f PostgreSQL` loading the same file into PostGIS (every layer,
  COPY, the GML schema scan included: the .gfs it writes is removed before each run);
  the ratio ours / ogr2ogr should be at most 1.5, while ours also validates, keeps
  versions and resolves references;
- peak RSS of the importing process (the largest of it and its reader processes)
  at two file sizes (BENCH_PARCELS / 4 and BENCH_PARCELS): memory must stay flat as
  the file grows;
- re-importing the unchanged file (everything "unchanged"), for information.

Run it with `make bench` or `.venv/bin/python bench/run.py cadastre_import`.
The runs of the two contenders alternate, so both see the same machine load. The
generated files are kept in var/bench/ and reused; the database is
`geo_portal_bench_import`, recreated empty for each run.
"""
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".venv" / "bin" / "python"
DEFAULT_URL = "postgis://postgres@127.0.0.1:55432/geo_portal"
DATABASE = "geo_portal_bench_import"
UNIT, UNIT_NAME = "026101_1", "Legnica"
GENERATOR_VERSION = 1  # bump when the generated file changes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Result  # noqa: E402


@dataclass(frozen=True)
class Config:
    parcels: int = 100_000
    repeat: int = 3
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
    small, large = (export_file(n, config.seed) for n in (config.parcels // 4, config.parcels))
    url = bench_database()
    ours, theirs, reimport, phases, rss = [], [], [], [], {}
    for _ in range(config.repeat):  # interleaved, so both see the same machine load
        reset(url)
        seconds, peak = import_once(url, large)
        ours.append(seconds)
        phases.append(last_phases(url))
        rss[config.parcels] = max(rss.get(config.parcels, 0), peak)
        reimport.append(import_once(url, large)[0])
        theirs.append(ogr2ogr_once(url, large))
    reset(url)
    rss[config.parcels // 4] = import_once(url, small)[1]
    return results(config, large, ours, theirs, reimport, rss, phases)


def results(config: Config, path: Path, ours: list[float], theirs: list[float],
            reimport: list[float], rss: dict[int, int], phases: list[dict]) -> list[Result]:
    """Raw samples for the harness, which computes medians, p95 and ratios."""
    small_n, large_n = sorted(rss)
    extra = {"parcels": config.parcels, "file_mb": round(path.stat().st_size / 2**20, 1),
             "phases": phases}
    return [
        Result("cadastre import (EGiB GML 2021) vs ogr2ogr", "s", ours, theirs,
               extra=extra, goal="ratio <= 1.5 (ours validates, versions, resolves links)"),
        Result("cadastre re-import, unchanged", "s", reimport, extra=extra),
        Result(f"cadastre import peak RSS, {large_n} vs {small_n} parcels", "MB",
               [rss[large_n] / 1024], [rss[small_n] / 1024], extra=extra,
               goal="flat in file size (x4 file: ratio <= 1.25)"),
    ]


def _psql(url, database: str, sql: str) -> None:
    parts = urlparse(url)
    subprocess.run(["psql", "-q", "-h", parts.hostname, "-p", str(parts.port or 5432),
                    "-U", parts.username or "postgres", "-d", database, "-v",
                    "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


def bench_database() -> str:
    base = os.environ.get("DATABASE_URL", DEFAULT_URL)
    url = urlunparse(urlparse(base)._replace(path=f"/{DATABASE}"))
    _psql(base, "postgres", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _psql(base, "postgres", f"CREATE DATABASE {DATABASE}")
    manage(url, "migrate", "--no-input", "-v", "0")
    unit_ensure(url, UNIT, UNIT_NAME)
    return url


def unit_ensure(url: str, teryt: str, name: str) -> None:
    """The unit the file is imported into, created when the database lacks it."""
    manage(url, "shell", "-c", "from core.models import AdministrativeUnit; "
           "from core.services import unit_create; "
           f"AdministrativeUnit.objects.filter(teryt='{teryt}').exists() or "
           f"unit_create(teryt='{teryt}', name='{name}')")


def _database(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def last_phases(url: str) -> dict:
    """Seconds per step of the last import, as its job row recorded them."""
    parts = urlparse(url)
    out = subprocess.run(["psql", "-Atq", "-h", parts.hostname, "-p", str(parts.port or 5432),
                          "-U", parts.username or "postgres", "-d", _database(url), "-c",
                          "SELECT counts->'phases' FROM cadastre_sync_cadastreimport "
                          "ORDER BY id DESC LIMIT 1"], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout or "{}")


def manage(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([str(VENV_PY), "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)


def reset(url: str) -> None:
    """An empty cadastre (the unit stays)."""
    _psql(url, _database(url), "TRUNCATE cadastre_sync_parcel, cadastre_sync_precinct, "
          "cadastre_sync_building, cadastre_sync_registerunit, cadastre_sync_owner, "
          "cadastre_sync_cadastreimport CASCADE")
    _psql(url, _database(url), "DROP SCHEMA IF EXISTS ogr CASCADE")
    _psql(url, _database(url), "VACUUM ANALYZE")


# The two contenders ---------------------------------------------------------------------

def import_once(url: str, path: Path, unit: str = UNIT,
                dry_run: bool = False) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one `manage.py import_cadastre` process."""
    env = {**os.environ, "DATABASE_URL": url}
    command = [str(VENV_PY), "manage.py", "import_cadastre", str(path), "--unit", unit,
               *(["--dry-run"] if dry_run else [])]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage: its peak RSS
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            out.seek(0)
            raise RuntimeError(f"import failed: {out.read().decode()[-3000:]}")
    return seconds, usage.ru_maxrss


def ogr2ogr_once(url: str, path: Path) -> float:
    path.with_suffix(".gfs").unlink(missing_ok=True)
    parts = urlparse(url)
    target = (f"PG:host={parts.hostname} port={parts.port or 5432} dbname={_database(url)} "
              f"user={parts.username or 'postgres'}")
    ogr_schema_drop(url)
    _psql(url, _database(url), "CREATE SCHEMA ogr")
    started = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", target, str(path), "-lco", "SCHEMA=ogr",
                    "-overwrite", "--config", "PG_USE_COPY", "YES"], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def ogr_schema_drop(url: str) -> None:
    _psql(url, _database(url), "DROP SCHEMA IF EXISTS ogr CASCADE")


# The generated export -------------------------------------------------------------------

def export_file(parcels: int, seed: int, unit: str = UNIT) -> Path:
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    whose = "" if unit == UNIT else f"_{unit}"
    path = folder / f"egib2021_{parcels}_s{seed}_v{GENERATOR_VERSION}{whose}.gml"
    if not path.exists():
        partial = path.with_suffix(".part")
        with partial.open("w", encoding="utf-8") as out:
            for chunk in ExportWriter(parcels, seed, unit).chunks():
                out.write(chunk)
        partial.rename(path)
    return path


class ExportWriter:
    """A plausible county export of one gmina, written feature by feature.

    Parcels are 20 x 40 m strips with 9 vertices in a grid of precincts of 1 000
    parcels, in PL-2000 zone 5 near Legnica, northing first. Every parcel has one or
    two land-use pieces and a label (PrezentacjaGraficzna); every tenth parcel an
    archived earlier version; every third parcel a building; parcels are held three
    to a register unit owned by one person (a married couple every fifth unit) with
    one share. Boundary points, one per parcel, are written too and skipped.
    """

    NS = "PL.PZGiK.361.EGiB"
    N0, E0 = 5_680_000.0, 5_590_000.0  # north-west corner of the grid, EPSG:2176

    def __init__(self, parcels: int, seed: int, unit: str = UNIT) -> None:
        self.unit = unit
        self.parcels = parcels
        self.rng = random.Random(seed)
        self.columns = max(1, int(math.sqrt(parcels * 2)))

    def chunks(self):
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n<!--wygenerowano: geo_portal bench-->\n'
               '<gml:FeatureCollection gml:id="fc" xmlns:gml="http://www.opengis.net/gml/3.2" '
               'xmlns:xlink="http://www.w3.org/1999/xlink" '
               'xmlns:egb="ewidencjaGruntowIBudynkow:1.0">\n')
        for precinct in range(1, self.parcels // 1000 + 2):
            yield self.precinct(precinct)
        for i in range(self.parcels):
            yield self.parcel_block(i)
        yield "</gml:FeatureCollection>\n"

    def ident(self, local: str, version: str = "2015-06-01T10:00:00") -> str:
        return (f"<egb:idIIP><egb:EGB_IdentyfikatorIIP><egb:lokalnyId>{local}</egb:lokalnyId>"
                f"<egb:przestrzenNazw>{self.NS}</egb:przestrzenNazw><egb:wersjaId>{version}"
                f"</egb:wersjaId></egb:EGB_IdentyfikatorIIP></egb:idIIP>"
                f"<egb:startObiekt>2004-06-15T08:00:00</egb:startObiekt>"
                f"<egb:startWersjaObiekt>{version}</egb:startWersjaObiekt>")

    def member(self, tag: str, gml_id: str, body: str) -> str:
        return (f'<gml:featureMember><egb:{tag} gml:id="{gml_id}">{body}</egb:{tag}>'
                f"</gml:featureMember>\n")

    def precinct(self, number: int) -> str:
        return self.member("EGB_ObrebEwidencyjny", f"OBR-{number}", self.ident(f"obr-{number}")
                           + f"<egb:idObrebu>{self.unit}.{number:04d}</egb:idObrebu>"
                           f"<egb:nazwaWlasna>Obręb {number}</egb:nazwaWlasna>")

    def ring(self, i: int, width: float = 20.0) -> tuple[str, float]:
        """posList (northing first) of parcel i, and its area in m²."""
        row, col = divmod(i, self.columns)
        n0, e0 = self.N0 - row * 40.0, self.E0 + col * 20.0
        jitter = self.rng.uniform(-0.4, 0.4)
        points = [(n0, e0), (n0, e0 + width / 2), (n0, e0 + width), (n0 - 20, e0 + width),
                  (n0 - 40, e0 + width), (n0 - 40, e0 + width / 2 + jitter), (n0 - 40, e0),
                  (n0 - 20, e0), (n0, e0)]
        area = 40.0 * width  # the jittered point lies on the bottom edge
        return " ".join(f"{n:.2f} {e:.2f}" for n, e in points), area

    def polygon(self, pos: str, gml_id: str) -> str:
        return (f'<egb:geometria><gml:Polygon gml:id="{gml_id}" '
                f'srsName="urn:ogc:def:crs:EPSG::2176"><gml:exterior><gml:LinearRing>'
                f"<gml:posList>{pos}</gml:posList></gml:LinearRing></gml:exterior>"
                f"</gml:Polygon></egb:geometria>")

    def parcel(self, i: int, version: str, width: float, end: str = "") -> str:
        precinct, number = i // 1000 + 1, i % 1000 + 1
        pos, area = self.ring(i, width)
        ha = area / 10000
        half = round(ha / 2, 4)
        pieces = ([("R", "R", "IVa", ha)] if i % 2 else
                  [("B", "B", "", half), ("Ps", "Ps", "IV", round(ha - half, 4))])
        land = "".join(f"<egb:klasouzytek><egb:EGB_Klasouzytek><egb:OFU>{f}</egb:OFU>"
                       f"<egb:OZU>{u}</egb:OZU>" + (f"<egb:OZK>{k}</egb:OZK>" if k else "") +
                       f'<egb:powierzchnia uom="ha">{a:.4f}</egb:powierzchnia>'
                       f"</egb:EGB_Klasouzytek></egb:klasouzytek>" for f, u, k, a in pieces)
        end_xml = f"<egb:koniecWersjaObiekt>{end}</egb:koniecWersjaObiekt>" if end else ""
        gml_id = f"DZ-{i}-{version[:4]}"
        return self.member(
            "EGB_DzialkaEwidencyjna", gml_id,
            self.ident(f"dz-{i}", version) + end_xml
            + f"<egb:idDzialki>{self.unit}.{precinct:04d}.{number}</egb:idDzialki>"
            + self.polygon(pos, f"G-{gml_id}")
            + f'<egb:poleEwidencyjne uom="ha">{ha:.4f}</egb:poleEwidencyjne>'
            + f"<egb:dokladnoscReprezentacjiPola>1</egb:dokladnoscReprezentacjiPola>{land}"
            + f'<egb:JRG2 xlink:href="#JRG-{i // 3}"/>'
            + f'<egb:punktGranicyDzialki xlink:href="#PG-{i}"/>'
            + f'<egb:lokalizacjaDzialki xlink:href="#OBR-{precinct}"/>')

    def parcel_block(self, i: int) -> str:
        parts = []
        if i % 10 == 0:
            parts.append(self.parcel(i, "2012-03-01T10:00:00", 19.0, end="2020-05-04T09:00:00"))
        parts.append(self.parcel(i, "2020-05-04T09:00:00", 20.0))
        parts.append(self.label(i))
        parts.append(self.boundary_point(i))
        if i % 3 == 0:
            parts.append(self.building(i))
            parts.append(self.ownership(i // 3))
        return "".join(parts)

    def label(self, i: int) -> str:
        return (f'<gml:featureMember><egb:PrezentacjaGraficzna gml:id="PR-{i}"><egb:etykieta>'
                f'<egb:Etykieta><egb:geometria><gml:Point gml:id="PRP-{i}" '
                f'srsName="urn:ogc:def:crs:EPSG::2176"><gml:pos>{self.N0 - 20:.2f} '
                f"{self.E0 + 10:.2f}</gml:pos></gml:Point>"
                "</egb:geometria><egb:justyfikacja>5</egb:justyfikacja></egb:Etykieta>"
                f'</egb:etykieta><egb:obiektPrzedstawiany xlink:href="#DZ-{i}-2020"/>'
                "</egb:PrezentacjaGraficzna></gml:featureMember>\n")

    def boundary_point(self, i: int) -> str:
        return self.member("EGB_PunktGraniczny", f"PG-{i}", self.ident(f"pg-{i}")
                           + f'<egb:geometria><gml:Point gml:id="PGP-{i}" '
                           f'srsName="urn:ogc:def:crs:EPSG::2176"><gml:pos>{self.N0:.2f} '
                           f"{self.E0:.2f}</gml:pos></gml:Point></egb:geometria>"
                           f"<egb:idPunktu>{self.unit}.{i}</egb:idPunktu>")

    def building(self, i: int) -> str:
        row, col = divmod(i, self.columns)
        n0, e0 = self.N0 - row * 40.0 - 5, self.E0 + col * 20.0 + 5
        pos = " ".join(f"{n:.2f} {e:.2f}" for n, e in ((n0, e0), (n0, e0 + 10), (n0 - 12, e0 + 10),
                                                     (n0 - 12, e0), (n0, e0)))
        precinct, number = i // 1000 + 1, i % 1000 + 1
        return self.member(
            "EGB_Budynek", f"BU-{i}", self.ident(f"bu-{i}")
            + f"<egb:idBudynku>{self.unit}.{precinct:04d}.{number}.1_BUD</egb:idBudynku>"
            + self.polygon(pos, f"GB-{i}") + "<egb:rodzajWgKST>110</egb:rodzajWgKST>"
            + "<egb:liczbaKondygnacjiNadziemnych>2</egb:liczbaKondygnacjiNadziemnych>"
            + "<egb:liczbaKondygnacjiPodziemnych>0</egb:liczbaKondygnacjiPodziemnych>"
            + '<egb:powZabudowy uom="m2">120.00</egb:powZabudowy>'
            + f'<egb:dzialkaZabudowana xlink:href="#DZ-{i}-2020"/>')

    def ownership(self, unit: int) -> str:
        precinct = unit * 3 // 1000 + 1
        couple = unit % 5 == 0
        subject = f"MAL-{unit}" if couple else f"OS-{unit}-a"
        parts = [
            self.member("EGB_JednostkaRejestrowaGruntow", f"JRG-{unit}", self.ident(f"jrg-{unit}")
                        + f"<egb:idJednostkiRejestrowej>{self.unit}.{precinct:04d}.G{unit}"
                        f"</egb:idJednostkiRejestrowej><egb:grupaRejestrowa>7"
                        f"</egb:grupaRejestrowa>"),
            self.person(f"OS-{unit}-a", "Jan", "Kowalski"),
            self.member("EGB_UdzialWeWlasnosci", f"UDZ-{unit}", self.ident(f"udz-{unit}")
                        + "<egb:rodzajPrawa>1</egb:rodzajPrawa>"
                        "<egb:licznikUlamkaOkreslajacegoWartoscUdzialu>1"
                        "</egb:licznikUlamkaOkreslajacegoWartoscUdzialu>"
                        "<egb:mianownikUlamkaOkreslajacegoWartoscUdzialu>1"
                        "</egb:mianownikUlamkaOkreslajacegoWartoscUdzialu>"
                        "<egb:podmiotUdzialuWlasnosci><egb:EGB_Podmiot>"
                        f'<egb:{"malzenstwo" if couple else "osobaFizyczna"} '
                        f'xlink:href="#{subject}"/></egb:EGB_Podmiot></egb:podmiotUdzialuWlasnosci>'
                        "<egb:przedmiotUdzialuWlasnosci><egb:EGB_JednostkaRejestrowa>"
                        f'<egb:JRG xlink:href="#JRG-{unit}"/></egb:EGB_JednostkaRejestrowa>'
                        "</egb:przedmiotUdzialuWlasnosci>"),
        ]
        if couple:
            parts.append(self.person(f"OS-{unit}-b", "Anna", "Kowalska"))
            parts.append(self.member("EGB_Malzenstwo", subject, self.ident(subject.lower())
                                     + f'<egb:osobaFizyczna2 xlink:href="#OS-{unit}-a"/>'
                                     f'<egb:osobaFizyczna3 xlink:href="#OS-{unit}-b"/>'))
        return "".join(parts)

    def person(self, gml_id: str, first: str, surname: str) -> str:
        return self.member("EGB_OsobaFizyczna", gml_id, self.ident(gml_id.lower())
                           + f"<egb:pierwszeImie>{first}</egb:pierwszeImie>"
                           f"<egb:pierwszyCzlonNazwiska>{surname}</egb:pierwszyCzlonNazwiska>")


def main() -> int:
    import run as harness_run

    return harness_run.main(["cadastre_import"])


if __name__ == "__main__":
    sys.exit(main())

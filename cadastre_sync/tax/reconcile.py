"""Reconciliation of a unit's tax register with its cadastre, as a job with progress.

The steps (reconcile_sql.py) build the run's findings in work tables, each one statement
over the whole unit, committed as it goes so the job's progress is visible; only the
final merge into the findings table is one transaction. A full run keeps its work tables
in a schema of its own and compares the land, the buildings and the owners on three
connections at once (ASIDE_STEPS). A failure leaves the findings as they were.
"""
import hashlib
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.gis.geos import GEOSGeometry
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput, RuleNotInForce
from core.jobs import job_fail, job_finish, job_guard, job_progress, job_start
from core.models import AdministrativeUnit
from core.rules import in_force_on, rule_value

from ..signals import tax_findings_changed
from . import reconcile_sql as q
from . import rules
from .models import ConversionFactor, ReconciliationRun, TaxFinding, TaxRate, TaxSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    run: ReconciliationRun
    counts: dict
    seconds: float


def rates_for(unit: AdministrativeUnit | None, year: int) -> dict[str, Decimal]:
    """Each rate of tax year `year`: the unit's own resolution, else the statutory maximum
    of that year; the agricultural and forest rates from the year's rye and wood prices.
    Raises RuleNotInForce naming what is missing: never another year's figure."""
    rows = TaxRate.objects.filter(Q(unit=None) | Q(unit=unit) if unit else Q(unit=None),
                                  year=year).order_by("key", "unit_id")
    rates: dict[str, Decimal] = {}
    for row in rows:
        if row.unit_id is not None or row.key not in rates:
            rates[row.key] = row.rate
    missing = [str(name) for key, name in rules.RATE_KEYS if key not in rates]
    if missing:
        raise RuleNotInForce(
            _("No %(year)d tax rates are entered for: %(keys)s. Enter the year's statutory "
              "maxima or the council's rates (Tax rates) before a %(year)d run.")
            % {"year": year, "keys": "; ".join(missing)},
            detail={"year": year, "rates": [k for k, _n in rules.RATE_KEYS if k not in rates]})
    on = date(year, 1, 1)
    for key, (price, quantity) in rules.DERIVED_RATES.items():
        rates[key] = (Decimal(str(rule_value(key=price, on=on, unit=unit)))
                      * Decimal(str(rule_value(key=quantity, on=on, unit=unit))))
    return rates


def tax_tables(unit: AdministrativeUnit | None, year: int) -> dict:
    """The year's tables: land use -> tax class and group, soil use -> group, building
    class -> rate, exempt soil classes and the farm threshold."""
    on = date(year, 1, 1)

    def value(key: str):
        return rule_value(key=key, on=on, unit=unit)

    return {"land_use": value(rules.LAND_USE_TAX_RULE),
            "soil_use": value(rules.SOIL_USE_GROUP_RULE),
            "kst": value(rules.KST_TAX_RULE), "kst_fallback": value(rules.KST_FALLBACK_RULE),
            "exempt_classes": list(value(rules.AGRICULTURAL_EXEMPT_CLASSES)),
            "farm_threshold": Decimal(str(value(rules.FARM_THRESHOLD)))}


def finding_severity(unit: AdministrativeUnit | None, on: date) -> dict:
    """The severity rule in force on `on` for `unit`: thresholds of the estimated annual
    difference (zł) as Decimals, fixed severities per category and the spouse case; a row
    an administrator got wrong is refused naming what is wrong, never half used."""
    value = rule_value(key=rules.FINDING_SEVERITY_RULE, on=on, unit=unit)
    try:
        high, medium = Decimal(str(value["high_from"])), Decimal(str(value["medium_from"]))
        fixed, spouse = dict(value.get("fixed") or {}), str(value.get("spouse") or "low")
    except (KeyError, TypeError, ArithmeticError, ValueError) as error:
        raise InvalidInput(_("The rule “%(rule)s” in force on %(date)s is not valid: give "
                             "high_from and medium_from as amounts.") % {
            "rule": rules.TAX_RULE_LABELS[rules.FINDING_SEVERITY_RULE], "date": on},
            detail={"rule": rules.FINDING_SEVERITY_RULE}) from error
    wrong = sorted({str(s) for s in (*fixed.values(), spouse)} - set(rules.SEVERITIES))
    if wrong or medium > high:
        raise InvalidInput(_("The rule “%(rule)s” in force on %(date)s is not valid: "
                             "severities are high, medium or low and medium_from is not above "
                             "high_from.") % {
            "rule": rules.TAX_RULE_LABELS[rules.FINDING_SEVERITY_RULE], "date": on},
            detail={"rule": rules.FINDING_SEVERITY_RULE, "values": wrong})
    return {"high_from": high, "medium_from": medium, "fixed": fixed, "spouse": spouse}


def conversion_factors_check(*, district: int, year: int) -> None:
    """RuleNotInForce when no conversion factor of `district` is in force on 1 January of
    `year`: the run never takes another period's table."""
    day = date(year, 1, 1)
    if not in_force_on(ConversionFactor.objects.filter(district=district), day).exists():
        raise RuleNotInForce(
            _("No conversion hectare factors of tax district %(district)s are entered in "
              "force on %(date)s. Enter them, with their legal source, under Conversion "
              "hectare factors in the administration.") % {"district": district,
                                                           "date": day.isoformat()},
            detail={"rule": "conversion_factors", "district": district,
                    "date": day.isoformat()})


def _params(unit: AdministrativeUnit, run: ReconciliationRun) -> dict:
    settings, _created = TaxSettings.objects.get_or_create(unit=unit)
    rates = rates_for(unit, run.year)
    tables = tax_tables(unit, run.year)
    aliases = list(rules.SOIL_CLASS_ALIASES.items())
    severity = finding_severity(unit, timezone.localdate())
    fixed = list(severity["fixed"].items())
    high, medium = severity["high_from"], severity["medium_from"]
    conversion_factors_check(district=settings.tax_district, year=run.year)
    land_use, kst = tables["land_use"], tables["kst"]
    return {
        "unit_id": unit.pk, "run_id": run.pk, "district": settings.tax_district,
        "tol_ha": settings.area_tolerance_ha, "tol_share": settings.area_tolerance_share,
        "conv_tol": settings.conversion_tolerance_ha,
        "floor_tol": settings.floor_area_tolerance_share,
        "usable_share": settings.usable_floor_share,
        "exempt_groups": [int(g) for g in settings.exempt_register_groups or []],
        "ofu": list(land_use), "ofu_class": [c for c, _g in land_use.values()],
        "ofu_group": [g for _c, g in land_use.values()],
        "ozu": list(tables["soil_use"]), "ozu_group": list(tables["soil_use"].values()),
        "exempt_classes": tables["exempt_classes"], "farm_threshold": tables["farm_threshold"],
        "alias_group": [g for (g, _a), _s in aliases], "alias_from": [a for (_g, a), _s in aliases],
        "alias_to": [s for _k, s in aliases],
        "rate_key": list(rates), "rate_value": list(rates.values()),
        "rate_basis": [rules.RATE_BASIS[k] for k in rates],
        "kst": list(kst), "kst_rate": list(kst.values()),
        "kst_fallback": tables["kst_fallback"],
        "right": list(rules.TAXPAYER_RIGHT_RANK),
        "right_rank": list(rules.TAXPAYER_RIGHT_RANK.values()),
        "fallback_factor": rules.FALLBACK_FACTOR, "successor_min_m2": rules.SUCCESSOR_MIN_M2,
        "spouse_severity": severity["spouse"], "tax_day": date(run.year, 1, 1),
        "fixed_category": [c for c, _s in fixed], "fixed_severity": [s for _c, s in fixed],
        "high_from": high, "medium_from": medium,
        "reopen_text": _("found again by a reconciliation run"),
        "_rates": {k: str(v) for k, v in rates.items()},
    }


# The steps and what the job's log says of each. The rules' tables are made before the
# scope is chosen (it asks which holdings are farms), so their step only reports them.
STEPS = (
    ("rules", ()), ("parcels and land", (*q.PARCELS, *q.LAND)),
    ("retired parcels and their successors", q.SUCCESSION),
    ("untaxed parcels", (q.PARCEL_UNTAXED,)),
    ("retired and unknown parcels", (q.PARCEL_NOT_CURRENT,)),
    ("land use and area", (q.LAND_DIFFERENCE,)),
    ("buildings", (*q.BUILDINGS, q.BUILDING_UNDECLARED, q.FLOOR_AREA,
                   q.BUILDING_NOT_CURRENT)),
    ("owners and taxpayers", (*q.OWNERS, *q.OWNER_MATCHES, q.OWNER_MISMATCH)),
    ("severity", (q.SEVERITY,)),
)
# The steps as the run's page names them (the job's log keeps the names above).
STEP_LABELS = {
    "rules": gettext_lazy("rates and rules of the year"),
    "parcels and land": gettext_lazy("parcels and their land"),
    "retired parcels and their successors": gettext_lazy("retired parcels and their successors"),
    "untaxed parcels": gettext_lazy("parcels nobody is taxed for"),
    "retired and unknown parcels": gettext_lazy("taxes on retired or unknown parcels"),
    "land use and area": gettext_lazy("land use and area"),
    "buildings": gettext_lazy("buildings"),
    "owners and taxpayers": gettext_lazy("owners and taxpayers"),
    "severity": gettext_lazy("severity of the findings"),
}


def _drop(cur, keep: tuple = ()) -> None:
    cur.execute("DROP TABLE IF EXISTS " + ", ".join(
        f"pg_temp.{t}" for t in q.TEMP_TABLES if t not in keep))


# A full run keeps its work tables as unlogged tables of a schema of its own (named by the
# run, so runs of two units at once never meet), not as temporary ones: parallel workers
# cannot read a session's temporary tables, so every statement joining one ran its scans,
# joins and aggregates in one process. Dropped with the run, failed or not; a schema left
# by a run whose process died is dropped by the next full run.
WORK_SCHEMA = "rec_run_{}"
# Parallel plans for a full run only: an incremental one reads a few rows through indexes.
# Starting workers costs little beside statements of seconds, and passing rows to the
# leader less than the default costs assume (measured at a million parcels).
PARALLEL_SESSION = {"max_parallel_workers_per_gather": "2", "parallel_setup_cost": "100",
                    "parallel_tuple_cost": "0.03"}
# While several connections compare at once, each statement runs in its own process.
CONCURRENT_SESSION = {"max_parallel_workers_per_gather": "0"}
# Set by a step for its statements (reset after a failure too).
STEP_SETTINGS = {"enable_hashagg": "on"}


def _work_schema_open(cur, run: ReconciliationRun, params: dict) -> None:
    """Move a full run's work into its own schema: the rules' tables re-made there."""
    finished = ReconciliationRun.objects.exclude(status=ReconciliationRun.RUNNING)
    cur.execute("SELECT nspname FROM pg_namespace WHERE nspname ~ '^rec_run_[0-9]+$'")
    for (name,) in cur.fetchall():
        pk = name.removeprefix("rec_run_")
        if pk.isdigit() and finished.filter(pk=int(pk)).exists():
            cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    _drop(cur, keep=("rec_change",))
    schema = WORK_SCHEMA.format(int(run.pk))
    cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    cur.execute(f"CREATE SCHEMA {schema}")
    _search_path_first(cur, schema)
    _session(cur, on=True, settings=PARALLEL_SESSION)
    for statement in q.RULES:
        cur.execute(_unlogged(statement), params)


# A work table lives for seconds: autovacuum, which may pick up a table of a million new
# rows, would only compete with the run for the cores.
_NO_AUTOVACUUM = "WITH (autovacuum_enabled = false)"


def _search_path_first(cur, schema: str) -> None:
    """The run's schema first on this session's search path (its work tables by name)."""
    cur.execute("SELECT set_config('search_path', %s || ', ' || current_setting('search_path'),"
                " false)", [schema])


def _unlogged(statement: str) -> str:
    statement = re.sub(r"CREATE TEMP TABLE (\w+) AS\b",
                       rf"CREATE UNLOGGED TABLE \1 {_NO_AUTOVACUUM} AS", statement)
    return statement.replace("CREATE TEMP TABLE", "CREATE UNLOGGED TABLE")


_FOUND_INSERT = "INSERT INTO rec_found\n"


def _for_full_run(statement: str, part: str = "rec_found_part") -> list[str]:
    """A step's statement as a full run executes it: its tables unlogged, and its findings
    computed by CREATE TABLE AS (which may run in parallel, where INSERT ... SELECT may
    not) into `part`, then added to the run's."""
    statement = _unlogged(statement).lstrip()
    if not statement.startswith(_FOUND_INSERT):
        return [statement]
    return [f"CREATE UNLOGGED TABLE {part} (category, key, parcel_ref, building_ref, "
            f"geom, estimate, severity, evidence) {_NO_AUTOVACUUM} AS "
            + statement[len(_FOUND_INSERT):],
            f"INSERT INTO rec_found SELECT * FROM {part}", f"DROP TABLE {part}"]  # noqa: S608 - names of this module


# A full run compares the buildings and the owners each on a connection of its own while
# this one compares the land: those steps read only what the first statements made (the
# parcels, farms and taxed parcel ids) and add to the findings, and most of a step's time
# is its session's own process (reading the joins' results, aggregating, writing the work
# table), which parallel workers do not share. Not inside a transaction (a test's): the
# other connections would not see its data; the steps then run one after the other.
ASIDE_STEPS = (("buildings",), ("owners and taxpayers",))


class _Progress:
    """The steps done so far, counted from every connection of the run."""

    def __init__(self, run: ReconciliationRun) -> None:
        self.run, self.done, self.lock = run, 0, threading.Lock()

    def step_done(self, name: str) -> None:
        with self.lock:
            self.done += 1
            job_progress(self.run, done=self.done, note=name)


def _steps_execute(cur, steps, params: dict, progress: _Progress, *, incremental: bool,
                   part: str = "rec_found_part", stop: threading.Event | None = None) -> None:
    for name, statements in steps:
        if incremental and name == "severity":
            cur.execute(q.scoped(q.FOUND_OUTSIDE_SCOPE, incremental=True), params)
        for statement in statements:
            statement = q.scoped(statement, incremental=incremental)
            for sql in [statement] if incremental else _for_full_run(statement, part):
                cur.execute(sql, params)
        progress.step_done(name)
        if stop is not None and stop.is_set():
            return


class _Aside(threading.Thread):
    """Steps of a full run on a connection of their own, in the run's schema."""

    def __init__(self, steps, params: dict, schema: str, progress: _Progress,
                 number: int, failed: threading.Event) -> None:
        super().__init__(name=f"reconcile-aside-{number}", daemon=True)
        self.part = f"rec_found_aside_{number}"
        self.steps, self.params, self.schema, self.progress = steps, params, schema, progress
        self.error: BaseException | None = None
        self.failed = failed
        self._pg = None

    def run(self) -> None:
        try:
            with connection.cursor() as cur:
                self._pg = connection.connection
                for settings in (SESSION, PARALLEL_SESSION, CONCURRENT_SESSION):
                    _session(cur, on=True, settings=settings)
                _search_path_first(cur, self.schema)
                _steps_execute(cur, self.steps, self.params, self.progress,
                               incremental=False, part=self.part, stop=self.failed)
        except BaseException as exc:  # handed to the run's thread, which raises it
            self.error = exc
            self.failed.set()
        finally:
            connections.close_all()  # this thread's connection only

    def cancel(self) -> None:
        """Stop the statement running there (the run failed on another connection)."""
        if self._pg is not None and self.is_alive():
            try:
                self._pg.cancel()
            except Exception:  # noqa: BLE001 - it ended meanwhile, or its connection did
                log.warning("could not cancel the reconciliation's other connection",
                            exc_info=True)


def _full_steps_execute(cur, run: ReconciliationRun, params: dict,
                        progress: _Progress) -> None:
    """A full run's steps: the parcels first, then the land here while the buildings and
    the owners are compared on connections of their own, then the severity of all
    findings. A failure on any connection stops the others."""
    steps = dict(STEPS)
    if connection.in_atomic_block:
        _steps_execute(cur, STEPS, params, progress, incremental=False)
        return
    _steps_execute(cur, [("rules", ())], params, progress, incremental=False)
    for statement in q.PARCELS:
        for sql in _for_full_run(q.scoped(statement, incremental=False)):
            cur.execute(sql, params)
    failed = threading.Event()
    asides = [_Aside([(name, steps[name]) for name in names], params,
                     WORK_SCHEMA.format(int(run.pk)), progress, number, failed)
              for number, names in enumerate(ASIDE_STEPS, start=1)]
    aside_names = {name for names in ASIDE_STEPS for name in names}
    here = [("parcels and land", q.LAND)] + [
        (name, steps[name]) for name, _s in STEPS[2:]
        if name not in aside_names and name != "severity"]
    for aside in asides:
        aside.start()
    _session(cur, on=True, settings=CONCURRENT_SESSION)
    try:
        _steps_execute(cur, here, params, progress, incremental=False, stop=failed)
        for aside in asides:
            while aside.is_alive():
                aside.join(0.5)
                if failed.is_set():  # another failed: the rest need not finish
                    for other in asides:
                        other.cancel()
    except BaseException:
        for aside in asides:
            aside.cancel()
        raise
    finally:
        for aside in asides:
            aside.join()
    _session(cur, on=True, settings=PARALLEL_SESSION)
    for aside in asides:
        if aside.error is not None:
            raise aside.error
    _steps_execute(cur, [("severity", steps["severity"])], params, progress,
                   incremental=False)


def _work_schema_close(cur, run: ReconciliationRun) -> None:
    cur.execute(f"DROP SCHEMA IF EXISTS {WORK_SCHEMA.format(int(run.pk))} CASCADE")
    cur.execute("RESET search_path")
    _session(cur, on=False, settings=PARALLEL_SESSION)


# Compiling these statements with JIT costs seconds and saves nothing; memoize caches on
# keys that never repeat. The work tables are analysed only to plan the next joins: a
# sample of 3,000 rows does that as well as one of 30,000, at a tenth of the cost. The
# grouping of a million parcels' land by tax class needs ~550 MB of hash table, which the
# default work_mem spills to disk in nine batches (256 MB still in five). The settings
# last for the run only (this session).
SESSION = {"jit": "off", "enable_memoize": "off", "default_statistics_target": "10",
           "work_mem": "'512MB'"}
# The scope of an incremental run is found from the few changes, row by row through the
# indexes: a hash join would read whole tables, which an incremental run exists to avoid
# (and the recursive step's estimates would choose one).
SCOPE_SESSION = {"enable_hashjoin": "off", "enable_mergejoin": "off"}
# Its steps read the scope's few rows of the large tables, which are in memory: a lookup
# through an index then costs about what a row read in sequence does.
INCREMENTAL_SESSION = {"random_page_cost": "1.1"}


# Room for the work tables in memory (they reach ~700 MB at a million parcels; the default
# 8 MB sends every read of them through the kernel). Taken as needed, up to this much;
# only a session that has not used temporary tables yet may set it.
TEMP_BUFFERS = "1GB"


def _temp_buffers(cur) -> None:
    try:
        with transaction.atomic():
            cur.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
    except DatabaseError:
        pass  # the session used temporary tables before: they keep the room they have


def _session(cur, *, on: bool, settings: dict = SESSION) -> None:
    for name, value in settings.items():
        cur.execute(f"SET {name} = {value}" if on else f"RESET {name}")


# What an incremental run reports as found: the open findings after its merge (those it
# re-checked and those it left as they were), with the ones marked "not a discrepancy"
# that it found again.
_FOUND_AFTER_INCREMENTAL = """
SELECT category, sum(n)::bigint, sum(s) FROM (
    SELECT category, count(*) AS n, COALESCE(sum(estimate), 0) AS s
    FROM cadastre_sync_taxfinding WHERE unit_id = %(unit_id)s AND status = 'open'
    GROUP BY category
    UNION ALL
    SELECT r.category, count(*), COALESCE(sum(r.estimate), 0) FROM rec_found r
    JOIN cadastre_sync_taxfinding f ON f.unit_id = %(unit_id)s AND f.category = r.category
                                   AND f.key = r.key AND f.status = 'dismissed'
    GROUP BY r.category) x
GROUP BY category ORDER BY category
"""


def _merge(cur, params: dict, *, incremental: bool) -> dict:
    counts = {}
    with transaction.atomic():
        for name, statement in q.FINDINGS_MERGE:
            cur.execute(q.scoped(statement, incremental=incremental), params)
            counts[name] = cur.fetchone()[0] if name == "suppressed" else cur.rowcount
        for statement in q.FARMS_KEEP:
            cur.execute(q.scoped(statement, incremental=incremental), params)
        cur.execute(q.CHANGES_CONSUME)
        cur.execute(_FOUND_AFTER_INCREMENTAL if incremental else
                    "SELECT category, count(*), COALESCE(sum(estimate), 0) FROM rec_found "
                    "GROUP BY category ORDER BY category", params)
        counts["found"] = {c: {"findings": n, "estimate": str(round(s, 2))}
                           for c, n, s in cur.fetchall()}
        counts["new"] += counts.pop("reopened")
    still_open = TaxFinding.objects.filter(unit_id=params["unit_id"], status=TaxFinding.OPEN)
    counts["open"] = still_open.count()
    if incremental:  # open findings the changes did not touch: left as they were, and
        # persisting as much as those re-checked and found again
        counts["not_rechecked"] = still_open.exclude(last_run_id=params["run_id"]).count()
        counts["persisting"] += counts["not_rechecked"]
    return counts


# Where the open findings changed: exactly, or as one box when there are many (a first
# run over a whole gmina), as the cadastre import records its changed extent.
EXACT_AREA_MAX = 5000
# (The union is made only when it is used: an aggregate in a CASE is computed anyway.)
_CHANGED_AREA = """
WITH changed AS MATERIALIZED (
    SELECT geom FROM cadastre_sync_taxfinding
    WHERE unit_id = %(unit_id)s AND geom IS NOT NULL
      AND (first_run_id = %(run_id)s OR resolved_run_id = %(run_id)s))
SELECT CASE WHEN (SELECT count(*) FROM changed) <= %(exact_max)s
            THEN (SELECT ST_AsEWKB(ST_Multi(ST_Union(geom))) FROM changed)
            ELSE (SELECT ST_AsEWKB(ST_Multi(ST_Envelope(ST_Collect(geom)))) FROM changed) END
"""


def _announce_findings(unit: AdministrativeUnit, run: ReconciliationRun) -> None:
    with connection.cursor() as cur:
        cur.execute(_CHANGED_AREA, {"unit_id": unit.pk, "run_id": run.pk,
                                    "exact_max": EXACT_AREA_MAX})
        (ewkb,) = cur.fetchone()
    if ewkb is not None:
        findings_changed_announce(unit=unit, area=GEOSGeometry(memoryview(ewkb)),
                                  reason=_("reconciliation run %(run)d") % {"run": run.pk})


def findings_changed_announce(*, unit: AdministrativeUnit, area, reason: str) -> None:
    """Tell the map layers where the open findings changed, once that is committed."""
    transaction.on_commit(lambda: tax_findings_changed.send(
        sender=TaxFinding, unit=unit, area=area, reason=reason[:200]))


# An incremental run re-checking more than this share of the unit's parcels (and more
# than a few) runs in full: one pass over everything is then cheaper than many lookups.
INCREMENTAL_MAX_SHARE = 0.2
INCREMENTAL_ALWAYS_UP_TO = 2000


# Raised when what a run keeps for the next one changes (the farms since 2): the first run
# after an upgrade is then a full one.
KEPT_STATE_VERSION = "2"


def _digest(params: dict) -> str:
    """What the findings depend on besides the data: rates, tables, settings, factors."""
    with connection.cursor() as cur:
        cur.execute("SELECT md5(string_agg(f::text, ',' ORDER BY f.id)) "
                    "FROM cadastre_sync_conversionfactor f WHERE f.district = %s",
                    [params["district"]])
        (factors,) = cur.fetchone()
    applied = {k: v for k, v in params.items() if k not in ("run_id", "reopen_text")}
    text = (json.dumps(applied, sort_keys=True, default=str) + (factors or "")
            + KEPT_STATE_VERSION)
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _full_because(cur, run: ReconciliationRun, previous: ReconciliationRun | None,
                  digest: str, wanted: str) -> str:
    """Why this run must re-check everything ("" when the changes alone will do)."""
    if wanted == ReconciliationRun.FULL:
        return "asked"
    if previous is None:
        return "first_run"
    if previous.year != run.year or previous.rules_digest != digest:
        return "rules_changed"
    cur.execute("SELECT EXISTS (SELECT 1 FROM rec_change WHERE kind = '*')")
    if cur.fetchone()[0]:
        return "bulk_change"
    return ""


def _plan(cur, unit: AdministrativeUnit, run: ReconciliationRun, params: dict,
          wanted: str) -> dict:
    """Read the recorded changes and choose full or incremental; build the scope."""
    for statement in q.CHANGES_READ:
        cur.execute(statement, params)
    cur.execute(q.CHANGES_ANALYZE)
    cur.execute("SELECT count(*) FROM rec_change")
    coverage = {"changes": cur.fetchone()[0]}
    previous = (ReconciliationRun.objects.filter(unit=unit, status=ReconciliationRun.SUCCEEDED)
                .exclude(pk=run.pk).order_by("-finished_at", "-pk").first())
    reason = _full_because(cur, run, previous, params["_digest"], wanted)
    if not reason:
        cur.execute(q.CLOSED_SINCE, {**params, "since": previous.started_at})
        cur.execute(q.CHANGES_ANALYZE)
        _session(cur, on=True, settings=SCOPE_SESSION)
        for statement in q.SCOPE:
            cur.execute(statement, params)
        _session(cur, on=False, settings=SCOPE_SESSION)
        cur.execute(q.SCOPE_SIZE)
        parcels, buildings, context = cur.fetchone()
        coverage.update(parcels=parcels, buildings=buildings, context_parcels=context)
        cur.execute("SELECT count(*) FROM cadastre_sync_parcel "
                    "WHERE unit_id = %(unit_id)s AND retired_at IS NULL", params)
        total = cur.fetchone()[0]
        coverage["unit_parcels"] = total
        if context > max(INCREMENTAL_MAX_SHARE * total, INCREMENTAL_ALWAYS_UP_TO):
            reason = "large_change"
    if reason:
        coverage["full_because"] = reason
    return coverage


def _compare(unit: AdministrativeUnit, run: ReconciliationRun,
             wanted: str) -> tuple[dict, dict]:
    """The steps, then the findings merged; any failure leaves the findings as they were."""
    try:
        params = _params(unit, run)
        used_rates = params.pop("_rates")
        params["_digest"] = _digest(params)
        with connection.cursor() as cur:
            _temp_buffers(cur)
            _drop(cur)
            _session(cur, on=True)
            for statement in q.RULES:
                cur.execute(statement, params)
            coverage = _plan(cur, unit, run, params, wanted)
            incremental = "full_because" not in coverage
            scope = ReconciliationRun.INCREMENTAL if incremental else ReconciliationRun.FULL
            ReconciliationRun.objects.filter(pk=run.pk).update(
                scope=scope, coverage=coverage, rules_digest=params["_digest"])
            _session(cur, on=incremental, settings=INCREMENTAL_SESSION)
            progress = _Progress(run)
            if incremental:
                _steps_execute(cur, STEPS, params, progress, incremental=True)
            else:
                _work_schema_open(cur, run, params)
                _full_steps_execute(cur, run, params, progress)
            counts = _merge(cur, params, incremental=incremental)
            _reset(cur, run)
    except (DatabaseError, ValueError, RuleNotInForce) as exc:
        log.exception("reconciliation of %s failed", unit)
        _clean_up(run)
        job_fail(run, message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise
    return counts, used_rates


def _clean_up(run: ReconciliationRun) -> None:
    """Drop the work tables; when the connection itself died they went with it (those of
    a full run's schema: the next full run drops them)."""
    try:
        with connection.cursor() as cur:
            _reset(cur, run)
    except DatabaseError:
        connection.close()


def _reset(cur, run: ReconciliationRun) -> None:
    """The session as it was before the run: the work tables (and a full run's schema)
    dropped, every setting a step changed reset."""
    _work_schema_close(cur, run)
    _drop(cur)
    for settings in (SESSION, SCOPE_SESSION, INCREMENTAL_SESSION, STEP_SETTINGS):
        _session(cur, on=False, settings=settings)


def reconcile(*, unit: AdministrativeUnit, year: int | None = None, by=None,
              run: ReconciliationRun | None = None, scope: str = "auto") -> RunResult:
    """Compare `unit`'s tax register with its cadastre; record the run and its findings.

    `scope`: "auto" re-checks only what changed since the last run when it can (same
    year, rates and rules; no bulk change), else everything; "full" always everything.
    """
    started = time.monotonic()
    if run is None:
        run = ReconciliationRun.objects.create(unit=unit, created_by=by,
                                               year=year or timezone.now().year)
    job_start(run, total=len(STEPS) + 1)
    with job_guard(run):
        counts, used_rates = _compare(unit, run, scope)
        _announce_findings(unit, run)
        counts["rates"] = used_rates
        seconds = round(time.monotonic() - started, 3)
        counts["seconds"] = seconds
        message = _("%(new)d new, %(persisting)d persisting, %(resolved)d resolved, "
                    "%(suppressed)d not a discrepancy") % counts
        if "not_rechecked" in counts:
            message += "; " + _("%(not_rechecked)d open findings the changes did not touch "
                                "left as they were") % counts
        job_finish(run, counts=counts, message=message)
        ReconciliationRun.objects.filter(pk=run.pk).update(progress_done=len(STEPS) + 1)
    run.refresh_from_db()
    return RunResult(run, counts, seconds)

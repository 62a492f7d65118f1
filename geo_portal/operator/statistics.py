"""Comparative statistics of the units under an operator, counted in SQL over the event
history (application events, reconciliation runs, findings), never from stored counters.

Three statements, each one pass with GROUPING SETS, so the per unit, per service and
total rows come from the same rows and always add up:
- applications: what happened in the period (submitted, decided, by silence, extracts
  issued) and how long decisions took against the deadline in force when they were taken;
- overdue: cases open now past their deadline (the state the workflow wrote with the last
  event);
- tax: reconciliation runs in the period, findings open now and findings resolved in it.
"""
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadastre_sync.models import ReconciliationRun, TaxFinding
from core.errors import InvalidInput
from permits import kinds
from permits.models import Application, ApplicationEvent
from permits.services import PAPER_REGISTRATION_DAYS
from permits.workflow import OPEN_STATES, State

DECISIONS = ("decide", "silent_consent")
ONLINE_ROLE = "applicant"  # the resident filed it through the portal
EXTRACT_KIND, EXTRACT_ISSUED = "zoning_extract", "issued"
MAX_PERIOD_DAYS = 366 * 5
BY_CHOICES = ("unit", "service", "unit_service")

_EVENTS, _APPS = ApplicationEvent._meta.db_table, Application._meta.db_table
_RUNS, _FINDINGS = ReconciliationRun._meta.db_table, TaxFinding._meta.db_table

# An application is received on the day it is filed online, or, received on paper, on the
# day the office received it (its submission event records `received_on`; it is registered
# within PAPER_REGISTRATION_DAYS, so the events are read that much past the period's end
# and counted by that day). Online share: filed by the resident through the portal.
# A decision's handling time is counted as the statute counts the term it is held to:
# days from the submission (or receipt) to the decision, local dates, the day of
# submission not counted (KPA art. 57 § 1), less the days the case waited for the
# applicant's documents (art. 35 § 5: not counted in the term). The term allowed is the
# deadline in force when the decision was taken (terms in months ending per art. 57 § 3,
# moved off Saturdays and holidays per art. 57 § 4, extended by those same waiting days:
# permits.deadlines), expressed in the same counted days; the margin is the calendar days
# between the decision and that deadline (negative: late), comparable across terms in days
# and in months. A decision event records what it was held to (submitted_on,
# deadline_in_force, paused_days); for events written before it did, they are looked up in
# the case's history, only for those: the submission event, the deadline the previous
# event set (that of the state decided from) and the stays awaiting documents.
APPLICATIONS_SQL = f"""
WITH ev AS MATERIALIZED (
  SELECT e.id, e.application_id, e.action, e.actor_role = %(online)s AS online,
         a.unit_id, a.kind, e.data->>'outcome' AS outcome,
         e.action = ANY(%(decisions)s) AS decision, e.data ? 'submitted_on' AS recorded,
         e.at, coalesce((e.data->>'received_on')::date,
                        (e.at AT TIME ZONE %(tz)s)::date) AS day,
         (e.data->>'submitted_on')::date AS submitted_on,
         (e.data->>'deadline_in_force')::date AS deadline,
         e.data ? 'paused_days' AS paused_recorded, (e.data->>'paused_days')::int AS paused
  FROM {_EVENTS} e JOIN {_APPS} a ON a.id = e.application_id
  WHERE a.unit_id = ANY(%(units)s) AND e.at >= %(start)s AND e.at < %(late_end)s
    AND e.action IN ('submit', 'decide', 'silent_consent')),
facts AS (
  SELECT ev.unit_id, ev.kind, ev.action, ev.online, ev.outcome, ev.decision, ev.day,
    CASE WHEN ev.recorded THEN ev.submitted_on WHEN ev.decision THEN (
      SELECT coalesce(min((s.data->>'received_on')::date),
                      (min(s.at) AT TIME ZONE %(tz)s)::date) FROM {_EVENTS} s
      WHERE s.application_id = ev.application_id AND s.action = 'submit') END AS submitted_on,
    CASE WHEN ev.recorded THEN ev.deadline WHEN ev.decision THEN (
      SELECT (p.data->>'deadline')::date FROM {_EVENTS} p
      WHERE p.application_id = ev.application_id AND (p.at, p.id) < (ev.at, ev.id)
      ORDER BY p.at DESC, p.id DESC LIMIT 1) END AS deadline,
    CASE WHEN ev.paused_recorded THEN ev.paused WHEN ev.decision THEN (
      SELECT coalesce(sum((coalesce((
          SELECT min(l.at) FROM {_EVENTS} l
          WHERE l.application_id = w.application_id AND l.from_state = %(awaiting)s
            AND (l.at, l.id) > (w.at, w.id)), ev.at) AT TIME ZONE %(tz)s)::date
        - (w.at AT TIME ZONE %(tz)s)::date), 0)
      FROM {_EVENTS} w
      WHERE w.application_id = ev.application_id AND w.to_state = %(awaiting)s
        AND (w.at, w.id) < (ev.at, ev.id)) ELSE 0 END AS paused
  FROM ev WHERE ev.day >= %(first)s AND ev.day <= %(last)s)
SELECT unit_id, kind, GROUPING(unit_id) AS all_units, GROUPING(kind) AS all_kinds,
  count(*) FILTER (WHERE action = 'submit') AS received,
  count(*) FILTER (WHERE action = 'submit' AND online) AS online,
  count(*) FILTER (WHERE decision) AS decided,
  count(*) FILTER (WHERE action = 'silent_consent') AS silent,
  count(*) FILTER (WHERE action = 'decide' AND kind = %(extract)s
                   AND outcome = %(issued)s) AS extracts,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY day - submitted_on - paused)
    FILTER (WHERE decision) AS median_days,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY day - submitted_on - paused)
    FILTER (WHERE decision) AS p90_days,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY deadline - submitted_on - paused)
    FILTER (WHERE decision) AS allowed_days,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY deadline - day)
    FILTER (WHERE decision) AS margin_days,
  count(*) FILTER (WHERE decision AND deadline IS NOT NULL) AS with_deadline,
  count(*) FILTER (WHERE decision AND day <= deadline) AS on_time
FROM facts
GROUP BY GROUPING SETS ((unit_id, kind), (unit_id), (kind), ())
"""  # noqa: S608 - table names are our models'

OVERDUE_SQL = f"""
SELECT a.unit_id, a.kind, GROUPING(a.unit_id) AS all_units, GROUPING(a.kind) AS all_kinds,
       count(*) AS overdue
FROM {_APPS} a
WHERE a.unit_id = ANY(%(units)s) AND a.state = ANY(%(open)s) AND a.deadline < %(today)s
GROUP BY GROUPING SETS ((a.unit_id, a.kind), (a.unit_id), (a.kind), ())
"""  # noqa: S608

TAX_SQL = f"""
WITH runs AS (
  SELECT unit_id, count(*) AS runs FROM {_RUNS}
  WHERE unit_id = ANY(%(units)s) AND status = 'succeeded'
    AND created_at >= %(start)s AND created_at < %(end)s
  GROUP BY unit_id),
findings AS (
  SELECT unit_id,
    count(*) FILTER (WHERE status = 'open') AS open_findings,
    coalesce(sum(estimate) FILTER (WHERE status = 'open'), 0) AS open_value,
    count(*) FILTER (WHERE status = 'resolved' AND closed_at >= %(start)s
                     AND closed_at < %(end)s) AS resolved,
    coalesce(sum(estimate) FILTER (WHERE status = 'resolved' AND closed_at >= %(start)s
                                   AND closed_at < %(end)s), 0) AS recovered
  FROM {_FINDINGS} WHERE unit_id = ANY(%(units)s) GROUP BY unit_id)
SELECT u.unit_id, GROUPING(u.unit_id) AS all_units,
       coalesce(sum(r.runs), 0) AS runs, coalesce(sum(f.open_findings), 0) AS open_findings,
       coalesce(sum(f.open_value), 0) AS open_value, coalesce(sum(f.resolved), 0) AS resolved,
       coalesce(sum(f.recovered), 0) AS recovered
FROM (SELECT unit_id FROM runs UNION SELECT unit_id FROM findings) u
LEFT JOIN runs r USING (unit_id) LEFT JOIN findings f USING (unit_id)
GROUP BY GROUPING SETS ((u.unit_id), ())
"""  # noqa: S608


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, start: str | None, end: str | None, *, today: date) -> "Period":
        """From `YYYY-MM-DD` strings; by default the calendar year to date."""
        first = _date(start, "from") if start else date(today.year, 1, 1)
        last = _date(end, "to") if end else today
        if first > last:
            raise InvalidInput(_("The period's start (%(start)s) is after its end (%(end)s).")
                               % {"start": first, "end": last}, detail={"field": "from"})
        if (last - first).days > MAX_PERIOD_DAYS:
            raise InvalidInput(_("Choose a period of at most five years."),
                               detail={"field": "from"})
        return cls(first, last)

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_default_timezone()
        return (datetime.combine(self.start, time.min, zone),
                datetime.combine(self.end + timedelta(days=1), time.min, zone))


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value},
                           detail={"field": field}) from None


@dataclass
class StatRow:
    teryt: str = ""  # "" = every unit
    unit: str = ""
    kind: str = ""  # "" = every service
    service: str = ""
    received: int = 0
    online: int = 0
    online_share: float | None = None
    decided: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    deadline_days: float | None = None  # median term allowed, in the same counted days
    margin_days: float | None = None  # median days from the decision to its deadline
    on_time: int = 0
    on_time_share: float | None = None
    overdue_now: int = 0
    silent_consent: int = 0
    extracts_issued: int = 0
    reconciliation_runs: int | None = None
    open_findings: int | None = None
    open_findings_value: Decimal | None = None
    findings_resolved: int | None = None
    value_recovered: Decimal | None = None

    @classmethod
    def columns(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def as_dict(self) -> dict:
        return asdict(self)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _fetch(sql: str, params: dict) -> list[dict]:
    # JIT off for these statements: the planner prices the per-decision history lookups
    # (never run for events that record what they were held to) high enough to compile
    # the query, which costs seconds on a busy server and saves nothing at this size.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _days(value) -> float | None:
    return None if value is None else round(float(value), 1)


def unit_statistics(*, units, period: Period, by: str = "unit",
                    today: date | None = None) -> tuple[list[StatRow], StatRow]:
    """Rows per unit, per service or per unit and service, and the total row."""
    if by not in BY_CHOICES:
        raise InvalidInput(_("Group by unit, service or unit_service."), detail={"field": "by"})
    units = {u.pk: u for u in units}
    start, end = period.bounds()
    params = {"units": list(units), "start": start, "end": end, "tz": settings.TIME_ZONE,
              "late_end": end + timedelta(days=PAPER_REGISTRATION_DAYS),
              "awaiting": str(State.AWAITING_DOCUMENTS),
              "first": period.start, "last": period.end,
              "decisions": list(DECISIONS), "online": ONLINE_ROLE, "extract": EXTRACT_KIND,
              "issued": EXTRACT_ISSUED, "open": [str(s) for s in OPEN_STATES],
              "today": today or timezone.localdate()}
    rows: dict[tuple, StatRow] = {}

    def row(unit_id, kind) -> StatRow:
        key = (unit_id, kind)
        if key not in rows:
            unit, k = units.get(unit_id), kinds.get(kind) if kind else None
            rows[key] = StatRow(teryt=unit.teryt if unit else "", unit=unit.name if unit else "",
                                kind=kind or "", service=str(k.title) if k else (kind or ""))
        return rows[key]

    for r in _fetch(APPLICATIONS_SQL, params):
        target = row(None if r["all_units"] else r["unit_id"],
                     None if r["all_kinds"] else r["kind"])
        target.received, target.online, target.decided = r["received"], r["online"], r["decided"]
        target.silent_consent, target.extracts_issued = r["silent"], r["extracts"]
        target.median_days, target.p90_days = _days(r["median_days"]), _days(r["p90_days"])
        target.deadline_days = _days(r["allowed_days"])
        target.margin_days = _days(r["margin_days"])
        target.on_time = r["on_time"]
        target.online_share = _share(r["online"], r["received"])
        target.on_time_share = _share(r["on_time"], r["with_deadline"])
    for r in _fetch(OVERDUE_SQL, params):
        row(None if r["all_units"] else r["unit_id"],
            None if r["all_kinds"] else r["kind"]).overdue_now = r["overdue"]
    if by == "unit":
        for unit_id in units:
            row(unit_id, None)
        for r in _fetch(TAX_SQL, params):
            target = row(None if r["all_units"] else r["unit_id"], None)
            target.reconciliation_runs, target.open_findings = r["runs"], r["open_findings"]
            target.open_findings_value, target.findings_resolved = r["open_value"], r["resolved"]
            target.value_recovered = r["recovered"]
    total = rows.pop((None, None), None) or StatRow()
    wanted = {"unit": lambda u, k: u is not None and k is None,
              "service": lambda u, k: u is None and k is not None,
              "unit_service": lambda u, k: u is not None and k is not None}[by]
    return [r for (u, k), r in rows.items() if wanted(u, k)], total


def stat_rows_sorted(rows: list[StatRow], sort: str) -> list[StatRow]:
    """Sorted by a column name, `-` first for descending; empty values last either way."""
    name = sort.lstrip("-")
    if name not in StatRow.columns():
        raise InvalidInput(_("Cannot sort by “%(column)s”.") % {"column": sort},
                           detail={"field": "sort"})
    present = [r for r in rows if getattr(r, name) is not None]
    absent = [r for r in rows if getattr(r, name) is None]
    present.sort(key=lambda r: (getattr(r, name), r.teryt, r.kind), reverse=sort.startswith("-"))
    return present + sorted(absent, key=lambda r: (r.teryt, r.kind))

"""Deadlines as data: a kind's statutory defaults (permits/kinds.py), their figures taken
from the dated legal rules in force on the day (core.rules) and corrected by DeadlineRule
rows. Terms in days are calendar days; terms in months end on the same day number of the
month, or the month's last day when it has none (KPA art. 57 § 3); a term ending on a
Saturday or a public holiday ends on the next working day (art. 57 § 4)."""
import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from core.rules import rule_value

from . import kinds


def _easter(year: int) -> date:
    # Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


# Ustawa o dniach wolnych od pracy (as amended; 24 December free since 2025).
FIXED_HOLIDAYS = ((1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 24),
                  (12, 25), (12, 26))
EASTER_OFFSETS = (0, 1, 49, 60)  # Easter Sunday and Monday, Pentecost, Corpus Christi


def public_holidays(year: int) -> frozenset[date]:
    easter = _easter(year)
    fixed = {date(year, m, d) for m, d in FIXED_HOLIDAYS}
    if year < 2025:
        fixed.discard(date(year, 12, 24))
    return frozenset(fixed | {easter + timedelta(days=o) for o in EASTER_OFFSETS})


def next_working_day(day: date) -> date:
    while day.weekday() >= 5 or day in public_holidays(day.year):
        day += timedelta(days=1)
    return day


def term_end(start: date, days: int) -> date:
    """The last day of a term of `days` days counted from `start` (the start day not counted)."""
    return next_working_day(start + timedelta(days=days))


def add_months(start: date, months: int) -> date:
    """KPA art. 57 § 3: the day of the month bearing the start's number, or the month's last
    day when that month has no such day (31 January + 1 month = 28/29 February)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def term_end_months(start: date, months: int) -> date:
    return next_working_day(add_months(start, months))


@dataclass(frozen=True)
class Rule:
    days: int
    source: str
    note: str
    counted_from: str
    months: bool = False


def rule_for(*, unit, kind_code: str, procedure: str, state: str,
             on: date | None = None) -> Rule | None:
    """The deadline rule in force for a state on `on` (today): the unit's row, else all
    units' row, else the kind's statutory default (its figure from the legal rule in force,
    RuleNotInForce when none is); None when the state has no deadline."""
    from .models import DeadlineRule

    kind = kinds.get(kind_code)
    default = next((d for d in (kind.deadlines if kind else ())
                    if d.state == state and d.procedure in ("", procedure)), None)
    rows = DeadlineRule.objects.filter(kind=kind_code, procedure__in=["", procedure], state=state,
                                       unit__in=[unit.pk] if unit else []) | \
        DeadlineRule.objects.filter(kind=kind_code, procedure__in=["", procedure], state=state,
                                    unit__isnull=True)
    override = sorted(rows, key=lambda r: (r.unit_id is None, r.procedure == ""))
    if override:
        row = override[0]
        return Rule(row.days, row.source, str(default.note) if default else "",
                    default.counted_from if default else "state")
    if default:
        days = default.days
        if default.rule_key:
            days = int(rule_value(key=default.rule_key, on=on or timezone.localdate(),
                                  unit=unit))
        return Rule(days, default.source, str(default.note), default.counted_from,
                    default.months)
    return None


def compute(rule: Rule, *, entered: date, submitted: date | None, officer_date: date | None,
            paused_days: int = 0) -> date:
    """The term's end; a term running from submission is extended by `paused_days`, the days
    spent waiting for the applicant's documents (KPA art. 35 § 5: not counted)."""
    start = {"state": entered, "submitted": (submitted or entered) + timedelta(paused_days),
             "date": officer_date or entered}[rule.counted_from]
    return term_end_months(start, rule.days) if rule.months else term_end(start, rule.days)


def days_awaiting(transitions: Iterable[tuple[date, str, str]], *, today: date,
                  awaiting: str = "awaiting_documents") -> int:
    """Days spent in the `awaiting` state, from the case's transitions (day, from, to) in
    order; a stay still open counts until `today`."""
    days, since = 0, None
    for day, source, target in transitions:
        if source == awaiting and since is not None:
            days += (day - since).days
            since = None
        if target == awaiting:
            since = day
    return days + ((today - since).days if since is not None else 0)

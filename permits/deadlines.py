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
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.models import LegalRule
from core.rules import in_force_between, rule_in_force, rule_value

from . import kinds, legal


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


def _holiday_periods(first: date, last: date) -> list[tuple[date, date | None, frozenset]]:
    """The holiday rule's rows (permits/legal.py, national) overlapping first..last, each
    as (from, to, the days it makes holidays in those years)."""
    rows = in_force_between(LegalRule.objects.filter(key=legal.PUBLIC_HOLIDAYS,
                                                     unit__isnull=True), first, last)
    periods = []
    for row in rows:
        days = set()
        try:
            for year in range(first.year, last.year + 1):
                easter = _easter(year)
                days.update(date(year, *map(int, day.split("-")))
                            for day in row.value["fixed"])
                days.update(easter + timedelta(days=int(o)) for o in row.value["easter"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InvalidInput(
                _("The rule “%(rule)s” in force from %(date)s is not valid: give “fixed” as a "
                  "list of days MM-DD and “easter” as a list of days after Easter Sunday.")
                % {"rule": legal.LABELS[legal.PUBLIC_HOLIDAYS], "date": row.valid_from},
                detail={"rule": legal.PUBLIC_HOLIDAYS, "valid_from": str(row.valid_from)},
            ) from error
        periods.append((row.valid_from, row.valid_to, frozenset(days)))
    return periods


def _is_holiday(day: date, periods: list) -> bool:
    """Whether `day` is a public holiday under the rule in force on it; RuleNotInForce when
    no row covers it (a term is never counted with another period's holidays)."""
    for start, end, days in periods:
        if start <= day and (end is None or day <= end):
            return day in days
    rule_in_force(key=legal.PUBLIC_HOLIDAYS, on=day)  # raises, naming the rule and the day
    return False


def public_holidays(year: int) -> frozenset[date]:
    """The public holidays of `year` under the rules in force on each day of it."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    periods = _holiday_periods(first, last)
    for edge in (first, last):  # the whole year is covered, or RuleNotInForce
        _is_holiday(edge, periods)
    candidates = {d for _s, _e, days in periods for d in days if d.year == year}
    return frozenset(d for d in candidates if _is_holiday(d, periods))


def next_working_day(day: date) -> date:
    """`day`, or the first day after it that is neither a Saturday, a Sunday nor a public
    holiday (KPA art. 57 § 4)."""
    periods = _holiday_periods(day, day + timedelta(days=14))
    while day.weekday() >= 5 or _is_holiday(day, periods):
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
             on: date | None = None, payload: dict | None = None) -> Rule | None:
    """The deadline rule in force for a state on `on` (today): the unit's row, else all
    units' row, else the kind's statutory default (its figure from the legal rule in force,
    RuleNotInForce when none is; a default whose term depends on the application, e.g. the
    WZ term by project type, picks its rule from the application's `payload`); None when
    the state has no deadline."""
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
        days, note, source = default.days, str(default.note), default.source
        key = default.rule_key
        if default.rule_key_of is not None:
            key, term_note = default.rule_key_of(payload or {})
            note = f"{note} ({term_note})" if term_note else note
        if key:
            days = int(rule_value(key=key, on=on or timezone.localdate(), unit=unit))
        return Rule(days, source, note, default.counted_from, default.months)
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

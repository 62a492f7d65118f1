"""Legal rules in force on a date: the one place that answers "which rule applies".

A rule is asked for by key, date and unit: the unit's own row in force on that date wins
over the national row (unit empty). A date no row covers raises RuleNotInForce naming
the rule, the date and the unit, so the officer sees what to enter: nothing ever falls
back to another period's figure.

Apps declare their rule keys (`rules_declare`) and, for rule tables of their own (tax
rates, fee rates), a lister of the rows in force (`rule_lister_register`), both from
their AppConfig.ready(); the officer's list of rules in force reads them all.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .errors import RuleNotInForce
from .models import AdministrativeUnit, LegalRule

# key -> (area, label), filled by the apps.
RULES: dict[str, tuple[str, str]] = {}


@dataclass(frozen=True)
class RuleRow:
    """One rule in force, as the officer's list shows it."""

    area: str
    name: str
    value: str
    unit: str
    valid_from: date | None
    valid_to: date | None
    source: str
    verified: bool
    admin_url: str = ""


RuleLister = Callable[[date, QuerySet], Iterable[RuleRow]]
_LISTERS: list[RuleLister] = []
# Codes a rule's value holds (tax classes in the land-use table, the keys of a rule's
# table) -> their names for people.
VALUE_LABELS: dict[str, str] = {}


def rule_value_labels_declare(labels: dict[str, str]) -> None:
    VALUE_LABELS.update(labels)


def rules_declare(area: str, labels: dict[str, str]) -> None:
    for key, label in labels.items():
        RULES[key] = (area, label)


def rule_lister_register(lister: RuleLister) -> None:
    if lister not in _LISTERS:
        _LISTERS.append(lister)


def in_force_on(qs: QuerySet, on: date) -> QuerySet:
    """Rows of a SourcedRule model in force on `on`."""
    return qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def in_force_between(qs: QuerySet, first: date, last: date) -> QuerySet:
    """Rows of a SourcedRule model in force on some day of first..last."""
    return qs.filter(valid_from__lte=last).filter(Q(valid_to__isnull=True)
                                                  | Q(valid_to__gte=first))


def _unit_label(unit: AdministrativeUnit | None) -> str:
    return str(unit) if unit is not None else _("every unit")


def rule_in_force(*, key: str, on: date, unit: AdministrativeUnit | None = None) -> LegalRule:
    """The row of rule `key` in force on `on` for `unit`: the unit's own, else the national."""
    units = Q(unit__isnull=True) | (Q(unit=unit) if unit is not None else Q(pk__in=[]))
    rows = sorted(in_force_on(LegalRule.objects.filter(key=key), on).filter(units),
                  key=lambda r: (r.unit_id is None, -r.valid_from.toordinal()))
    if not rows:
        label = RULES.get(key, ("", key))[1]
        raise RuleNotInForce(
            _("No rule “%(rule)s” is entered in force on %(date)s for %(unit)s. Enter it, "
              "with its legal source, under Legal rules in the administration; the product "
              "does not use another period's figure.")
            % {"rule": label, "date": on.isoformat(), "unit": _unit_label(unit)},
            detail={"rule": key, "date": on.isoformat(), "unit": unit.teryt if unit else ""})
    return rows[0]


def rule_value(*, key: str, on: date, unit: AdministrativeUnit | None = None):
    return rule_in_force(key=key, on=on, unit=unit).value


def rule_values(*, keys: list[str], on: date, unit: AdministrativeUnit | None = None) -> dict:
    """The values of several rules in force on `on` for `unit`, in one query; the first
    key with no row raises RuleNotInForce as rule_in_force does."""
    units = Q(unit__isnull=True) | (Q(unit=unit) if unit is not None else Q(pk__in=[]))
    best: dict[str, LegalRule] = {}
    for row in in_force_on(LegalRule.objects.filter(key__in=keys), on).filter(units):
        held = best.get(row.key)
        if held is None or (row.unit_id is not None, row.valid_from) > (
                held.unit_id is not None, held.valid_from):
            best[row.key] = row
    missing = [key for key in keys if key not in best]
    if missing:
        rule_in_force(key=missing[0], on=on, unit=unit)  # raises, naming it
    return {key: best[key].value for key in keys}


def _legal_rule_rows(on: date, units: QuerySet) -> Iterable[RuleRow]:
    qs = in_force_on(LegalRule.objects.filter(Q(unit__isnull=True) | Q(unit__in=units)), on)
    national = set()
    for row in qs.select_related("unit").order_by("key", "unit_id"):
        area, label = RULES.get(row.key, ("", row.key))
        national.update([row.key] if row.unit_id is None else [])
        yield RuleRow(area, str(label), _value_text(row.value), _unit_label(row.unit),
                      row.valid_from, row.valid_to, row.source, row.verified,
                      f"/admin/core/legalrule/{row.pk}/change/")
    for key in sorted(set(RULES) - national):
        yield rule_missing_row(key, on)


def rule_missing_row(key: str, on: date) -> RuleRow:
    """A declared rule with no national row in force on `on`: listed as not entered (and
    not verified), since a computation needing it refuses until someone enters it."""
    area, label = RULES.get(key, ("", key))
    return RuleRow(area, str(label), _("not entered"), _unit_label(None), None, None,
                   _("no source found on %(date)s: a computation needing it on that day "
                     "refuses") % {"date": on.isoformat()}, False, "/admin/core/legalrule/add/")


def _value_text(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{VALUE_LABELS.get(k, k)}: {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    return str(VALUE_LABELS.get(value, value)) if isinstance(value, str) else str(value)


def rules_in_force(*, on: date, units: QuerySet) -> list[RuleRow]:
    """Every rule in force on `on`, national and of `units`, from every rule table."""
    rows = [*_legal_rule_rows(on, units)]
    for lister in _LISTERS:
        rows.extend(lister(on, units))
    return sorted(rows, key=lambda r: (str(r.area), str(r.name), r.unit))

"""The WZ gate of the 2023 planning reform: for applications filed from the day the act
sets, a WZ decision may be issued only where the gmina's general plan (plan ogólny) is in
force, and then only inside an infill area (obszar uzupełnienia zabudowy) or where the
act makes an exception (which the officer judges; the product does not model them).
The day and the sources are dated rules (permits/legal.py)."""
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from core.rules import rule_in_force
from layers.models import PlanArea
from layers.selectors import general_plan_in_force, plan_area_share

from .. import legal

# A site this much inside the infill areas is inside (drawing tolerance at the edges).
INSIDE_SHARE = 0.99
NOT_APPLICABLE, NO_GENERAL_PLAN, OUTSIDE_INFILL, INSIDE_INFILL = (
    "not_applicable", "no_general_plan", "outside_infill", "inside_infill")


@dataclass(frozen=True)
class Gate:
    code: str
    passed: bool
    message: str
    source: str
    verified: bool


def wz_gate(*, unit, site, filed_on: date, decided_on: date | None = None) -> Gate:
    rule = rule_in_force(key=legal.WZ_GENERAL_PLAN_FROM, on=filed_on, unit=unit)
    required_from = date.fromisoformat(str(rule.value))
    if filed_on < required_from:
        return Gate(NOT_APPLICABLE, True, _(
            "Filed on %(filed)s, before %(from)s: the general plan gate does not apply.") % {
            "filed": filed_on.isoformat(), "from": required_from.isoformat()},
            rule.source, rule.verified)
    on = decided_on or timezone.localdate()
    plan = general_plan_in_force(unit=unit, on=on)
    if plan is None:
        return Gate(NO_GENERAL_PLAN, False, _(
            "No general plan (plan ogólny) of %(unit)s is in force on %(date)s: a WZ decision "
            "cannot be issued for an application filed from %(from)s.") % {
            "unit": unit.name, "date": on.isoformat(), "from": required_from.isoformat()},
            rule.source, rule.verified)
    share = plan_area_share(plan=plan, kind=PlanArea.INFILL, geom=site)
    params = {"plan": plan.name, "since": plan.valid_from.isoformat(),
              "share": round(share * 100)}
    if share >= INSIDE_SHARE:
        return Gate(INSIDE_INFILL, True, _(
            "The site lies inside an infill area of the general plan %(plan)s (in force "
            "since %(since)s).") % params, rule.source, rule.verified)
    return Gate(OUTSIDE_INFILL, False, _(
        "The site lies outside the infill areas of the general plan %(plan)s (in force since "
        "%(since)s; %(share)s%% of the site inside): a WZ decision is possible only inside "
        "one, unless an exception of the act applies.") % params, rule.source, rule.verified)

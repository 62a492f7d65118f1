"""The import report as a planner reads it: what was found, where, and what happened.

Written in the language active when it is printed: Polish by default, English by the
language switch (the problems themselves were translated when found)."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .problems import Problem, problem_zones

_KIND = {"general": gettext_lazy("general plan"), "local": gettext_lazy("local plans")}


def report_lines(result) -> list[str]:
    """Lines of the report of a ZoningImportResult (imported, rejected or dry run)."""
    kind = str(_KIND.get(result.kind, result.kind))
    mode = _(" (check only, nothing written)") if result.dry_run else ""
    lines = [_("Import of the %(kind)s for unit %(unit)s%(mode)s") % {
                 "kind": kind, "unit": result.unit, "mode": mode},
             _("Files: %(files)s") % {"files": ", ".join(result.files)}]
    for plan in result.plans:
        change = (_("a new plan") if plan.created else
                  _("replaces %(n)d zones") % {"n": plan.zones_before})
        lines.append(_("Plan %(id)s “%(name)s”: %(zones)d zones (%(change)s)") % {
            "id": plan.identifier, "name": plan.name, "zones": plan.zones, "change": change})
    for title, problems in ((_("Errors"), result.errors), (_("Warnings"), result.warnings)):
        if problems:
            lines.append(f"{title} ({len(problems)}):")
            lines.extend("  " + problem_line(p) for p in problems)
    lines.append(_outcome(result))
    return lines


def problem_line(problem: Problem) -> str:
    where = problem.file + (f":{problem.line}" if problem.line else "")
    zones = (" " + _("zones %(ids)s:") % {"ids": ", ".join(problem_zones(problem))}
             if problem.feature_id else "")
    return f"[{problem.code}] {where}{zones} {problem.message}"


def _outcome(result) -> str:
    if result.errors:
        return _("Result: REFUSED – the files have errors, nothing was written.")
    if result.dry_run:
        return _("Result: no errors – ready to import (nothing written).")
    zones = sum(plan.zones for plan in result.plans)
    return _("Result: imported %(plans)d plan(s), %(zones)d zones.") % {
        "plans": len(result.plans), "zones": zones}

"""The import report as a planner reads it: what was found, where, and what happened."""
from .problems import Problem, problem_zones

_KIND = {"general": "planu ogólnego", "local": "planów miejscowych"}


def report_lines(result) -> list[str]:
    """Lines of the Polish report of a ZoningImportResult (imported, rejected or dry run)."""
    mode = " (sprawdzenie, bez zapisu)" if result.dry_run else ""
    lines = [f"Import {_KIND.get(result.kind, result.kind)} dla jednostki {result.unit}{mode}",
             "Pliki: " + ", ".join(result.files)]
    for plan in result.plans:
        change = "nowy plan" if plan.created else f"zastępuje {plan.zones_before} stref"
        lines.append(f"Plan {plan.identifier} „{plan.name}”: {plan.zones} stref ({change})")
    for title, problems in (("Błędy", result.errors), ("Ostrzeżenia", result.warnings)):
        if problems:
            lines.append(f"{title} ({len(problems)}):")
            lines.extend("  " + problem_line(p) for p in problems)
    lines.append(_outcome(result))
    return lines


def problem_line(problem: Problem) -> str:
    where = problem.file + (f":{problem.line}" if problem.line else "")
    zones = f" strefy {', '.join(problem_zones(problem))}:" if problem.feature_id else ""
    return f"[{problem.code}] {where}{zones} {problem.message}"


def _outcome(result) -> str:
    if result.errors:
        return "Wynik: ODRZUCONO – pliki zawierają błędy, niczego nie zapisano."
    if result.dry_run:
        return "Wynik: bez błędów – można importować (nic nie zapisano)."
    zones = sum(plan.zones for plan in result.plans)
    return f"Wynik: zaimportowano {len(result.plans)} plan(y), {zones} stref."

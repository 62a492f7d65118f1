"""The cadastre import's report as a gmina reads it: what happened, then the problems
grouped by kind, each group with its count and first examples.

The same report is printed by `import_cadastre`, shown on the import's job page, and
given in full (every problem kept) as a CSV download. Titles are translated when the
report is written (Polish by default, English by the language switch); the problems'
own details name the file, line, gml:id and object, never personal data.
"""
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import csv_export

from .errors import ERROR, WARNING, Problem
from .importers.feature_types import STAGED, type_group

EXAMPLES = 3
KINDS = ("parcel", "building", "precinct", "register_unit", "owner", "share")
ACTIONS = ("created", "updated", "retired", "unchanged", "rejected")
KIND_NAMES = {**STAGED, "owner": gettext_lazy("owners")}
ACTION_NAMES = {
    "created": gettext_lazy("created"), "updated": gettext_lazy("updated"),
    "retired": gettext_lazy("retired"), "unchanged": gettext_lazy("unchanged"),
    "rejected": gettext_lazy("rejected"),
}
# The import's steps, as ImportResult.phases names them.
PHASE_NAMES = {"read and stage": gettext_lazy("reading"), "check": gettext_lazy("checks"),
               "merge": gettext_lazy("writing")}
# Every problem code, as the report's group title.
TITLES = {
    "no_file": gettext_lazy("The file does not exist"),
    "empty_file": gettext_lazy("The file is empty"),
    "file_size": gettext_lazy("The file is too large"),
    "unknown_format": gettext_lazy("Not a cadastre file this product reads"),
    "unit_not_gmina": gettext_lazy("The unit is neither a gmina nor a powiat"),
    "unknown_gmina": gettext_lazy("A gmina of the file is not set up"),
    "county_swde": gettext_lazy("A county file in SWDE"),
    "not_xml": gettext_lazy("Not XML"),
    "unknown_namespace": gettext_lazy("Unknown XML namespace"),
    "xml_syntax": gettext_lazy("The XML is damaged or truncated"),
    "bad_encoding": gettext_lazy("Text not in the file's encoding"),
    "bad_crs": gettext_lazy("Unknown coordinate system"),
    "other_unit": gettext_lazy("The file is another unit's"),
    "no_parcels": gettext_lazy("The file holds no parcels"),
    "database_error": gettext_lazy("The database refused the data"),
    "ogr_open": gettext_lazy("OGR cannot open the file"),
    "ogr_layer": gettext_lazy("No layer of parcels"),
    "ogr_mapping": gettext_lazy("Field mapping does not fit the file"),
    "no_area_field": gettext_lazy("No registered area field"),
    "bad_character": gettext_lazy("Character not allowed"),
    "bad_date": gettext_lazy("Dates that are not dates (left empty)"),
    "no_geometry": gettext_lazy("Objects without geometry"),
    "bad_geometry": gettext_lazy("Unreadable geometry"),
    "bad_number": gettext_lazy("Numbers that are not numbers"),
    "bad_parcel_id": gettext_lazy("Malformed or foreign parcel ids"),
    "bad_kw": gettext_lazy("Malformed land register (KW) numbers (left empty)"),
    "bad_land_use": gettext_lazy("Malformed land-use pieces"),
    "bad_building_id": gettext_lazy("Missing or foreign building ids"),
    "malformed_building_id": gettext_lazy("Malformed building ids (e.g. placeholders)"),
    "building_without_geometry": gettext_lazy("Buildings without a footprint"),
    "unknown_kst": gettext_lazy("Unknown KŚT building classes"),
    "bad_precinct": gettext_lazy("Malformed or foreign precinct ids"),
    "bad_register_unit": gettext_lazy("Malformed register units"),
    "bad_owner": gettext_lazy("Owners without a name"),
    "bad_pesel": gettext_lazy("PESEL numbers failing their check digit (not stored)"),
    "bad_regon": gettext_lazy("REGON numbers failing their check digit (not stored)"),
    "swde_line": gettext_lazy("SWDE lines not read"),
    "duplicate_object": gettext_lazy("One IIP identifier given twice as current"),
    "duplicate_parcel": gettext_lazy("Duplicate parcel ids (no IIP identifier)"),
    "duplicate_parcel_id": gettext_lazy("One parcel id held by several objects"),
    "duplicate_building": gettext_lazy("Duplicate building ids (no IIP identifier)"),
    "duplicate_building_id": gettext_lazy("One building id held by several objects"),
    "duplicate_gml_id": gettext_lazy("Duplicate gml:id"),
    "duplicate_register_unit": gettext_lazy("Duplicate register units"),
    "area_mismatch": gettext_lazy("Registered area differs from the drawn area"),
    "bad_share": gettext_lazy("Shares that are not proper fractions"),
    "unsupported_right": gettext_lazy("Rights the model does not hold"),
    "unsupported_owner": gettext_lazy("Shares of group subjects"),
    "unresolved_link": gettext_lazy("Links to objects not in the file"),
    "outside_poland": gettext_lazy("Coordinates outside Poland (axis order?)"),
    "unknown_crs": gettext_lazy("Coordinate systems PostGIS does not know"),
    "invalid_geometry": gettext_lazy("Invalid geometry"),
    "empty_geometry": gettext_lazy("Nothing left of a geometry after repair"),
    "outside_unit": gettext_lazy("Objects outside the unit's boundary"),
}


def problem_title(code: str) -> str:
    return str(TITLES.get(code, code))


@dataclass(frozen=True)
class ProblemGroup:
    code: str
    severity: str
    count: int
    whole_file: bool
    examples: tuple[Problem, ...]

    @property
    def title(self) -> str:
        return problem_title(self.code)


def problem_groups(problems: Iterable[Problem], by_code: dict[str, int] | None = None
                   ) -> list[ProblemGroup]:
    """File-level errors first, then object errors, then warnings; larger groups first.

    `by_code` gives the full counts where the kept problems are fewer than were found."""
    problems = list(problems)
    counted = Counter(p.code for p in problems)
    groups = []
    for code in counted:
        members = [p for p in problems if p.code == code]
        first = members[0]
        groups.append(ProblemGroup(code, first.severity, (by_code or counted).get(code, 0)
                                   or counted[code], not first.kind and first.severity == ERROR,
                                   tuple(members[:EXAMPLES])))
    return sorted(groups, key=lambda g: (not g.whole_file, g.severity != ERROR, -g.count))


def group_lines(groups: list[ProblemGroup]) -> list[str]:
    lines = []
    for title, errors in ((_("Errors"), True), (_("Warnings"), False)):
        chosen = [g for g in groups if (g.severity == ERROR) == errors]
        if not chosen:
            continue
        lines.append(f"{title} ({sum(g.count for g in chosen)}):")
        for group in chosen:
            lines.append(f"  {group.title}: {group.count}")
            lines.extend(f"    {p}" for p in group.examples)
            if group.count > len(group.examples):
                lines.append("    " + _("… and %(more)d more") % {
                    "more": group.count - len(group.examples)})
    return lines


def count_lines(counts: dict) -> list[str]:
    """A table of what happened to each kind of object (counts as the job stores them)."""
    width = max(len(str(ACTION_NAMES[a])) for a in ACTIONS) + 2
    lines = [" " * 22 + "".join(f"{ACTION_NAMES[a]!s:>{width}}" for a in ACTIONS)]
    for kind in KINDS:
        row = counts.get(kind)
        if row and any(row.get(a) for a in ACTIONS):
            lines.append(f"{KIND_NAMES[kind]!s:<22}"
                         + "".join(f"{row.get(a, 0):>{width}}" for a in ACTIONS))
    return lines


def skipped_line(skipped: dict[str, int]) -> str | None:
    if not skipped:
        return None
    by_group: Counter[str] = Counter()
    for name, n in skipped.items():
        by_group[f"{type_group(name)} ({name})"] += n
    return _("Skipped, not modelled: %(types)s") % {
        "types": ", ".join(f"{words} {n}" for words, n in sorted(by_group.items()))}


def phases_text(phases: dict[str, float]) -> str:
    """`reading 1.2 s, checks 0.3 s, writing 0.8 s`: the time each step took."""
    return ", ".join(f"{PHASE_NAMES.get(name, name)} {number_format(seconds, 1)} s"
                     for name, seconds in phases.items())


def report_lines(*, source: str, fmt: str, counts: dict, problems: list[Problem],
                 imported: bool, dry_run: bool = False) -> list[str]:
    """The whole report: outcome, counts, skipped types, grouped problems."""
    if not imported:
        outcome = _("%(file)s: not imported, nothing was changed.") % {"file": source}
    elif dry_run:
        outcome = _("%(file)s (%(format)s): checked, nothing written (dry run).") % {
            "file": source, "format": fmt}
    else:
        outcome = _("%(file)s (%(format)s): imported.") % {"file": source, "format": fmt}
    lines = [outcome]
    if imported:
        lines += count_lines(counts)
    if skipped := skipped_line(counts.get("skipped") or {}):
        lines.append(skipped)
    lines += group_lines(problem_groups(problems, counts.get("problems")))
    return lines


CSV_COLUMNS = (gettext_lazy("severity"), gettext_lazy("code"), gettext_lazy("problem"),
               gettext_lazy("kind"), gettext_lazy("file"), gettext_lazy("line"),
               gettext_lazy("feature id"), gettext_lazy("object id"), gettext_lazy("message"))
SEVERITY_NAMES = {ERROR: gettext_lazy("error"), WARNING: gettext_lazy("warning")}
# The kind of object a problem is about (staging's kinds), one of them.
OBJECT_NAMES = {
    "parcel": gettext_lazy("parcel"), "building": gettext_lazy("building"),
    "precinct": gettext_lazy("precinct"), "land_use": gettext_lazy("land-use piece"),
    "register_unit": gettext_lazy("register unit"), "subject": gettext_lazy("owner"),
    "share": gettext_lazy("ownership share"),
}


def problems_csv(problems: Iterable[Problem]) -> bytes:
    """Every problem kept, one a row, for the county or a spreadsheet: UTF-8 with a BOM and
    semicolons, as Polish spreadsheets open it, file text made inert (core.exports). The
    code column stays the same in every language, for programs."""
    return csv_export(CSV_COLUMNS, ((
        SEVERITY_NAMES.get(p.severity, p.severity), p.code, problem_title(p.code),
        OBJECT_NAMES.get(p.kind, p.kind), p.file, p.line or "", p.feature_id, p.object_id,
        p.text) for p in problems))

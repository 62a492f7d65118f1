"""Reads of the tax register: what a user may see, findings with filters and totals,
runs, imports, and the personal data behind a finding (for its tax officers only)."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import ensure_unit_access, units_allowing
from core.errors import NotFound
from core.models import AdministrativeUnit, LegalRule
from core.roles import TAX_OFFICER
from core.rules import RuleRow

from ..models import Owner
from .models import ReconciliationRun, TaxFinding, TaxImport, Taxpayer, TaxRate
from .rules import CATEGORY_COLOURS, CATEGORY_NAMES, FINDING_CATEGORIES

FINDING = "cadastre_sync.taxfinding"
TAXPAYER = "cadastre_sync.taxpayer"


def tax_units(*, user) -> QuerySet[AdministrativeUnit]:
    """Units whose findings `user` may see."""
    return units_allowing(user, FINDING, "view")


def tax_unit_get(*, user, teryt: str, action: str = "view") -> AdministrativeUnit:
    """The unit, after checking `user` may `action` its findings (401/403 otherwise)."""
    unit = AdministrativeUnit.objects.filter(teryt=teryt).first()
    if unit is None:
        raise NotFound(detail={"unit": teryt})
    ensure_unit_access(user, unit, FINDING, action)
    return unit


@dataclass(frozen=True)
class FindingFilters:
    category: str = ""
    status: str = TaxFinding.OPEN
    severity: str = ""
    assigned: str = ""  # "", "me", "nobody"
    parcel: str = ""

    @classmethod
    def from_query(cls, query) -> "FindingFilters":
        return cls(**{name: (query.get(name) or "").strip()[:64]
                      for name in ("category", "severity", "assigned", "parcel")},
                   status=(query.get("status", TaxFinding.OPEN) or "").strip()[:10])


def finding_list(*, unit: AdministrativeUnit, filters: FindingFilters, user) -> QuerySet:
    qs = TaxFinding.objects.filter(unit=unit).select_related("assigned_to", "first_run")
    table = {
        "category": Q(category=filters.category),
        "status": Q(status=filters.status),
        "severity": Q(severity=filters.severity),
        "parcel": Q(parcel_ref__icontains=filters.parcel) | Q(building_ref__icontains=
                                                               filters.parcel),
    }
    for name, condition in table.items():
        if getattr(filters, name):
            qs = qs.filter(condition)
    if filters.assigned == "me":
        qs = qs.filter(assigned_to=user)
    elif filters.assigned == "nobody":
        qs = qs.filter(assigned_to__isnull=True)
    return qs.order_by("category", "-estimate", "id")


@dataclass(frozen=True)
class CategoryTotal:
    code: str
    name: str
    colour: str
    findings: int
    estimate: Decimal


def finding_totals(*, findings: QuerySet) -> tuple[list[CategoryTotal], CategoryTotal]:
    """Count and estimated annual difference per category, in the categories' order."""
    rows = {r["category"]: r for r in findings.order_by().values("category").annotate(
        n=Count("id"), total=Sum("estimate"))}
    totals = [CategoryTotal(code, str(name), colour, rows[code]["n"],
                            rows[code]["total"] or Decimal(0))
              for code, name, colour in FINDING_CATEGORIES if code in rows]
    overall = CategoryTotal("", "", "", sum(t.findings for t in totals),
                            sum((t.estimate for t in totals), Decimal(0)))
    return totals, overall


def finding_get(*, user, teryt: str, pk: int, action: str = "view") -> TaxFinding:
    """The finding `pk` of the unit `teryt`, after checking `user` may `action` that unit's
    findings. Another unit's finding answers 404 like a missing one: the answer never
    tells whether a finding exists where the user cannot look."""
    unit = tax_unit_get(user=user, teryt=teryt, action=action)
    return get_object_or_404(TaxFinding.objects.select_related("unit", "assigned_to"),
                             pk=pk, unit=unit)


def run_list(*, unit: AdministrativeUnit) -> QuerySet:
    return ReconciliationRun.objects.filter(unit=unit).select_related("created_by")


def import_list(*, unit: AdministrativeUnit) -> QuerySet:
    return TaxImport.objects.filter(unit=unit).select_related("created_by")


def tax_officers(*, unit: AdministrativeUnit):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__unit=unit, memberships__role=TAX_OFFICER).order_by("username").distinct()


@dataclass(frozen=True)
class PersonalData:
    owners: list[Owner]
    taxpayers: list[Taxpayer]


def finding_personal_data(*, user, finding: TaxFinding) -> PersonalData:
    """Owners and taxpayers of the finding's parcel: only for who may see taxpayers there."""
    ensure_unit_access(user, finding.unit, TAXPAYER, "view")
    owner_ids = [o["id"] for o in finding.evidence.get("owners", [])]
    taxpayer_ids = [t["id"] for t in finding.evidence.get("taxpayers", [])]
    if finding.parcel_ref and not taxpayer_ids:
        taxpayer_ids = list(Taxpayer.objects.filter(
            unit=finding.unit, holdings__account__tax_objects__parcel_ref=finding.parcel_ref)
            .values_list("id", flat=True).distinct())
    return PersonalData(
        owners=list(Owner.objects.filter(unit=finding.unit, pk__in=owner_ids).order_by("id")),
        taxpayers=list(Taxpayer.objects.filter(unit=finding.unit, pk__in=taxpayer_ids)
                       .prefetch_related("holdings__account").order_by("id")))


def category_name(code: str) -> str:
    return str(CATEGORY_NAMES.get(code, code))


def category_colour(code: str) -> str:
    return CATEGORY_COLOURS.get(code, "#757575")


MAP_MAX_FINDINGS = 5000


def map_findings(*, unit: AdministrativeUnit, findings: QuerySet) -> dict:
    """Findings with a geometry as SVG paths in a 1000-unit frame (north up), for the map,
    over the outlines of the current parcels around them."""
    from django.db import connection

    ids = list(findings.filter(geom__isnull=False).values_list("id", flat=True)
               [:MAP_MAX_FINDINGS])
    if not ids:
        return {"shapes": [], "viewbox": "0 0 1000 1000", "parcels": ""}
    with connection.cursor() as cur:
        cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                    "(SELECT ST_Expand(ST_Extent(geom), 30) e FROM cadastre_sync_taxfinding "
                    "WHERE id = ANY(%s)) x", [ids])
        x0, y0, x1, y1 = cur.fetchone()
        scale = 1000.0 / max(x1 - x0, y1 - y0)
        cur.execute(
            "SELECT id, category, severity, parcel_ref, building_ref, estimate, "
            "ST_AsSVG(ST_Scale(ST_Translate(geom, %s, %s), %s, %s), 0, 1) "
            "FROM cadastre_sync_taxfinding WHERE id = ANY(%s) ORDER BY ST_Area(geom) DESC",
            [-x0, -y1, scale, scale, ids])
        shapes = [{"id": r[0], "category": r[1], "colour": category_colour(r[1]),
                   "name": category_name(r[1]), "severity": r[2],
                   "label": r[3] or r[4], "estimate": r[5], "path": r[6]}
                  for r in cur.fetchall()]
        # The current parcels around, for orientation (outlines only).
        cur.execute(
            "SELECT string_agg(ST_AsSVG(ST_Scale(ST_Translate(geom, %s, %s), %s, %s), 0, 1), ' ')"
            " FROM (SELECT geom FROM cadastre_sync_parcel WHERE unit_id = %s "
            "AND retired_at IS NULL AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 2180) "
            "LIMIT 20000) p", [-x0, -y1, scale, scale, unit.pk, x0, y0, x1, y1])
        parcels = cur.fetchone()[0] or ""
    width, height = (x1 - x0) * scale, (y1 - y0) * scale
    return {"shapes": shapes, "viewbox": f"0 0 {width:.0f} {height:.0f}", "parcels": parcels}


def tax_rates_in_force(on, units) -> list:
    """The tax rates of `on`'s year as rows of the officer's list of rules in force
    (core.rules): the statutory maxima and the units' own resolutions."""
    qs = (TaxRate.objects.filter(year=on.year).filter(Q(unit__isnull=True) | Q(unit__in=units))
          .select_related("unit").order_by("key", "unit_id"))
    return [RuleRow(str(_("tax")), str(row.get_key_display()), str(row.rate),
                    str(row.unit) if row.unit_id else str(_("every unit")),
                    date(row.year, 1, 1), date(row.year, 12, 31),
                    "; ".join(p for p in (row.source, row.note) if p), row.verified,
                    f"/admin/cadastre_sync/taxrate/{row.pk}/change/") for row in qs]


def next_year_tax_rules_missing(on, units) -> list:
    """The next tax year's national figures published by now and not entered: the
    statutory maxima (the Minister's obwieszczenie, published by August) from August, and
    the rye and wood prices (the GUS communiqués of October) from November. Listed as not
    entered and not verified, so the officer sees before January that a run for that year
    will refuse."""
    from core.rules import RULES, in_force_on, rule_missing_row

    from . import rules as tax_rules

    year, missing = on.year + 1, []
    if on.month >= 8 and not TaxRate.objects.filter(unit__isnull=True, year=year).exists():
        missing.append(RuleRow(
            str(_("tax")), str(_("statutory maxima of the property tax for %(year)s")
                               % {"year": year}), str(_("not entered")), str(_("every unit")),
            date(year, 1, 1), date(year, 12, 31),
            str(_("the Minister of Finance's obwieszczenie on the upper limits of local tax "
                  "rates for %(year)s was not found; a run for %(year)s refuses until they "
                  "are entered") % {"year": year}), False, "/admin/cadastre_sync/taxrate/add/"))
    if on.month >= 11:
        first = date(year, 1, 1)
        for key in (tax_rules.RYE_PRICE, tax_rules.WOOD_PRICE):
            if key in RULES and not in_force_on(
                    LegalRule.objects.filter(key=key, unit__isnull=True), first).exists():
                row = rule_missing_row(key, first)
                missing.append(RuleRow(row.area, f"{row.name} ({year})", row.value, row.unit,
                                       first, date(year, 12, 31), row.source, False,
                                       row.admin_url))
    return missing


@dataclass(frozen=True)
class RunStep:
    label: str
    done: bool
    done_at: datetime | None  # aware; shown in the unit's time zone by the page


def run_steps(*, run: ReconciliationRun) -> list[RunStep]:
    """The run's steps in order, each with when it ended: read from the job's log, whose
    lines are "HH:MM:SS <step>" in UTC from the day the run started."""
    from .reconcile import STEP_LABELS, STEPS

    ended: dict[str, datetime] = {}
    day = (run.started_at or run.created_at).astimezone(UTC)
    previous = day
    for line in run.log.splitlines():
        clock, _sep, name = line.partition(" ")
        try:
            at = datetime.combine(day.date(), time.fromisoformat(clock), tzinfo=UTC)
        except ValueError:
            continue
        if at < previous - timedelta(hours=12):  # the run went past midnight (UTC)
            at += timedelta(days=1)
        ended[name], previous = at, at
    return [RunStep(str(STEP_LABELS.get(name, name)), i < run.progress_done, ended.get(name))
            for i, (name, _statements) in enumerate(STEPS)]


# Why a run compared the whole unit rather than only what changed (coverage.full_because).
FULL_BECAUSE = {
    "asked": gettext_lazy("a full run was asked for"),
    "first_run": gettext_lazy("this is the unit's first run"),
    "rules_changed": gettext_lazy("the tax year, rates, rules or settings differ from the "
                                  "last run's"),
    "bulk_change": gettext_lazy("a whole import or another bulk change came in since the "
                                "last run"),
    "large_change": gettext_lazy("the changes since the last run touch too much of the unit"),
}


def run_coverage(*, run: ReconciliationRun) -> list[str]:
    """What the run re-checked, in sentences for its page: full (and why) or incremental
    (how many changes, parcels and buildings)."""
    coverage = run.coverage or {}
    if run.status == ReconciliationRun.QUEUED or not coverage:
        return []
    if run.scope == ReconciliationRun.INCREMENTAL:
        lines = [_("Incremental: only what changed since the last run was re-checked.")]
        lines.append(_(
            "%(changes)d recorded changes to the cadastre or the tax register; re-checked "
            "%(parcels)d parcels and %(buildings)d buildings of %(unit_parcels)d current "
            "parcels.") % {k: coverage.get(k, 0) for k in
                           ("changes", "parcels", "buildings", "unit_parcels")})
        if "not_rechecked" in run.counts:
            lines.append(_("%(n)d open findings the changes did not touch were left as "
                                 "they were.") % {"n": run.counts["not_rechecked"]})
        return lines
    reason = FULL_BECAUSE.get(coverage.get("full_because", ""), "")
    return [_("Full: the whole unit was compared (%(reason)s).") % {"reason": reason}
            if reason else _("Full: the whole unit was compared.")]


# What a tax import changed, per kind of record: the page's table rows and columns.
IMPORT_RECORDS = (("accounts", gettext_lazy("tax accounts")),
                  ("taxpayers", gettext_lazy("taxpayers")),
                  ("holders", gettext_lazy("account holders")),
                  ("objects", gettext_lazy("taxed objects")))
IMPORT_CHANGES = ("created", "updated", "deleted", "unchanged")


def import_changes(*, job: TaxImport) -> list[tuple[str, list[int | None]]]:
    """[(record label, [created, updated, deleted, unchanged])]; None where not counted."""
    counts = job.counts or {}
    return [(str(label), [counts[key].get(change) for change in IMPORT_CHANGES])
            for key, label in IMPORT_RECORDS if isinstance(counts.get(key), dict)]


def conversion_factors_in_force(on, units) -> list:
    """The conversion hectare factors (agricultural tax act art. 4) in force on `on`, one
    row per land group and district, for the officer's list of rules in force, each with
    its period, source and whether it was verified (all of a row's factors must be)."""
    from core.rules import in_force_on

    from .models import ConversionFactor

    table: dict[tuple[str, int], list] = {}
    for row in in_force_on(ConversionFactor.objects.all(), on).order_by(
            "land_group", "district", "soil_class"):
        table.setdefault((row.get_land_group_display(), row.district), []).append(row)
    return [RuleRow(str(_("tax")), str(_("conversion factors, %(group)s, district %(d)s")
                                       % {"group": group, "d": district}),
                    "; ".join(f"{r.soil_class}: {r.factor}" for r in rows),
                    str(_("every unit")), max(r.valid_from for r in rows),
                    min((r.valid_to for r in rows if r.valid_to), default=None),
                    "; ".join(dict.fromkeys(p for r in rows for p in (r.source, r.note) if p)),
                    all(r.verified for r in rows), "/admin/cadastre_sync/conversionfactor/")
            for (group, district), rows in table.items()]


def precinct_names(*, unit: AdministrativeUnit) -> dict[str, str]:
    """The unit's precincts by number, to name parcels known only by their ids."""
    from ..models import Precinct

    return dict(Precinct.objects.filter(unit=unit).values_list("number", "name"))

"""A unit's set-up checklist and its traffic light, for every unit under an operator.

Each item is read from the data itself (no flags an administrator ticks), in a fixed number
of grouped queries whatever the number of units: one per kind of data, never one per unit.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cadastre_sync.models import CadastreImport, Parcel, TaxRate, TaxSettings
from core.models import AdministrativeUnit, Membership
from core.roles import CASE_OFFICER, OPERATOR, ROLE_CHOICES, TAX_OFFICER, UNIT_ADMIN
from layers.models import PlanArea, ZoningPlan
from permits import kinds
from permits.models import KindSetting
from permits.trees.models import FeeRate

OK, WARN, MISSING = "ok", "warn", "missing"
GREEN, AMBER, RED = "green", "amber", "red"

# A cadastre copy older than this is shown as stale: counties change EGiB daily and a
# gmina deciding on last season's parcels misnames owners and areas (product policy).
CADASTRE_FRESH_DAYS = 90
# Roles a unit needs in place to run its services: without an administrator nobody can
# add staff, without a case officer nobody handles applications.
REQUIRED_ROLES = (UNIT_ADMIN, CASE_OFFICER)


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    state: str
    detail: str
    fix_url: str = ""


@dataclass
class UnitChecklist:
    unit: AdministrativeUnit
    items: list[Item] = field(default_factory=list)

    @property
    def light(self) -> str:
        states = {i.state for i in self.items}
        if MISSING in states:
            return RED
        return AMBER if WARN in states else GREEN

    @property
    def missing(self) -> list[Item]:
        return [i for i in self.items if i.state in (MISSING, WARN)]

    def as_dict(self) -> dict:
        return {"teryt": self.unit.teryt, "name": self.unit.name, "level": self.unit.level,
                "light": self.light,
                "items": [{"key": i.key, "label": i.label, "state": i.state,
                           "detail": i.detail, "fix_url": i.fix_url} for i in self.items]}


def _admin(name: str, *args, **query) -> str:
    url = reverse(f"admin:{name}", args=args)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


class _Facts:
    """Everything the checklist reads, fetched once for all `units` (grouped queries)."""

    def __init__(self, units: list[AdministrativeUnit], today: date) -> None:
        ids = [u.pk for u in units]
        self.today = today
        self.parcels = dict(Parcel.objects.filter(unit__in=ids, retired_at__isnull=True)
                            .values_list("unit").annotate(n=Count("pk")).order_by())
        self.imported = dict(CadastreImport.objects.filter(
            unit__in=ids, status=CadastreImport.SUCCEEDED).values_list("unit")
            .annotate(last=Max("finished_at")).order_by())
        in_force = (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
            Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        self.plans: dict[int, dict[str, list[int]]] = defaultdict(dict)
        for unit_id, kind, total, current in (
                ZoningPlan.objects.filter(unit__in=ids).values_list("unit", "kind")
                .annotate(total=Count("pk"), current=Count("pk", filter=in_force)).order_by()):
            self.plans[unit_id][kind] = [total, current]
        self.infill = dict(PlanArea.objects.filter(
            plan__unit__in=ids, plan__kind=ZoningPlan.GENERAL, kind=PlanArea.INFILL)
            .values_list("plan__unit").annotate(n=Count("pk")).order_by())
        self.kinds: dict[int, list[KindSetting]] = defaultdict(list)
        for setting in KindSetting.objects.filter(unit__in=ids, enabled=True):
            self.kinds[setting.unit_id].append(setting)
        self.staff: dict[int, dict[str, int]] = defaultdict(dict)
        for unit_id, role, n in (Membership.objects.filter(unit__in=ids).exclude(role=OPERATOR)
                                 .values_list("unit", "role").annotate(n=Count("pk")).order_by()):
            self.staff[unit_id][role] = n
        self.fee_rates = dict(FeeRate.objects.filter(unit__in=ids).values_list("unit")
                              .annotate(n=Count("pk")).order_by())
        self.tax_rates = dict(TaxRate.objects.filter(unit__in=ids, year=today.year)
                              .values_list("unit").annotate(n=Count("pk")).order_by())
        self.tax_units = set(TaxSettings.objects.filter(unit__in=ids)
                             .values_list("unit", flat=True)) | {
            u for u, roles in self.staff.items() if roles.get(TAX_OFFICER)}

    def parcels_under(self, unit: AdministrativeUnit, units_by_id: dict) -> int:
        """A gmina's own parcels; a powiat's or voivodeship's: those of its units too."""
        return sum(n for uid, n in self.parcels.items()
                   if units_by_id[uid].teryt.startswith(unit.teryt))


def _boundary(unit, facts) -> Item:
    url = _admin("core_administrativeunit_change", unit.pk)
    if unit.boundary is None:
        return Item("boundary", _("Boundary"), MISSING, _("No boundary: the unit's map and "
                    "restricted map services cannot be clipped to it."), url)
    return Item("boundary", _("Boundary"), OK, _("Boundary loaded."), url)


def _cadastre(unit, facts, units_by_id) -> Item:
    url = _admin("cadastre_sync_cadastreimport_add") + f"?unit={unit.pk}"
    count = facts.parcels_under(unit, units_by_id)
    last = facts.imported.get(unit.pk)
    if not count:
        return Item("cadastre", _("Cadastre"), MISSING, _("No parcels imported."), url)
    parcels = ngettext("%(n)s current parcel", "%(n)s current parcels", count) % {"n": count}
    if last is None:
        return Item("cadastre", _("Cadastre"), WARN, _("%(parcels)s; no import job recorded, so "
                    "its freshness is unknown.") % {"parcels": parcels}, url)
    age = (facts.today - timezone.localdate(last)).days
    detail = _("%(parcels)s; last imported %(date)s (%(days)s days ago).") % {
        "parcels": parcels, "date": timezone.localdate(last).isoformat(), "days": age}
    return Item("cadastre", _("Cadastre"), OK if age <= CADASTRE_FRESH_DAYS else WARN, detail,
                url)


def _plans(unit, facts) -> Item:
    url = _admin("layers_zoningplan_changelist", unit__id__exact=unit.pk)
    plans = facts.plans.get(unit.pk, {})
    general = plans.get(ZoningPlan.GENERAL, [0, 0])
    local = plans.get(ZoningPlan.LOCAL, [0, 0])
    if not general[0] and not local[0]:
        return Item("plans", _("Plans"), MISSING, _("No plan loaded."), url)
    detail = _("General plan: %(g_now)s in force of %(g)s loaded; local plans: %(l_now)s in "
               "force of %(l)s loaded.") % {"g_now": general[1], "g": general[0],
                                           "l_now": local[1], "l": local[0]}
    return Item("plans", _("Plans"), OK if general[1] else WARN, detail, url)


def _ouz(unit, facts) -> Item:
    url = _admin("layers_zoningplan_changelist", unit__id__exact=unit.pk)
    general = facts.plans.get(unit.pk, {}).get(ZoningPlan.GENERAL, [0, 0])
    count = facts.infill.get(unit.pk, 0)
    if count:
        return Item("ouz", _("Infill development areas (OUZ)"), OK,
                    ngettext("%(n)s infill area in the general plan.",
                             "%(n)s infill areas in the general plan.", count) % {"n": count},
                    url)
    if general[0]:
        return Item("ouz", _("Infill development areas (OUZ)"), WARN,
                    _("The general plan holds no infill area: once it is in force, no "
                      "zoning conditions (WZ) decision can be issued."), url)
    return Item("ouz", _("Infill development areas (OUZ)"), WARN,
                _("No general plan loaded, so no infill area."), url)


def _kind_title(code: str) -> str:
    kind = kinds.get(code)
    return str(kind.title) if kind else code


def _services(unit, facts) -> Item:
    url = _admin("permits_kindsetting_changelist", unit__id__exact=unit.pk)
    enabled = facts.kinds.get(unit.pk, [])
    if not enabled:
        return Item("services", _("Services"), MISSING, _("No service offered to residents."),
                    url)
    titles = ", ".join(_kind_title(s.kind) for s in sorted(enabled, key=lambda s: s.kind))
    return Item("services", _("Services"), OK, titles, url)


def _staff(unit, facts) -> Item:
    url = _admin("core_membership_changelist", unit__id__exact=unit.pk)
    held = facts.staff.get(unit.pk, {})
    labels = dict(ROLE_CHOICES)
    detail = "; ".join(f"{labels[role]}: {held.get(role, 0)}"
                       for role in (UNIT_ADMIN, CASE_OFFICER, TAX_OFFICER)) + "."
    if not held:
        return Item("staff", _("Staff"), MISSING, detail, url)
    lacking = [r for r in REQUIRED_ROLES if not held.get(r)]
    return Item("staff", _("Staff"), WARN if lacking else OK, detail, url)


def _fees(unit, facts) -> Item:
    enabled = facts.kinds.get(unit.pk, [])
    without_symbol = sorted(_kind_title(s.kind) for s in enabled if not s.case_prefix.strip())
    own_fees = facts.fee_rates.get(unit.pk, 0)
    parts = [_("own tree fee rates: %(n)s rows") % {"n": own_fees} if own_fees
             else _("tree fees at the regulation's rates")]
    state = OK
    if unit.pk in facts.tax_units:
        if facts.tax_rates.get(unit.pk):
            parts.append(_("%(year)s tax rates entered") % {"year": facts.today.year})
        else:
            parts.append(_("no %(year)s tax rates of the council entered (statutory maxima "
                           "used)") % {"year": facts.today.year})
            state = WARN
    if without_symbol:
        parts.append(_("no file symbol (JRWA) for: %(kinds)s") % {
            "kinds": ", ".join(without_symbol)})
        state = WARN
    elif enabled:
        parts.append(_("file symbols (JRWA) set"))
    url = _admin("permits_kindsetting_changelist", unit__id__exact=unit.pk)
    return Item("fees", _("Fee rates and file symbols"), state, "; ".join(parts) + ".", url)


def _bank_account(unit, facts) -> Item:
    url = _admin("core_administrativeunit_change", unit.pk)
    if not unit.bank_account:
        state = MISSING if facts.kinds.get(unit.pk) else WARN
        return Item("bank_account", _("Bank account"), state,
                    _("No bank account for fees: residents are not told where to pay."), url)
    return Item("bank_account", _("Bank account"), OK,
                _("Fees are paid to the account ending %(tail)s.")
                % {"tail": unit.bank_account[-4:]}, url)


def unit_checklists(*, units, today: date | None = None) -> list[UnitChecklist]:
    """The checklist of each of `units` (a queryset or list), in TERYT order."""
    units = sorted(units, key=lambda u: u.teryt)
    facts = _Facts(units, today or timezone.localdate())
    by_id = {u.pk: u for u in units}
    return [UnitChecklist(unit, [
        _boundary(unit, facts), _cadastre(unit, facts, by_id), _plans(unit, facts),
        _ouz(unit, facts), _services(unit, facts), _staff(unit, facts), _fees(unit, facts),
        _bank_account(unit, facts)]) for unit in units]


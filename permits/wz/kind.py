"""The WZ decision application (warunki zabudowy) as an application kind (permits/kinds.py)."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import legal
from ..kinds import DeadlineDefault, Kind, Outcome
from ..workflow import OFFICER, State
from .checks import wz_checks
from .models import WzApplication
from .services import wz_decision_conditions, wz_fee, wz_submit_check

# Project type -> the dated rule of its decision term.
WZ_TERM_RULES = {WzApplication.HOUSE_OWN_NEEDS: legal.WZ_TERM_HOUSE_DAYS,
                 WzApplication.AGRICULTURAL_BIOGAS: legal.WZ_TERM_BIOGAS_DAYS,
                 WzApplication.OTHER_PROJECT: legal.WZ_TERM_OTHER_DAYS}


def wz_term_rule(payload: dict) -> tuple[str, str]:
    """The decision term's rule for the application's project type (an application filed
    before the type was asked is "another development", the 90 days it was given)."""
    project = payload.get("project_type") or WzApplication.OTHER_PROJECT
    label = dict(WzApplication.PROJECT_TYPE_CHOICES).get(project)
    if project not in WZ_TERM_RULES:
        project, label = WzApplication.OTHER_PROJECT, None
    return WZ_TERM_RULES[project], str(label or _("another development"))


def wz_summary(app) -> list[tuple[str, str]]:
    p = app.payload
    function = dict(WzApplication.FUNCTION_CHOICES).get(p.get("function", ""), "")
    rows = [
        (_("Applicant"), p.get("applicant_name", "")),
        (_("Address for correspondence"), p.get("applicant_address", "")),
        (_("Site area [m²]"), p.get("site_area_m2", "")),
        (_("Project type"), _choice(WzApplication.PROJECT_TYPE_CHOICES,
                                    p.get("project_type") or WzApplication.OTHER_PROJECT)),
        (_("Function"), function),
        (_("Description of the development"), p.get("description", "")),
        (_("Number of buildings"), p.get("buildings", "")),
        (_("Front elevation width [m]"), p.get("width_m") or ""),
        (_("Height [m]"), p.get("height_m", "")),
        (_("Storeys above ground"), p.get("storeys", "")),
        (_("Built-up area [m²]"), p.get("built_up_area_m2", "")),
        (_("Above-ground floor area [m²]"), p.get("floor_area_m2") or ""),
        (_("Biologically active area [m²]"), p.get("biologically_active_m2") or ""),
        (_("Water supply"), _choice(WzApplication.WATER_CHOICES, p.get("water"))),
        (_("Water demand [m³/day]"), p.get("water_m3_day") or ""),
        (_("Power demand [kW]"), p.get("energy_kw") or ""),
        (_("Sewage disposal"), _choice(WzApplication.SEWAGE_CHOICES, p.get("sewage"))),
        (_("Road access"), _choice(WzApplication.ACCESS_CHOICES, p.get("road_access"))),
        (_("Environmental impact"), p.get("environment", "")),
        (_("Stamp duty [zł]"), p.get("stamp_duty", "")),
    ]
    row = WzApplication.objects.filter(application=app).first()
    if row is not None and app.outcome == "conditions_set":
        rows.append((_("Valid"), _("for %(years)s years from the day the decision becomes "
                                    "final (%(basis)s)") % {"years": row.validity_years,
                                                            "basis": row.validity_basis}
                     if row.validity_years else _("indefinitely (%(basis)s)") % {
                         "basis": row.validity_basis}))
    return [(str(label), str(value)) for label, value in rows]


def _choice(choices, value) -> str:
    return str(dict(choices).get(value or "", ""))


def wz_panel(app, user, roles: set) -> dict:
    """The officer's automatic checks on the filed site and proposal."""
    row = WzApplication.objects.filter(application=app).first()
    if row is None or OFFICER not in roles:
        return {"checks": None}
    from .forms import proposal_of

    proposal = proposal_of({"height_m": row.height_m, "built_up_area_m2": row.built_up_area_m2,
                            "biologically_active_m2": row.biologically_active_m2,
                            "floor_area_m2": row.floor_area_m2})
    filed_on = timezone.localdate(app.submitted_at) if app.submitted_at else None
    return {"checks": wz_checks(site=row.site, proposal=proposal, unit=app.unit,
                                filed_on=filed_on), "wz": row}


def wz_saved_verdict(app):
    from .forms import wz_verdict

    row = WzApplication.objects.filter(application=app).first()
    if row is None:
        return None
    parcels = [link.parcel for link in app.parcel_links.select_related("parcel")]
    data = {**app.payload, "height_m": row.height_m, "built_up_area_m2": row.built_up_area_m2,
            "biologically_active_m2": row.biologically_active_m2,
            "floor_area_m2": row.floor_area_m2}
    return wz_verdict(site=row.site, data=data, parcels=parcels)


KINDS = (
    Kind(
        code="wz",
        title=_("Zoning conditions decision (WZ)"),
        description=_("Where no local plan applies: the conditions for building on the site "
                      "you draw on the map (art. 59 and 64 of the planning act)."),
        form="permits.wz.forms.WzForm",
        outcomes=(
            Outcome("conditions_set", _("zoning conditions decision issued")),
            Outcome("refused", _("zoning conditions refused"), positive=False),
            # A local plan in force over the site: the proceedings are groundless (KPA art.
            # 105 §1; art. 59 ust. 1 applies only where there is no plan).
            Outcome("discontinued", _("proceedings discontinued: a local plan applies"),
                    positive=False),
        ),
        deadlines=(
            # Planning act art. 64 ust. 1 pkt 1: 21 days from filing for a small house for
            # the investor's own needs, 65 for an agricultural biogas plant, 90 otherwise;
            # the term follows the project type the application states.
            DeadlineDefault(State.REGISTERED, 90, "u.p.z.p. art. 64 ust. 1 pkt 1", "",
                            _("decision due"), "submitted", rule_key=legal.WZ_TERM_OTHER_DAYS,
                            rule_key_of=wz_term_rule),
            DeadlineDefault(State.AWAITING_DOCUMENTS, 7, "KPA art. 64 §2", "",
                            _("documents due"), "state"),
        ),
        fee=wz_fee,
        conditions=wz_decision_conditions,
        submit_check=wz_submit_check,
        summary=wz_summary,
        panel=wz_panel,
        verdict_template="permits/wz/verdict.html",
        saved_verdict=wz_saved_verdict,
        max_parcels=20,
        # JRWA of gminy: rozporządzenie Prezesa Rady Ministrów z 18 stycznia 2011 r. (Dz.U. 2011
        # nr 14 poz. 67), załącznik nr 2 (the unit's own list may differ: the
        # symbol is the unit's setting).
        jrwa_symbol="6730",
    ),
)

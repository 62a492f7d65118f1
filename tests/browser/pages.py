"""Every page of the site, who sees it, and how to reach it: the one list the 360 px sweep
(tests/browser/test_sweep.py) visits. A URL name that is neither a page here nor a
non-page in NOT_PAGES fails tests/test_page_registry.py, so a page added later is swept.

To add a page: one `Page(url name, roles, path)` line below; when it needs rows the world
lacks, add them to `sweep_world()`.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

ANONYMOUS, RESIDENT, OFFICER, TAX_OFFICER, UNIT_ADMIN, OPERATOR = (
    "anonymous", "resident", "officer", "tax_officer", "unit_admin", "operator")
ROLES = (ANONYMOUS, RESIDENT, OFFICER, TAX_OFFICER, UNIT_ADMIN, OPERATOR)


@dataclass
class World:
    """The rows the pages are shown over; filled by `sweep_world()`."""

    unit: object = None
    parcel: object = None
    users: dict = field(default_factory=dict)
    tree_case: object = None
    tree_draft: object = None
    extract_case: object = None
    findings: dict = field(default_factory=dict)  # category -> one finding of it
    run: object = None
    tax_import: object = None
    invitation_token: str = ""


@dataclass(frozen=True)
class Page:
    name: str  # the URL name, as reverse() takes it
    roles: tuple[str, ...]
    path: Callable[[World], str]


def _teryt(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.unit.teryt])


# Findings whose evidence the page shows differently (records, per-class tables, dates).
FINDINGS = ("owner_mismatch", "parcel_untaxed", "retired_parcel", "area_difference",
            "land_use_difference", "building_undeclared", "floor_area_difference")


def _finding(category: str) -> Callable[[World], str]:
    return lambda w: reverse("tax:finding", args=[w.unit.teryt, w.findings[category].pk])


def _new(kind: str) -> Callable[[World], str]:
    return lambda w: reverse("permits:new", args=[kind]) + f"?parcels={w.parcel.parcel_id}"


PAGES: tuple[Page, ...] = (
    Page("home", (ANONYMOUS, RESIDENT, OFFICER, TAX_OFFICER, UNIT_ADMIN, OPERATOR),
         lambda w: reverse("home")),
    Page("map", (ANONYMOUS, RESIDENT), lambda w: reverse("map")),
    Page("login", (ANONYMOUS,), lambda w: reverse("login")),
    Page("account_login", (ANONYMOUS,), lambda w: reverse("account_login")),
    # residents' accounts (django-allauth in our layout)
    Page("account_signup", (ANONYMOUS,), lambda w: reverse("account_signup")),
    Page("account_reset_password", (ANONYMOUS,), lambda w: reverse("account_reset_password")),
    Page("account_reset_password_done", (ANONYMOUS,),
         lambda w: reverse("account_reset_password_done")),
    Page("account_reset_password_from_key_done", (ANONYMOUS,),
         lambda w: reverse("account_reset_password_from_key_done")),
    Page("account_email_verification_sent", (ANONYMOUS,),
         lambda w: reverse("account_email_verification_sent")),
    Page("account_inactive", (ANONYMOUS,), lambda w: reverse("account_inactive")),
    Page("socialaccount_login_cancelled", (ANONYMOUS,),
         lambda w: reverse("socialaccount_login_cancelled")),
    Page("my-details", (RESIDENT,), lambda w: reverse("my-details")),
    Page("account_email", (RESIDENT,), lambda w: reverse("account_email")),
    Page("account_change_password", (RESIDENT,), lambda w: reverse("account_change_password")),
    Page("account_set_password", (RESIDENT,), lambda w: reverse("account_set_password")),
    Page("account_reauthenticate", (RESIDENT,), lambda w: reverse("account_reauthenticate")),
    Page("account_logout", (RESIDENT,), lambda w: reverse("account_logout")),
    Page("socialaccount_connections", (RESIDENT,),
         lambda w: reverse("socialaccount_connections")),
    Page("unit_page", (ANONYMOUS,), _teryt("unit_page")),
    Page("invitation", (OFFICER,), lambda w: reverse("invitation", args=[w.invitation_token])),
    Page("api-docs", (ANONYMOUS,), lambda w: reverse("api-docs")),
    # the resident's applications
    Page("permits:new", (RESIDENT,), _new("trees")),
    Page("permits:new", (RESIDENT,), _new("zoning_extract")),
    Page("permits:new", (RESIDENT,), _new("wz")),
    Page("permits:mine", (RESIDENT,), lambda w: reverse("permits:mine")),
    Page("permits:edit", (RESIDENT,), lambda w: reverse("permits:edit", args=[w.tree_draft.pk])),
    Page("permits:detail", (RESIDENT, OFFICER),
         lambda w: reverse("permits:detail", args=[w.tree_case.pk])),
    Page("permits:detail", (RESIDENT, OFFICER),
         lambda w: reverse("permits:detail", args=[w.extract_case.pk])),
    # the office
    Page("permits:queue", (OFFICER,), lambda w: reverse("permits:queue")),
    Page("permits:paper", (OFFICER,), lambda w: reverse("permits:paper")),
    Page("permits:paper", (OFFICER,),
         lambda w: reverse("permits:paper") + f"?kind=trees&parcels={w.parcel.parcel_id}"),
    Page("unit-list", (UNIT_ADMIN,), lambda w: reverse("unit-list")),
    Page("unit-setup", (UNIT_ADMIN,), _teryt("unit-setup")),
    Page("admin:index", (UNIT_ADMIN,), lambda w: reverse("admin:index")),
    # the legal rules in force today, with their sources (an admin view officers read)
    Page("admin:core_legalrule_in_force", (UNIT_ADMIN,),
         lambda w: reverse("admin:core_legalrule_in_force")),
    # the tax office
    Page("tax:home", (TAX_OFFICER,), lambda w: reverse("tax:home")),
    Page("tax:findings", (TAX_OFFICER,), _teryt("tax:findings")),
    Page("tax:map", (TAX_OFFICER,), _teryt("tax:map")),
    *(Page("tax:finding", (TAX_OFFICER,), _finding(category)) for category in FINDINGS),
    Page("tax:runs", (TAX_OFFICER,), _teryt("tax:runs")),
    Page("tax:run", (TAX_OFFICER,), lambda w: reverse("tax:run", args=[w.unit.teryt, w.run.pk])),
    Page("tax:imports", (TAX_OFFICER,), _teryt("tax:imports")),
    Page("tax:import", (TAX_OFFICER,),
         lambda w: reverse("tax:import", args=[w.unit.teryt, w.tax_import.pk])),
    # the regional operator
    Page("operator:home", (OPERATOR,), lambda w: reverse("operator:home")),
    Page("operator:statistics", (OPERATOR,), lambda w: reverse("operator:statistics")),
)

# URL names that are not pages a person reads, each with why.
POST_ONLY = "a form's action: answers with a redirect, never a page"
DOWNLOAD = "a file download (PDF, image, spreadsheet), not a page"
MACHINE = "an API or map service answer for programs"
EMAILED_KEY = ("reached only through the one-time link of an e-mail; tests/test_accounts.py "
               "follows it")
SAML = ("login.gov.pl's SAML endpoints, only where a deployment configures it; "
        "tests/test_login_gov_pl.py runs them against a local identity provider")
NOT_PAGES: dict[str, str] = {
    "set_language": POST_ONLY, "logout": POST_ONLY,
    "permits:delete": POST_ONLY, "permits:action": POST_ONLY, "permits:attach": POST_ONLY,
    "permits:zoning_extract_text": POST_ONLY, "permits:zoning_extract_regenerate": POST_ONLY,
    "permits:zoning_extract_issue": POST_ONLY, "tax:finding_action": POST_ONLY,
    "unit-staff-remove": POST_ONLY, "unit-invitation-withdraw": POST_ONLY,
    "operator:template-apply": POST_ONLY, "permits:extend": POST_ONLY,
    "permits:attachment": DOWNLOAD, "permits:pdf": DOWNLOAD,
    "permits:zoning_extract_draft": DOWNLOAD, "permits:zoning_extract_issued": DOWNLOAD,
    "tax:export": DOWNLOAD, "operator:export": DOWNLOAD, "unit_crest": DOWNLOAD,
    "api-schema": MACHINE, "uldk": MACHINE, "layers:mapproxy-root": MACHINE,
    "layers:mapproxy": MACHINE, "ogcapi": MACHINE, "ogcapi-root": MACHINE, "wfs": MACHINE,
    "atom": MACHINE + " (the INSPIRE ATOM feed harvesters read)", "atom-plan": MACHINE,
    "atom-plan-gml": DOWNLOAD, "atom-opensearch": MACHINE, "atom-search": MACHINE,
    "atom-plan-metadata": MACHINE,
    "account_confirm_email": EMAILED_KEY, "account_reset_password_from_key": EMAILED_KEY,
    "account_confirm_login_code": "login by e-mailed code is switched off (404)",
    "socialaccount_signup": SAML + " (the e-mail question in the middle of a first login)",
    "socialaccount_login_error": SAML + " (the answer to a refused login, 401)",
}
# Whole families of machine answers, by prefix of the URL name.
NOT_PAGE_PREFIXES: dict[str, str] = {
    "permits:api-": MACHINE, "operator:api-": MACHINE, "api-parcel-": MACHINE,
    "tiles:": MACHINE, "saml_": SAML,
    # Django's admin beyond its index: its own pages and stylesheet; the index is swept.
    "admin:": "Django's admin screens (the index is swept)",
}


def is_registered(name: str) -> bool:
    return (name in NOT_PAGES or any(p.name == name for p in PAGES)
            or any(name.startswith(prefix) for prefix in NOT_PAGE_PREFIXES))


TAX_CSV = "nr_konta;przedmiot;id_dzialki;kategoria;pow_ha;nazwisko\r\n"


def sweep_world() -> World:
    """A gmina with every kind of page's rows: cases of each kind in each state the pages
    show differently, a reconciliation with findings, a tax import, an open invitation."""
    from cadastre_sync.models import TaxFinding
    from cadastre_sync.tax.models import TaxImport
    from cadastre_sync.tax.reconcile import reconcile
    from cadastre_sync.tax.services import tax_import_run_queued, tax_import_submit
    from core.roles import CASE_OFFICER
    from core.roles import OPERATOR as OPERATOR_ROLE
    from core.roles import TAX_OFFICER as TAX_ROLE
    from core.roles import UNIT_ADMIN as ADMIN_ROLE
    from core.services import membership_grant, staff_invitation_create
    from permits import services
    from permits.zoning_extract.forms import ZoningExtractForm
    from tests import factories
    from tests import permits_factories as pf
    from tests.tax_factories import YEAR, discrepancy_gmina

    g = discrepancy_gmina()
    unit = g.unit
    unit.bank_account, unit.tax_id = "83101010230000261395100000", "6911234562"
    unit.office_name = "Urząd Miasta Legnicy"
    unit.save()
    w = World(unit=unit)
    w.run = reconcile(unit=unit, year=YEAR).run
    w.findings = {c: TaxFinding.objects.filter(unit=unit, category=c).first() for c in FINDINGS}
    assert all(w.findings.values()), w.findings
    for kind, prefix in (("trees", "OŚ.6131"), ("zoning_extract", "UA.6727"),
                         ("wz", "UA.6730")):
        pf.enable(unit, kind, prefix)
    w.parcel = factories.parcel("12/3", geom=factories.box(*pf.PARCEL_BOX))
    _base_map_of(w.parcel)
    resident = factories.user("anna", email="anna@example.org", first_name="Anna",
                              last_name="Nowak")
    w.users = {
        RESIDENT: resident,
        OFFICER: factories.user("nowy_urzednik", email="jan@example.org"),
        TAX_OFFICER: factories.staff(unit, TAX_ROLE, "podatki"),
        UNIT_ADMIN: factories.staff(unit, ADMIN_ROLE, "admin_jst"),
        OPERATOR: factories.staff(factories.unit("02", "dolnośląskie"), OPERATOR_ROLE,
                                  "op_dolnoslaskie"),
    }
    # the officer is an invited one who has already accepted; a second invitation is open
    membership_grant(user=w.users[OFFICER], unit=unit, role=CASE_OFFICER)
    _invitation, w.invitation_token = staff_invitation_create(
        unit=unit, role=CASE_OFFICER, email="jan@example.org", by=w.users[UNIT_ADMIN])
    w.tree_case = pf.submitted(resident, [w.parcel])
    w.tree_draft = pf.draft(resident, [w.parcel])
    extract = ZoningExtractForm({"applicant_name": "Anna Nowak", "scope": "both",
                                 "applicant_address": "ul. Chojnowska 5, Legnica",
                                 "copies": "1", "delivery": "download"}, parcels=[w.parcel])
    assert extract.is_valid(), extract.errors
    app = services.draft_create(by=resident, kind_code="zoning_extract", parcels=[w.parcel])
    services.draft_save(application_id=app.pk, by=resident, form=extract)
    w.extract_case = services.application_submit(application_id=app.pk, by=resident)
    upload = SimpleUploadedFile("podatki.csv", (
        TAX_CSV + f"K/99;grunt;{w.parcel.parcel_id};pozostałe;0,09;Nowy\r\n"
        "K/100;grunt;;pozostałe;x;Nowak\r\n").encode("cp1250"))
    w.tax_import = tax_import_submit(unit=unit, upload=upload, strict=False,
                                     by=w.users[TAX_OFFICER])
    tax_import_run_queued(job=TaxImport.objects.get(pk=w.tax_import.pk))
    return w


def _base_map_of(parcel) -> None:
    """What the base map draws around the parcel: its built-up land, the street south of
    it (a road parcel) and its house numbers."""
    from django.contrib.gis.geos import MultiPolygon, Point, Polygon

    from cadastre_sync.models import Address, LandUsePiece
    from tests import factories

    x0, y0, x1, y1 = parcel.geom.extent
    road_box = (x0 - 40, y0 - 16, x1 + 40, y0)
    road = factories.parcel("12/5", p=parcel.precinct, geom=factories.box(*road_box))
    for owner, ofu, box in ((parcel, "B", (x0, y0, x1, y1)), (road, "dr", road_box)):
        LandUsePiece.objects.create(parcel=owner, ofu=ofu, area_ha=owner.registered_area_ha,
                                    geom=MultiPolygon(Polygon.from_bbox(box), srid=2180))
    for number, dx in (("2", 8), ("4", 22)):
        Address.objects.create(unit=parcel.unit, parcel=parcel, locality="Legnica",
                               street="Polna", house_number=number,
                               point=Point(x0 + dx, y0 + 8, srid=2180))

"""Staff roles and what each may do, as one table.

A role is held in one unit. The regional operator role also reaches every unit
whose TERYT code extends the operator's unit (a voivodeship's powiaty and gminy). Any
role held in a powiat also reaches its gminy, for the county's registers only.
"""
from django.utils.translation import gettext_lazy as _

CASE_OFFICER = "case_officer"
TAX_OFFICER = "tax_officer"
UNIT_ADMIN = "unit_admin"
OPERATOR = "operator"

ROLE_CHOICES = [
    (CASE_OFFICER, _("Case officer / planner")),
    (TAX_OFFICER, _("Tax officer")),
    (UNIT_ADMIN, _("Unit administrator")),
    (OPERATOR, _("Regional operator")),
]

# Roles that reach the units below their own unit (by TERYT prefix).
CASCADING_ROLES = frozenset({OPERATOR})

# The registers a starosta keeps for the whole county (the cadastre, EGiB: Prawo
# geodezyjne i kartograficzne, art. 7d pkt 1 lit. a and art. 22 ust. 1), stored gmina by
# gmina. Every role held in a powiat reaches these in the powiat's gminy (by TERYT prefix),
# with that role's own rights on each; nothing else of a gmina (applications, tax
# register, plans) is the powiat's, and a gmina's roles never reach another gmina.
COUNTY_REGISTERS = frozenset({
    "cadastre_sync.precinct",
    "cadastre_sync.parcel",
    "cadastre_sync.building",
    "cadastre_sync.address",
    "cadastre_sync.registerunit",
    "cadastre_sync.owner",
})

# What each role may do with each kind of unit data: model label -> actions.
# The admin and the API both read this table; nothing else grants staff rights.
READ = frozenset({"view"})
WRITE = frozenset({"view", "add", "change"})
ALL = frozenset({"view", "add", "change", "delete"})

ROLE_RIGHTS: dict[str, dict[str, frozenset[str]]] = {
    CASE_OFFICER: {
        "cadastre_sync.precinct": READ,
        "cadastre_sync.parcel": READ,
        "cadastre_sync.building": READ,
        "cadastre_sync.address": READ,
        "cadastre_sync.registerunit": READ,
        "layers.zoningplan": WRITE,
        "layers.zoningzone": WRITE,
        "layers.planarea": WRITE,
        "layers.plandocument": WRITE,
        "layers.plandrawing": WRITE,
        "layers.raster": READ,
        "layers.rasterimport": READ,
        "layers.tilecachejob": READ,
        "permits.application": WRITE,
        "permits.kindsetting": READ,
        "core.legalrule": READ,
    },
    TAX_OFFICER: {
        "cadastre_sync.precinct": READ,
        "cadastre_sync.parcel": READ,
        "cadastre_sync.building": READ,
        "cadastre_sync.address": READ,
        "cadastre_sync.registerunit": READ,
        "cadastre_sync.owner": READ,
        "layers.zoningplan": READ,
        "layers.zoningzone": READ,
        # The tax register is tax secrecy (Ordynacja podatkowa art. 293): its findings,
        # taxpayers and imports are for the unit's tax officers only.
        "cadastre_sync.taxfinding": WRITE,
        "cadastre_sync.taxpayer": READ,
        "cadastre_sync.taxaccount": READ,
        "cadastre_sync.taxobject": READ,
        "cadastre_sync.taximport": WRITE,
        "cadastre_sync.reconciliationrun": WRITE,
        "cadastre_sync.columnprofile": WRITE,
        "cadastre_sync.taxrate": READ,
        "cadastre_sync.taxsettings": READ,
        "core.legalrule": READ,
    },
    UNIT_ADMIN: {
        "core.membership": ALL,
        # The unit's own rules (council resolutions); national rows only a superuser edits.
        "core.legalrule": ALL,
        # Tax configuration (council rates, district, tolerances, column profiles), never
        # the register itself or its findings.
        "cadastre_sync.taxrate": ALL,
        "cadastre_sync.taxsettings": WRITE,
        "cadastre_sync.columnprofile": ALL,
        "permits.kindsetting": ALL,
        "permits.deadlinerule": ALL,
        "permits.feerate": ALL,
        "permits.application": READ,
        "cadastre_sync.precinct": WRITE,
        "cadastre_sync.parcel": READ,
        "cadastre_sync.building": READ,
        "cadastre_sync.address": READ,
        "cadastre_sync.registerunit": READ,
        "cadastre_sync.owner": READ,
        "layers.zoningplan": ALL,
        "layers.zoningzone": ALL,
        "layers.planarea": ALL,
        "layers.plandocument": ALL,
        "layers.plandrawing": ALL,
        "layers.raster": ALL,
        "layers.rasterimport": WRITE,
        "layers.tilecachejob": READ,
    },
    OPERATOR: {
        "core.administrativeunit": WRITE,
        "core.legalrule": ALL,
        "permits.kindsetting": ALL,
        "permits.deadlinerule": ALL,
        "permits.feerate": ALL,
        "permits.application": READ,
        "core.membership": ALL,
        "cadastre_sync.precinct": ALL,
        "cadastre_sync.parcel": READ,
        "cadastre_sync.building": READ,
        "cadastre_sync.address": READ,
        "cadastre_sync.registerunit": READ,
        "cadastre_sync.owner": READ,
        "layers.zoningplan": ALL,
        "layers.zoningzone": ALL,
        "layers.planarea": ALL,
        "layers.plandocument": ALL,
        "layers.plandrawing": ALL,
        "layers.raster": ALL,
        "layers.rasterimport": WRITE,
        "layers.tilecachejob": READ,
    },
}

# Who may grant which role, in the units the granter's own role reaches. Nobody grants a
# role above their own: a unit administrator appoints officers and fellow administrators of
# the unit, a regional operator also operators of the units below its own.
GRANTS: dict[str, frozenset[str]] = {
    UNIT_ADMIN: frozenset({CASE_OFFICER, TAX_OFFICER, UNIT_ADMIN}),
    OPERATOR: frozenset({CASE_OFFICER, TAX_OFFICER, UNIT_ADMIN, OPERATOR}),
}

# Roles that open data under a legal secrecy (tax secrecy, Ordynacja podatkowa art. 293):
# besides a role that grants it, the granter must hold the role in that unit themselves,
# being entitled to the secret they pass on. A unit administrator who is not a tax officer
# cannot make anyone, themselves included, a tax officer.
SECRECY_ROLES = frozenset({TAX_OFFICER})

# Personal data (PESEL, names of natural persons, addresses) is shown only to these.
PERSONAL_DATA_ROLES = frozenset({TAX_OFFICER, UNIT_ADMIN, OPERATOR})

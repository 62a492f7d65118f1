"""Reads and small computations of the WZ kind: ownership in the cadastre, the stamp duty,
what must be attached before filing."""
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from cadastre_sync.dictionaries import RIGHT_OWNERSHIP, RIGHT_PERPETUAL_USUFRUCT
from cadastre_sync.models import OwnershipShare
from core.errors import InvalidInput
from core.rules import rule_in_force

from .. import legal
from ..kinds import Fee
from ..models import Attachment
from ..zoning_fees import wz_stamp_duty
from .models import WzApplication

# Art. 52 ust. 2 pkt 1 of the planning act: the application holds the site's boundaries on
# a copy of the base map or the cadastral map at 1:500 or 1:1000 (1:2000 for linear
# projects). Filed among the attachments as "drawing or map".
BASE_MAP_PURPOSE = Attachment.DRAWING
# The rights whose holder pays no stamp duty on a WZ decision.
EXEMPT_RIGHTS = (RIGHT_OWNERSHIP, RIGHT_PERPETUAL_USUFRUCT)


def _norm(text: str) -> str:
    return " ".join((text or "").lower().split())


def applicant_owns(*, name: str, parcels) -> bool:
    """Is `name` among the owners or perpetual usufructuaries (or spouses holding a joint
    share) of every parcel in the cadastre: the holders the WZ stamp duty exempts (ustawa o
    opłacie skarbowej, zał. cz. I pkt 9, as the domain review reads it)? Matched on the name
    as written in the register (no PESEL is asked online); trust management does not count."""
    wanted = _norm(name)
    if not wanted or not parcels:
        return False
    for parcel in parcels:
        shares = OwnershipShare.objects.filter(
            register_unit__parcels=parcel, right__in=EXEMPT_RIGHTS).select_related(
            "owner", "spouse")
        names = {_norm(f"{person.first_name} {person.surname}" if person.kind == "person"
                       else person.name)
                 for share in shares for person in (share.owner, share.spouse) if person}
        if wanted not in names:
            return False
    return True


def wz_fee(app) -> Fee | None:
    row = WzApplication.objects.filter(application=app).first()
    if row is None:
        return None
    duty = wz_stamp_duty(applicant_is_owner=row.applicant_is_owner,
                         power_of_attorney=row.power_of_attorney, unit=app.unit,
                         on=timezone.localdate(app.submitted_at) if app.submitted_at else None)
    return Fee(duty.amount, duty.lines)


def wz_submit_check(app) -> str | None:
    """Why the application cannot be filed yet, or None: the base map must be attached."""
    if not app.attachments.filter(purpose=BASE_MAP_PURPOSE).exists():
        return _("Attach the site's boundaries drawn on a copy of the base map or the "
                 "cadastral map at 1:500 or 1:1000 (1:2000 for a linear project), as a "
                 "drawing or map.")
    return None


def wz_decision_conditions(app, outcome: str, conditions: list) -> None:
    """A WZ decision carries no conditions of its own; when the conditions are set, its
    validity is recorded: the years of the rule in force on the decision day, counted from
    the day it becomes final, or indefinite for an application filed before the day the
    act keeps the old rule for."""
    if conditions:
        raise InvalidInput(_("This kind of decision carries no conditions."),
                           detail={"field": "conditions"})
    row = WzApplication.objects.filter(application=app).first()
    if row is None or outcome != "conditions_set":
        return
    today = timezone.localdate()
    filed = timezone.localdate(app.submitted_at) if app.submitted_at else today
    old = rule_in_force(key=legal.WZ_INDEFINITE_IF_FILED_BEFORE, on=today, unit=app.unit)
    if filed < date.fromisoformat(str(old.value)):
        row.validity_years, row.validity_basis = None, old.source
    else:
        years = rule_in_force(key=legal.WZ_VALIDITY_YEARS, on=today, unit=app.unit)
        row.validity_years, row.validity_basis = int(years.value), years.source
    row.save(update_fields=["validity_years", "validity_basis"])

"""Reads and small computations of the WZ kind: ownership in the cadastre, the stamp duty."""
from cadastre_sync.models import OwnershipShare

from ..kinds import Fee
from ..models import WzApplication
from ..zoning_fees import wz_stamp_duty


def _norm(text: str) -> str:
    return " ".join((text or "").lower().split())


def applicant_owns(*, name: str, parcels) -> bool:
    """Is `name` among the owners (or spouses holding a joint share) of every parcel in the
    cadastre? Matched on the name as written in the register (no PESEL is asked online)."""
    wanted = _norm(name)
    if not wanted or not parcels:
        return False
    for parcel in parcels:
        shares = OwnershipShare.objects.filter(register_unit__parcels=parcel).select_related(
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
                         power_of_attorney=row.power_of_attorney)
    return Fee(duty.amount, duty.lines)

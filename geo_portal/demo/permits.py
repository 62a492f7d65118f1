"""Demo applications: every registered kind switched on for the demo gmina with its office's
details, and a few tree-removal cases of the demo resident in different states, filed through
the real services (so numbers, digests, PDFs, deadlines and e-mails are the real ones).
Safe to run again: cases are made only when the resident has none."""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Polygon
from django.db import transaction
from django.utils import timezone

from cadastre_sync.models import Parcel
from permits import kinds, services
from permits.models import Application, KindSetting
from permits.trees.forms import TreeRemovalForm, formset_data
from permits.trees.models import Species

RESIDENT, OFFICER = "mieszkaniec", "urzednik"
PREFIXES = {"trees": "OŚ.6131", "zoning_extract": "UA.6727", "wz": "UA.6730"}


# An account number of the right shape (valid check digits) for the demo gmina's fees.
DEMO_ACCOUNT, DEMO_TAX_ID = "83101010230000261395100000", "6911234562"


@transaction.atomic
def demo_permits(*, unit) -> dict:
    enabled = _enable_kinds(unit)
    if not unit.bank_account:
        unit.bank_account, unit.tax_id = DEMO_ACCOUNT, unit.tax_id or DEMO_TAX_ID
        unit.save(update_fields=["bank_account", "tax_id"])
    users = get_user_model().objects.filter(username__in=[RESIDENT, OFFICER]).in_bulk(
        field_name="username")
    if len(users) < 2 or Application.objects.filter(applicant=users[RESIDENT]).exists():
        return {"kinds": enabled, "cases": 0}
    resident, officer = users[RESIDENT], users[OFFICER]
    resident.email = resident.email or "mieszkaniec@example.org"
    resident.first_name, resident.last_name = resident.first_name or "Anna", \
        resident.last_name or "Nowak"
    resident.save(update_fields=["email", "first_name", "last_name"])
    parcels = list(Parcel.objects.filter(unit=unit, retired_at__isnull=True,
                                         buildings__isnull=False).distinct().order_by("pk")[:5])
    made = 0
    for parcel, steps in zip(parcels, SCENARIOS, strict=False):
        steps(resident, officer, parcel)
        made += 1
    return {"kinds": enabled, "cases": made}


def _enable_kinds(unit) -> list[str]:
    codes = []
    for kind in kinds.all_kinds():
        KindSetting.objects.get_or_create(unit=unit, kind=kind.code, defaults={
            "enabled": True, "office_name": f"Urząd Miasta {unit.name}",
            "office_address": unit.office_address or f"Rynek 1, {unit.name}",
            "office_email": unit.office_email or "urzad@example.org",
            "case_prefix": PREFIXES.get(kind.code, "")})
        codes.append(kind.code)
    return codes


def _content(parcel, *, private: bool, trees: list[tuple[str, int, list[int]]], shrub=None):
    spot = parcel.geom.point_on_surface
    rows = []
    for i, (latin, c5, stems) in enumerate(trees):
        point = _inside(parcel, spot.x + 2 * i, spot.y + 1.5 * i) or spot
        rows.append({"species": Species.objects.get(latin_name=latin).pk, "x": point.x,
                     "y": point.y, "circumference_5cm": c5, "stems_130cm": stems})
    shrubs = []
    if shrub:
        area = Polygon.from_bbox((spot.x - 3, spot.y - 3, spot.x + 3, spot.y + 3))
        area.srid = parcel.geom.srid
        piece = area.intersection(parcel.geom)
        if piece.geom_type == "Polygon" and piece.area > 1:
            shrubs.append({"species": Species.objects.get(latin_name=shrub).pk,
                           "geometry": piece.json})
    return {"applicant_name": "Anna Nowak", "applicant_address": "ul. Chojnowska 12, Legnica",
            "natural_person": private, "own_land": private, "business": False,
            "reason": "Drzewo pochylone nad budynkiem mieszkalnym, zagraża dachowi.",
            "intended_date": "", "trees": rows, "shrubs": shrubs}


def _inside(parcel, x, y):
    from django.contrib.gis.geos import Point

    point = Point(x, y, srid=parcel.geom.srid)
    return point if parcel.geom.contains(point) else None


def _draft(resident, parcel, content):
    form = TreeRemovalForm(formset_data(content), None, parcels=[parcel])
    if not form.is_valid():
        raise ValueError(f"demo application on {parcel.parcel_id}: {form.errors}")
    app = services.draft_create(by=resident, kind_code="trees", parcels=[parcel])
    return services.draft_save(application_id=app.pk, by=resident, form=form)


def _submitted(resident, parcel, content):
    app = _draft(resident, parcel, content)
    return services.application_submit(application_id=app.pk, by=resident)


def _act(app, officer, action, **kw):
    return services.application_transition(application_id=app.pk, action=action, by=officer,
                                           **kw)


def draft_only(resident, officer, parcel):
    _draft(resident, parcel, _content(parcel, private=False, trees=[("Betula", 95, [80])]))


def permit_submitted(resident, officer, parcel):
    _submitted(resident, parcel, _content(parcel, private=False, trees=[
        ("Tilia", 140, [120]), ("Acer platanoides", 90, [60, 45])], shrub="Syringa vulgaris"))


def notification_inspection(resident, officer, parcel):
    app = _submitted(resident, parcel, _content(parcel, private=True,
                                                trees=[("Populus", 160, [150])]))
    _act(app, officer, "register")
    _act(app, officer, "schedule_inspection",
         on_date=timezone.localdate() + timedelta(days=6))


def permit_awaiting_documents(resident, officer, parcel):
    app = _submitted(resident, parcel, _content(parcel, private=False,
                                                trees=[("Quercus robur", 210, [180])]))
    _act(app, officer, "register")
    _act(app, officer, "request_documents", reason="Brak zgody właściciela działki.",
         on_date=timezone.localdate() + timedelta(days=14))


def permit_granted_with_planting(resident, officer, parcel):
    app = _submitted(resident, parcel, _content(parcel, private=False,
                                                trees=[("Aesculus hippocastanum", 130, [110])]))
    _act(app, officer, "register")
    _act(app, officer, "decide", reason="Drzewo obumierające; wymagane nasadzenia zastępcze.",
         outcome="granted_with_planting", conditions=[{
             "number": 2, "species": Species.objects.get(latin_name="Tilia").pk,
             "place": f"działka {parcel.number}, od strony ulicy",
             "deadline": (timezone.localdate() + timedelta(days=365)).isoformat()}])


SCENARIOS = (draft_only, permit_submitted, notification_inspection, permit_awaiting_documents,
             permit_granted_with_planting)

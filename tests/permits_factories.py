"""Factories for the permits tests (tests/test_permits_*.py): real rows through the services."""
from django.utils import timezone

from core.models import LegalRule
from core.roles import CASE_OFFICER
from permits import services
from permits.models import KindSetting
from permits.trees.forms import TreeRemovalForm, formset_data
from permits.trees.models import Species
from tests import factories

PARCEL_BOX = (318000.0, 386000.0, 318030.0, 386030.0)  # 30 m square, EPSG:2180
INSIDE = (318010.0, 386010.0)
OUTSIDE = (318500.0, 386500.0)


def tree_rules_ensure() -> None:
    """The species and fee rates a data migration writes; a transactional test's flush
    empties those tables for the tests that run after it, so they are written again."""
    if not Species.objects.exists():
        factories.data_migration_reapply("permits.migrations.0002_seed_tree_rules")
        factories.data_migration_reapply("permits.migrations.0007_tree_rules_corrected")
    if not LegalRule.objects.filter(key="kpa.public_holidays").exists():
        factories.data_migration_reapply("permits.migrations.0012_wz_project_type_holidays")


def species(latin: str) -> Species:
    tree_rules_ensure()
    return Species.objects.get(latin_name=latin)


def enable(unit, kind: str = "trees", prefix: str = "OŚ.6131") -> KindSetting:
    setting, _ = KindSetting.objects.update_or_create(
        unit=unit, kind=kind, defaults={"enabled": True, "case_prefix": prefix,
                                        "office_name": "Urząd Miasta Legnicy",
                                        "office_email": "srodowisko@legnica.example"})
    return setting


def content(*, trees=(), shrubs=(), private: bool = False, **main) -> dict:
    data = {"applicant_name": "Jan Kowalski", "applicant_address": "ul. Złotoryjska 1, Legnica",
            "natural_person": private, "own_land": private, "business": False,
            "reason": "Drzewo zagraża budynkowi", "intended_date": "",
            "trees": list(trees), "shrubs": list(shrubs)}
    data.update(main)
    return data


def tree(latin: str = "Tilia", *, at=INSIDE, c5: int = 120, stems=(110,), exemption: str = ""):
    return {"species": species(latin).pk, "x": at[0], "y": at[1], "circumference_5cm": c5,
            "stems_130cm": list(stems), "exemption": exemption}


def form(parcels, data: dict, application=None) -> TreeRemovalForm:
    return TreeRemovalForm(formset_data(data), None, application=application, parcels=parcels)


def draft(user, parcels, data: dict | None = None):
    data = data or content(trees=[tree()])
    f = form(parcels, data)
    assert f.is_valid(), f.errors
    app = services.draft_create(by=user, kind_code="trees", parcels=parcels)
    return services.draft_save(application_id=app.pk, by=user, form=f)


def submitted(user, parcels, data: dict | None = None):
    app = draft(user, parcels, data)
    return services.application_submit(application_id=app.pk, by=user)


def world():
    """A unit offering tree removal, a parcel in it, a resident (with e-mail) and an officer."""
    tree_rules_ensure()
    unit = factories.unit()
    enable(unit)
    parcel = factories.parcel("77/1", geom=factories.box(*PARCEL_BOX))
    resident = factories.user("resident", email="jan@example.org", first_name="Jan",
                              last_name="Kowalski")
    officer = factories.staff(unit, CASE_OFFICER, "officer")
    return unit, parcel, resident, officer


def today():
    return timezone.localdate()

"""The demo's applications: every kind offered, five cases in different states, run twice."""
import pytest

from core.roles import CASE_OFFICER
from geo_portal.demo.permits import demo_permits
from permits import kinds
from permits.models import Application, KindSetting
from tests import factories


@pytest.fixture(autouse=True)
def fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def test_demo_offers_every_kind_and_files_cases_once(db):
    unit = factories.unit()
    for i in range(5):
        factories.building(factories.parcel(f"{i + 1}/1"))
    factories.user("mieszkaniec")
    factories.staff(unit, CASE_OFFICER, "urzednik")
    first = demo_permits(unit=unit)
    again = demo_permits(unit=unit)
    assert sorted(first["kinds"]) == sorted(k.code for k in kinds.all_kinds())
    assert KindSetting.objects.filter(unit=unit, enabled=True).count() == len(first["kinds"])
    assert (first["cases"], again["cases"]) == (5, 0)
    states = sorted(Application.objects.values_list("state", flat=True))
    assert states == ["awaiting_documents", "decided", "draft", "inspection_scheduled",
                      "submitted"]

"""A unit administrator switches kinds on and off for their own unit only."""
import pytest

from core.roles import CASE_OFFICER, UNIT_ADMIN
from permits import selectors
from permits.models import DeadlineRule, KindSetting
from permits.trees.models import FeeRate
from tests import factories
from tests import permits_factories as pf


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _post(client, unit, enabled: bool):
    data = {"unit": unit.pk, "kind": "trees", "office_name": "Wydział Środowiska",
            "office_address": "Pl. Słowiański 8, Legnica", "office_email": "ws@legnica.example",
            "office_phone": "", "case_prefix": "WŚ.6131", "instructions": ""}
    if enabled:
        data["enabled"] = "on"
    return client.post("/admin/permits/kindsetting/add/", data)


def test_unit_admin_enables_a_kind_and_residents_see_it(db, client):
    unit = factories.unit()
    parcel = factories.parcel("5/1")
    client.force_login(factories.staff(unit, UNIT_ADMIN, "adminjst"))
    assert _post(client, unit, True).status_code == 302
    setting = KindSetting.objects.get()
    assert (setting.unit, setting.enabled, setting.case_prefix) == (unit, True, "WŚ.6131")
    assert [k.code for k in selectors.offered_kinds(unit, [parcel])] == ["trees"]


def test_unit_admin_of_another_unit_and_a_case_officer_cannot(db, client):
    unit = factories.unit()
    other = factories.unit("026201_1", "Bolesławiec")
    for user in (factories.staff(other, UNIT_ADMIN, "obcy"),
                 factories.staff(unit, CASE_OFFICER, "urzednik")):
        client.force_login(user)
        response = _post(client, unit, True)
        assert response.status_code in (200, 403)  # form error (unit not offered) or refused
    assert KindSetting.objects.count() == 0


@pytest.mark.parametrize(("url", "data", "model"), [
    ("/admin/permits/feerate/add/",
     {"subject": "tree", "group": "B", "band_from": "0", "rate": "5.00", "source": "uchwała"},
     FeeRate),
    ("/admin/permits/deadlinerule/add/",
     {"kind": "trees", "procedure": "permit", "state": "registered", "days": "20",
      "source": "korekta"}, DeadlineRule),
])
def test_unit_admin_saving_a_row_without_a_unit_gets_a_form_error(db, client, url, data,
                                                                    model):
    # given a unit administrator and the rows already there (the regulation's)
    pf.tree_rules_ensure()
    unit = factories.unit()
    client.force_login(factories.staff(unit, UNIT_ADMIN, "adminjst"))
    before = sorted(model.objects.values_list("pk", flat=True))
    # when they save a row with no unit
    response = client.post(url, {"unit": "", **data})
    # then the form says what is wrong, and nothing was stored
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"unit": ["Wybierz swoją jednostkę: wiersze dla wszystkich jednostek "
                               "ustala administrator systemu."]}  # Polish, the office's
    assert sorted(model.objects.values_list("pk", flat=True)) == before
    # and with their unit it is stored
    assert client.post(url, {"unit": unit.pk, **data}).status_code == 302
    assert model.objects.get(unit=unit).source == data["source"]


@pytest.mark.parametrize(("url", "model"), [("/admin/permits/feerate/", FeeRate),
                                            ("/admin/permits/deadlinerule/", DeadlineRule)])
def test_unit_admin_sees_the_national_rows_read_only(db, client, url, model):
    # given the regulation's rows (no unit) and a unit administrator
    pf.tree_rules_ensure()
    DeadlineRule.objects.create(unit=None, kind="trees", procedure="permit", state="registered",
                                days=45, source="KPA art. 35 §3")
    national = model.objects.filter(unit__isnull=True).first()
    client.force_login(factories.staff(factories.unit(), UNIT_ADMIN, "adminjst"))

    listing = client.get(url)
    row = client.get(f"{url}{national.pk}/change/")
    delete = client.post(f"{url}{national.pk}/delete/", {"post": "yes"})

    national_rows = model.objects.filter(unit__isnull=True).count()
    assert listing.context["cl"].result_count == national_rows > 0
    assert "wszystkie jednostki (przepisy krajowe)" in listing.content.decode()
    assert row.status_code == 200 and not row.context["has_change_permission"]
    assert delete.status_code == 403
    assert model.objects.filter(pk=national.pk).exists()


def test_the_administration_speaks_correct_polish_under_its_own_title(db, client):
    client.force_login(factories.staff(factories.unit(), UNIT_ADMIN, "adminjst"))

    index = client.get("/admin/").content.decode()
    fees = client.get("/admin/permits/feerate/").content.decode()
    add = client.get("/admin/permits/feerate/add/").content.decode()

    assert "Administracja geo_portal" in index and "Django" not in index
    assert "Dodaj: stawka opłaty" in fees and "Dodaj stawka" not in fees
    assert "Dodawanie: stawka opłaty" in add
    DeadlineRule.objects.create(unit=None, kind="trees", procedure="permit", state="registered",
                                days=45, source="KPA art. 35 §3")
    deadlines = client.get("/admin/permits/deadlinerule/").content.decode()
    assert ">trees<" not in deadlines and "trees / " not in deadlines
    assert ">Usunięcie drzew lub krzewów<" in deadlines
    assert "u.o.p. art. 83f ust. 5" in deadlines  # the statutory defaults, listed
    # ... procedures by their labels, in the rows and the statutory defaults alike
    assert ">permit<" not in deadlines and ">notification<" not in deadlines
    assert ">zezwolenie<" in deadlines and ">zgłoszenie<" in deadlines

"""Bad input to the permits forms and API, and to the finding pages, answered with a clear
4xx naming what is wrong, never a 500, and nothing written."""
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cadastre_sync.models import TaxFinding
from cadastre_sync.tax.reconcile import reconcile
from core.roles import TAX_OFFICER
from permits.models import Application, ApplicationEvent
from permits.trees.forms import MAX_TREES, TreeRemovalForm, formset_data
from permits.workflow import State
from tests import factories
from tests import permits_factories as pf
from tests.tax_factories import YEAR, discrepancy_gmina

pytestmark = pytest.mark.django_db
API = "/wnioski/api/applications/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    return pf.world()


# Rings GDAL cannot read, and a ring of three positions PostGIS refuses.
BAD_RINGS = [
    {"type": "Polygon", "coordinates": [[318002, 386002]]},
    {"type": "Polygon", "coordinates": [[[318002, 386002], [318012, 386002]]]},
    {"type": "Polygon", "coordinates": [[[318002, 386002], [318012, 386002],
                                         [318002, 386002]]]},
]


@pytest.mark.parametrize(("changes", "field"), [
    ({"trees": "Tilia"}, "trees"),
    ({"trees": {"species": 1}}, "trees"),
    ({"trees": [["Tilia"]]}, "trees"),
    ({"shrubs": None}, "shrubs"),
    ({"applicant_name": {"first": "Jan"}}, "applicant_name"),
    ({"applicant_name": ["Jan", "Kowalski"]}, "applicant_name"),
    ({"reason": 12}, None),  # a number is text to a text field
])
def test_the_api_refuses_content_of_the_wrong_shape_naming_the_field(world, client, changes,
                                                                      field):
    _unit, parcel, resident, _officer = world
    client.force_login(resident)
    content = {**pf.content(trees=[pf.tree()]), **changes}

    response = client.post(API, {"kind": "trees", "parcels": [parcel.parcel_id],
                                 "content": content}, content_type="application/json")

    if field is None:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 400
    body = response.json()
    assert list(body["detail"]) == [field] and field in body["message"]
    assert Application.objects.count() == 0


@pytest.mark.parametrize("ring", BAD_RINGS)
def test_a_shrub_outline_with_a_bad_ring_is_refused_naming_the_shrub(world, client, ring):
    _unit, parcel, resident, _officer = world
    client.force_login(resident)
    content = pf.content(shrubs=[{"species": pf.species("Syringa vulgaris").pk,
                                  "geometry": ring}])

    response = client.post(API, {"kind": "trees", "parcels": [parcel.parcel_id],
                                 "content": content}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == {  # Polish by default
        "shrubs[0].geometry": ["Obrys nie jest poprawnym wielokątem."]}
    assert Application.objects.count() == 0


def test_a_huge_total_forms_builds_no_more_forms_than_allowed(world):
    _unit, parcel, _resident, _officer = world
    data = formset_data(pf.content(trees=[pf.tree()]))
    data["trees-TOTAL_FORMS"] = "100000000"

    form = TreeRemovalForm(data, None, parcels=[parcel])

    assert not form.is_valid()
    assert len(form.trees.forms) == MAX_TREES
    assert form.non_field_errors == [f"Please submit at most {MAX_TREES} forms."]


def test_the_form_page_answers_a_huge_total_forms_with_the_form_and_saves_nothing(world,
                                                                                   client):
    _unit, parcel, resident, _officer = world
    client.force_login(resident)
    data = {k: v for k, v in formset_data(pf.content(trees=[pf.tree()])).items()
            if v is not None}
    data["trees-TOTAL_FORMS"] = "100000000"

    response = client.post(reverse("permits:new", args=["trees"])
                           + f"?parcels={parcel.parcel_id}", data)

    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_a_page_action_without_the_version_is_refused_and_changes_nothing(world, client):
    _unit, parcel, resident, officer = world
    app = pf.submitted(resident, [parcel])
    events = ApplicationEvent.objects.count()
    client.force_login(officer)

    response = client.post(reverse("permits:action", args=[app.pk]), {"action": "register"},
                           follow=True)

    app.refresh_from_db()
    assert app.state == State.SUBMITTED and ApplicationEvent.objects.count() == events
    assert "odśwież stronę i spróbuj ponownie" in response.content.decode()  # Polish first


def test_a_draft_saved_from_the_page_without_the_version_is_refused(world, client):
    _unit, parcel, resident, _officer = world
    app = pf.draft(resident, [parcel])
    version = app.version
    client.force_login(resident)
    data = {k: v for k, v in formset_data(pf.content(trees=[pf.tree()], reason="Inny")).items()
            if v is not None}

    client.post(reverse("permits:edit", args=[app.pk]), data)

    app.refresh_from_db()
    assert app.payload["reason"] != "Inny" and app.version == version


def test_another_units_finding_answers_as_a_missing_one():
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    other = factories.unit("020101_1", "Bolesławiec")
    officer = factories.staff(other, TAX_OFFICER, "podatki_b")
    theirs = TaxFinding.objects.filter(unit=g.unit).first()
    client = Client()
    client.force_login(officer)

    existing = client.get(f"/podatki/{other.teryt}/findings/{theirs.pk}/")
    missing = client.get(f"/podatki/{other.teryt}/findings/{theirs.pk + 100000}/")
    acted = client.post(f"/podatki/{other.teryt}/findings/{theirs.pk}/comment/", {"text": "x"})

    assert (existing.status_code, missing.status_code, acted.status_code) == (404, 404, 404)
    assert theirs.events.count() == 0

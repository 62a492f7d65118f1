"""The WZ application as a case: the site must cover or touch the chosen parcels, the duty
depends on ownership in the cadastre, the officer sees the automatic checks."""
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from cadastre_sync.models import Owner, OwnershipShare, RegisterUnit
from core.roles import CASE_OFFICER
from layers.models import ZoningPlan, ZoningZone
from permits import services
from permits.models import Application, WzApplication
from permits.wz.forms import WzForm
from tests import factories
from tests.permits_factories import enable

PARCEL = (318000.0, 386000.0, 318040.0, 386050.0)  # 2000 m²
SITE_WKT = "POLYGON((318000 386000, 318040 386000, 318040 386050, 318000 386050, 318000 386000))"
FAR_WKT = "POLYGON((318300 386300, 318340 386300, 318340 386350, 318300 386350, 318300 386300))"
CONTENT = {"applicant_name": "Jan Kowalski", "applicant_address": "ul. Piastowska 2, Legnica",
           "site_geometry": SITE_WKT, "function": "single_family",
           "description": "Budynek mieszkalny jednorodzinny z garażem", "buildings": "1",
           "width_m": "12", "length_m": "14", "height_m": "14", "storeys": "3",
           "built_up_area_m2": "700", "floor_area_m2": "1400",
           "biologically_active_m2": "900", "water": "network", "sewage": "network",
           "road_access": "direct", "environment": "Brak oddziaływania ponad normy."}


def _world(owner_name: str | None = None):
    unit = factories.unit()
    enable(unit, "wz", prefix="UA.6730")
    parcel = factories.parcel("40/1", geom=factories.box(*PARCEL))
    if owner_name:
        first, last = owner_name.split()
        ru = RegisterUnit.objects.create(unit=unit, register_id="G.100", group=7)
        owner = Owner.objects.create(unit=unit, kind="person", first_name=first, surname=last)
        OwnershipShare.objects.create(register_unit=ru, owner=owner, numerator=1, denominator=1)
        parcel.register_unit = ru
        parcel.save()
    plan = ZoningPlan.objects.create(unit=unit, kind="general", identifier="POG",
                                     name="Plan ogólny gminy Legnica")
    ZoningZone.objects.create(plan=plan, local_id="1SJ", label="1SJ", symbol="SJ",
                              max_height_m=Decimal("12"), max_built_up_share=Decimal("40"),
                              geom=factories.box(317000, 385000, 319000, 387000))
    return unit, parcel, factories.user("jan"), factories.staff(unit, CASE_OFFICER, "urzednik")


@pytest.mark.django_db
def test_a_site_missing_a_chosen_parcel_is_refused_with_the_parcel_named():
    # given a resident choosing parcel 40/1 and drawing the site 300 m away
    _unit, parcel, _resident, _officer = _world()

    # when
    with translation.override("en"):
        form = WzForm({**CONTENT, "site_geometry": FAR_WKT}, parcels=[parcel])
        valid = form.is_valid()

    # then the form says which parcel the site misses, and nothing is stored
    assert not valid
    assert form.errors["site_geometry"] == [
        f"The site boundary must cover or touch every chosen parcel; it misses "
        f"{parcel.parcel_id}."]
    assert not WzApplication.objects.exists()


@pytest.mark.django_db
def test_a_site_touching_the_parcel_along_its_edge_is_accepted():
    # given a site drawn next to the parcel, sharing its eastern edge
    _unit, parcel, _resident, _officer = _world()
    touching = ("POLYGON((318040 386000, 318080 386000, 318080 386050, 318040 386050, "
                "318040 386000))")

    # when / then
    assert WzForm({**CONTENT, "site_geometry": touching}, parcels=[parcel]).is_valid()


@pytest.mark.parametrize(("owner", "duty"), [("Jan Kowalski", Decimal("0")),
                                             ("Ewa Zielińska", Decimal("598"))])
@pytest.mark.django_db
def test_the_duty_is_free_for_the_owner_in_the_cadastre_only(owner, duty):
    # given parcel 40/1 owned (per the cadastre) by `owner`
    _unit, parcel, resident, _officer = _world(owner_name=owner)

    # when Jan Kowalski files a WZ application for it
    form = WzForm(CONTENT, parcels=[parcel])
    assert form.is_valid(), form.errors
    app = services.draft_create(by=resident, kind_code="wz", parcels=[parcel])
    services.draft_save(application_id=app.pk, by=resident, form=form)
    app = services.application_submit(application_id=app.pk, by=resident)

    # then the duty follows ownership
    assert app.fee == duty
    assert WzApplication.objects.get(application=app).applicant_is_owner is (duty == 0)


@pytest.mark.django_db
def test_the_officer_sees_the_exceeded_parameters_and_the_neighbourhood(client):
    # given a submitted WZ application proposing 14 m and 35 % built up in a 12 m / 40 % zone
    _unit, parcel, resident, officer = _world()
    form = WzForm(CONTENT, parcels=[parcel])
    assert form.is_valid(), form.errors
    app = services.draft_create(by=resident, kind_code="wz", parcels=[parcel])
    services.draft_save(application_id=app.pk, by=resident, form=form)
    app = services.application_submit(application_id=app.pk, by=resident)

    # when the officer and the resident open the case
    client.force_login(officer)
    officer_page = client.get(reverse("permits:detail", args=[app.pk])).content.decode()
    client.force_login(resident)
    resident_page = client.get(reverse("permits:detail", args=[app.pk])).content.decode()

    # then the officer sees the height flag (only), the analysed area's radius; the
    # resident sees no checks panel
    assert 'data-flag="exceeds_max_height_m"' in officer_page
    assert 'data-flag="exceeds_max_built_up_share"' not in officer_page
    assert 'data-flag="local_plan"' not in officer_page
    assert 'data-radius="50.0"' in officer_page
    assert 'id="wz-checks"' not in resident_page
    assert Application.objects.get(pk=app.pk).state == "submitted"


@pytest.mark.django_db
def test_the_resident_saves_a_wz_draft_from_the_form_page(client):
    # given a resident on the WZ form for parcel 40/1
    _unit, parcel, resident, _officer = _world()
    client.force_login(resident)
    url = reverse("permits:new", args=["wz"]) + f"?parcels={parcel.parcel_id}"
    form_page = client.get(url)

    # when she saves the draft with the site drawn as GeoJSON (PL-1992, as the map writes it)
    geojson = ('{"type":"Polygon","coordinates":[[[318000,386000],[318040,386000],'
               '[318040,386050],[318000,386050],[318000,386000]]]}')
    saved = client.post(url, {**CONTENT, "site_geometry": geojson, "save": "1",
                              "parcels": parcel.parcel_id})
    draft_page = client.get(saved.url).content.decode()

    # then the form offers the map drawing, the site is stored in PL-1992, and the reopened
    # draft shows the duty (not the owner: 598 zł) and the height over the zone's limit
    assert form_page.status_code == 200 and 'id="draw-site"' in form_page.content.decode()
    row = WzApplication.objects.get()
    assert row.site.srid == 2180 and float(row.site_area_m2) == pytest.approx(2000.0)
    assert 'data-duty="598"' in draft_page
    assert 'data-flag="exceeds_max_height_m"' in draft_page


@pytest.mark.django_db
def test_the_api_files_a_wz_application_and_refuses_a_site_elsewhere(client):
    # given a resident with an API session
    _unit, parcel, resident, _officer = _world()
    client.force_login(resident)
    url = reverse("permits:api-list")

    # when she files through the API with the site 300 m away, then with the right site
    wrong = client.post(url, {"kind": "wz", "parcels": [parcel.parcel_id], "submit": True,
                              "content": {**CONTENT, "site_geometry": FAR_WKT}},
                        content_type="application/json")
    right = client.post(url, {"kind": "wz", "parcels": [parcel.parcel_id], "submit": True,
                              "content": CONTENT}, content_type="application/json")

    # then the first is a 400 naming the field and stores nothing; the second is filed
    assert wrong.status_code == 400 and "site_geometry" in wrong.json()["detail"]
    assert right.status_code == 201, right.json()
    assert right.json()["state"] == "submitted" and right.json()["fee"] == "598.00"
    assert Application.objects.count() == 1 and WzApplication.objects.count() == 1

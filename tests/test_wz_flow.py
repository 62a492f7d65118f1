"""The WZ application as a case: the site must cover or touch the chosen parcels, the duty
depends on ownership in the cadastre, the officer sees the automatic checks."""
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cadastre_sync.models import Owner, OwnershipShare, RegisterUnit
from core.errors import InvalidInput
from core.roles import CASE_OFFICER
from layers.models import ZoningPlan, ZoningZone
from permits import services
from permits.attachments import attachment_add
from permits.models import Application, ApplicationEvent, Attachment
from permits.wz.forms import WzForm
from permits.wz.models import WzApplication
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
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


def _base_map(app: Application, resident, purpose: str = Attachment.DRAWING) -> Attachment:
    return attachment_add(application=app, by=resident, purpose=purpose,
                          upload=SimpleUploadedFile("mapa-zasadnicza-1-500.pdf", PDF))


def _draft(resident, parcel) -> Application:
    form = WzForm(CONTENT, parcels=[parcel])
    assert form.is_valid(), form.errors
    app = services.draft_create(by=resident, kind_code="wz", parcels=[parcel])
    return services.draft_save(application_id=app.pk, by=resident, form=form)


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

    # when Jan Kowalski files a WZ application for it, with the base map
    app = _draft(resident, parcel)
    _base_map(app, resident)
    app = services.application_submit(application_id=app.pk, by=resident)

    # then the duty follows ownership
    assert app.fee == duty
    assert WzApplication.objects.get(application=app).applicant_is_owner is (duty == 0)


@pytest.mark.django_db
def test_the_officer_sees_the_exceeded_parameters_and_the_neighbourhood(client):
    # given a submitted WZ application proposing 14 m and 35 % built up in a 12 m / 40 % zone
    _unit, parcel, resident, officer = _world()
    app = _draft(resident, parcel)
    _base_map(app, resident)
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
    # but no base map attached, then saves the right site as a draft, attaches the base map
    # and submits it
    wrong = client.post(url, {"kind": "wz", "parcels": [parcel.parcel_id], "submit": True,
                              "content": {**CONTENT, "site_geometry": FAR_WKT}},
                        content_type="application/json")
    no_map = client.post(url, {"kind": "wz", "parcels": [parcel.parcel_id], "submit": True,
                               "content": CONTENT}, content_type="application/json")
    stored_after_refusals = (Application.objects.count(), WzApplication.objects.count())
    draft = client.post(url, {"kind": "wz", "parcels": [parcel.parcel_id],
                              "content": CONTENT}, content_type="application/json").json()
    attached = client.post(reverse("permits:api-attach", args=[draft["id"]]),
                           {"purpose": Attachment.DRAWING,
                            "file": SimpleUploadedFile("mapa-zasadnicza.pdf", PDF)})
    right = client.post(reverse("permits:api-submit", args=[draft["id"]]),
                        {"version": draft["version"]}, content_type="application/json")

    # then the first is a 400 naming the field, the second a 400 asking for the base map,
    # and neither stores anything; the draft with its base map is filed
    assert wrong.status_code == 400 and "site_geometry" in wrong.json()["detail"]
    assert no_map.status_code == 400
    assert no_map.json()["message"] == (
        "Dołącz granice terenu zaznaczone na kopii mapy zasadniczej lub mapy ewidencyjnej w "
        "skali 1:500 lub 1:1000 (1:2000 dla inwestycji liniowej), jako rysunek lub mapę.")
    assert stored_after_refusals == (0, 0)
    assert attached.status_code == 201, attached.json()
    assert right.status_code == 200, right.json()
    assert right.json()["state"] == "submitted" and right.json()["fee"] == "598.00"
    assert Application.objects.count() == 1 and WzApplication.objects.count() == 1


@pytest.mark.django_db
def test_a_wz_application_without_the_base_map_is_not_filed_and_the_draft_is_unchanged():
    # given a complete WZ draft with only an "other document" attached
    _unit, parcel, resident, _officer = _world()
    app = _draft(resident, parcel)
    _base_map(app, resident, purpose=Attachment.OTHER)
    app.refresh_from_db()
    before = (app.state, app.version, app.case_number, app.digest, app.fee, bool(app.pdf))

    # when the resident submits it
    with translation.override("en"), pytest.raises(InvalidInput) as error:
        services.application_submit(application_id=app.pk, by=resident, version=app.version)

    # then it is refused, saying what to attach, and nothing changed
    assert str(error.value.message) == (
        "Attach the site's boundaries drawn on a copy of the base map or the cadastral map "
        "at 1:500 or 1:1000 (1:2000 for a linear project), as a drawing or map.")
    app.refresh_from_db()
    assert (app.state, app.version, app.case_number, app.digest, app.fee,
            bool(app.pdf)) == before == ("draft", app.version, "", "", None, False)
    assert not ApplicationEvent.objects.filter(application=app).exists()


@pytest.mark.django_db
def test_a_wz_application_with_the_base_map_as_a_drawing_is_filed():
    # given a complete WZ draft with the base map attached as a drawing or map
    _unit, parcel, resident, _officer = _world()
    app = _draft(resident, parcel)
    _base_map(app, resident)

    # when the resident submits it
    app = services.application_submit(application_id=app.pk, by=resident)

    # then it is filed
    assert app.state == "submitted" and app.case_number.startswith("UA.6730.")

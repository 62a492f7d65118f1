"""A fourth application kind plugs in through the kind contract alone (permits/kinds.py):
registered here, in the test, it is filed through the shared pages and API, shown on the
case page and its map, and decided, without a line of the shared code knowing it."""
import json
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.contrib.gis.geos import GEOSGeometry, Point
from django.urls import reverse

from permits import kinds, selectors
from permits.drawn import DrawnPolygonField
from permits.kinds import Kind, Outcome
from permits.models import Application
from permits.workflow import State
from tests import permits_factories as pf

CODE = "excavation"


class ExcavationForm(forms.Form):
    """A road excavation notice: who digs, where (a polygon drawn on the map) and when."""

    applicant_name = forms.CharField(max_length=200)
    applicant_address = forms.CharField(max_length=400)
    area = DrawnPolygonField(label="Excavation area")
    start = forms.DateField()

    def __init__(self, data=None, files=None, *, application=None, parcels=()):
        initial = dict(application.payload) if application is not None else {}
        super().__init__(data, initial=initial)

    def payload(self) -> dict:
        data = self.cleaned_data
        return {"applicant_name": data["applicant_name"],
                "applicant_address": data["applicant_address"],
                "area": data["area"].ewkt, "start": data["start"].isoformat()}

    def save_details(self, application) -> None:
        pass  # everything filed is in the payload


def _features(application, srid: int) -> dict:
    area = GEOSGeometry(application.payload["area"])
    return {"area": selectors.feature_collection([
        {"type": "Feature", "geometry": selectors.geojson(area, srid), "properties": {}}])}


KINDS = (Kind(
    code=CODE, title="Road excavation notice", description="Digging in a road.",
    form=f"{__name__}.ExcavationForm",
    outcomes=(Outcome("accepted", "accepted"), Outcome("refused", "refused", positive=False)),
    summary=lambda app: [("Start", app.payload["start"])],
    map_features=_features,
),)

FORM = """{{ form.as_div }}"""
DETAILS = ("<dl>{% for label, value in summary %}<dt>{{ label }}</dt><dd>{{ value }}</dd>"
           "{% endfor %}</dl>")
AREA = {"type": "Polygon", "coordinates": [[[318010, 386010], [318030, 386010],
                                            [318030, 386030], [318010, 386010]]]}


@pytest.fixture
def fourth_kind(settings, tmp_path, monkeypatch, world):
    templates = tmp_path / "templates" / "permits" / CODE
    templates.mkdir(parents=True)
    (templates / "form.html").write_text(FORM)
    (templates / "details.html").write_text(DETAILS)
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(kinds, "KIND_MODULES", (*kinds.KIND_MODULES, __name__))
    kinds._registry.cache_clear()
    unit, parcel, resident, officer = world
    pf.enable(unit, CODE, prefix="GKM.7230")
    yield world
    kinds._registry.cache_clear()


@pytest.fixture
def world(db):
    return pf.world()


def test_a_fourth_kind_is_offered_filed_on_the_page_shown_and_decided(client, fourth_kind):
    unit, parcel, resident, officer = fourth_kind
    # given the unit offers the new kind: the parcel's actions name it
    offered = [k.code for k in selectors.offered_kinds(unit, [parcel])]
    assert CODE in offered

    # when the resident fills its form on the shared page and submits it
    client.force_login(resident)
    url = reverse("permits:new", args=[CODE]) + f"?parcels={parcel.parcel_id}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'class="map-polygon"' in page.content.decode()
    response = client.post(url, {
        "parcels": parcel.parcel_id, "applicant_name": "Jan Kowalski",
        "applicant_address": "Polna 1, Legnica", "area": json.dumps(AREA),
        "start": "2027-03-01", "submit": "1"})

    # then the case is submitted with its number from the kind's office mark
    app = Application.objects.get(kind=CODE)
    assert response.status_code == 302
    assert app.state == State.SUBMITTED
    assert app.case_number.startswith("GKM.7230")
    assert app.payload["start"] == "2027-03-01"

    # ... its case page shows the kind's summary and draws its area on the map
    detail = client.get(reverse("permits:detail", args=[app.pk])).content.decode()
    assert "<dt>Start</dt><dd>2027-03-01</dd>" in detail
    features = selectors.map_features(app, srid=2180)
    assert set(features) == {"parcels", "area"}
    assert features["area"]["features"][0]["geometry"]["type"] == "Polygon"


def test_a_fourth_kind_is_filed_and_decided_through_the_api(client, fourth_kind):
    unit, parcel, resident, officer = fourth_kind
    client.force_login(resident)

    # when the resident files it through the API, submitting at once
    created = client.post(reverse("permits:api-list"), {
        "kind": CODE, "parcels": [parcel.parcel_id], "submit": True,
        "content": {"applicant_name": "Jan Kowalski", "applicant_address": "Polna 1",
                    "area": AREA, "start": "2027-03-01"}}, content_type="application/json")

    # then it is stored like any kind's case
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == CODE and body["state"] == State.SUBMITTED

    # ... and a shape that is not a polygon is refused naming the field, storing nothing
    wrong = client.post(reverse("permits:api-list"), {
        "kind": CODE, "parcels": [parcel.parcel_id],
        "content": {"applicant_name": "Jan", "applicant_address": "Polna 1",
                    "area": {"type": "Point", "coordinates": [318010, 386010]},
                    "start": "2027-03-01"}}, content_type="application/json")
    assert wrong.status_code == 400
    assert "area" in wrong.json()["detail"]
    assert Application.objects.filter(kind=CODE).count() == 1

    # when the officer registers it and decides through the API
    client.force_login(officer)
    app = Application.objects.get(kind=CODE)
    def act(action: str, **extra):
        app.refresh_from_db()
        return client.post(reverse("permits:api-transition", args=[app.pk]),
                           {"action": action, "version": app.version, **extra},
                           content_type="application/json")

    assert act("register").status_code == 200
    decide = {"outcome": "accepted", "reason": "Zgodne z przepisami."}
    # ... a decision ignoring the review's warning (the applicant owns no chosen parcel) is
    # refused naming the warning, as on the page, and changes nothing
    refused = act("decide", **decide)
    assert refused.status_code == 400
    assert refused.json()["detail"] == {"acknowledge": ["not_owner"]}
    app.refresh_from_db()
    assert app.state == State.REGISTERED
    # ... and taken once the warning is acknowledged
    assert act("decide", acknowledge=["not_owner"], **decide).status_code == 200
    app.refresh_from_db()
    assert app.state == State.DECIDED and app.outcome == "accepted"
    assert app.decided_at.date() <= date.today()
    assert Point(318020, 386020, srid=2180).within(parcel.geom)


def test_each_kind_keeps_its_models_in_its_own_package():
    # given the registered kinds' packages
    from django.apps import apps

    packages = {path.rpartition(".")[0] for path in kinds.KIND_MODULES}

    # when the permits models are listed by the module that defines them
    modules = {model._meta.object_name: model.__module__
               for model in apps.get_app_config("permits").get_models()}

    # then each is the framework's or a registered kind package's models module
    assert {m for m in modules.values()
            if m != "permits.models.base"} <= {f"{p}.models" for p in packages}
    assert modules["TreeItem"] == "permits.trees.models"
    assert modules["ZoningExtract"] == "permits.zoning_extract.models"
    assert modules["WzApplication"] == "permits.wz.models"
    # and the shared models module names no kind
    shared = Path(apps.get_app_config("permits").models_module.__file__)
    source = shared.read_text(encoding="utf-8")
    assert not any(package.rpartition(".")[2] in source for package in packages)

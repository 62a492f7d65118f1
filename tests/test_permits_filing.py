"""Filing a tree removal: parcels and places, attachments checked on content, the pages and
the API with the same permissions, and denied paths that change nothing."""
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import Forbidden, InvalidInput
from core.roles import CASE_OFFICER
from permits import selectors, services
from permits.attachments import MAX_BYTES, attachment_add
from permits.models import Application, Attachment, KindSetting
from permits.workflow import State
from tests import factories
from tests import permits_factories as pf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


@pytest.fixture(autouse=True)
def fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    return pf.world()


def test_offered_kinds_lists_only_enabled_kinds_with_the_parcels_in_the_url(world):
    unit, parcel, _resident, _officer = world
    offered = selectors.offered_kinds(unit, [parcel])
    assert [(k.code, k.url) for k in offered] == [
        ("trees", "/wnioski/nowy/trees/?parcels=026101_1.0001.77%2F1")]
    KindSetting.objects.filter(unit=unit).update(enabled=False)
    assert selectors.offered_kinds(unit, [parcel]) == []


def test_a_tree_outside_the_chosen_parcels_is_refused_naming_the_tree(world):
    _unit, parcel, _resident, _officer = world
    data = pf.content(trees=[pf.tree(), pf.tree("Betula", at=pf.OUTSIDE)])
    form = pf.form([parcel], data)
    with translation.override("en"):
        assert not form.is_valid()
        assert form.non_field_errors == [
            "Tree 2 (birch (Betula)) lies outside the chosen parcels (026101_1.0001.77/1); "
            "place it on the parcel or choose its parcel too."]


def test_a_point_outside_is_refused_by_the_api_and_nothing_is_stored(world, client):
    _unit, parcel, resident, _officer = world
    client.force_login(resident)
    body = {"kind": "trees", "parcels": [parcel.parcel_id], "submit": True,
            "content": pf.content(trees=[pf.tree(at=pf.OUTSIDE)])}
    response = client.post("/wnioski/api/applications/", body, content_type="application/json")
    assert response.status_code == 400
    assert "Drzewo 1 (lipa (Tilia)) leży poza wybranymi działkami" in json.dumps(
        response.json()["detail"], ensure_ascii=False)  # Polish by default
    assert Application.objects.count() == 0


def test_shrub_outline_must_be_valid_and_inside(world):
    _unit, parcel, _resident, _officer = world
    lilac = pf.species("Syringa vulgaris").pk
    inside = "POLYGON((318002 386002, 318012 386002, 318012 386012, 318002 386012, 318002 386002))"
    bowtie = "POLYGON((318002 386002, 318012 386012, 318012 386002, 318002 386012, 318002 386002))"
    outside = "POLYGON((318020 386020, 318060 386020, 318060 386060, 318020 386020))"
    ok = pf.form([parcel], pf.content(shrubs=[{"species": lilac, "geometry": inside}]))
    assert ok.is_valid(), ok.errors
    assert ok.payload()["shrubs"][0]["area_m2"] == "100.0"
    for wkt in (bowtie, outside):
        form = pf.form([parcel], pf.content(shrubs=[{"species": lilac, "geometry": wkt}]))
        assert not form.is_valid()
        assert len(form.non_field_errors) == 1


def test_form_verdict_uses_species_and_rates_from_the_database(world):
    _unit, parcel, _resident, _officer = world
    data = pf.content(trees=[pf.tree("Tilia", c5=120, stems=(100, 40))])  # 100 + 20 = 120
    form = pf.form([parcel], data)
    assert form.is_valid(), form.errors
    result = form.verdict()
    assert (result.verdict, result.fee) == ("permit", Decimal("3600.00"))  # 120 × 30
    private = pf.form([parcel], pf.content(trees=[pf.tree("Tilia", c5=120)], private=True))
    assert private.is_valid() and private.verdict().verdict == "notification"


def test_a_tree_on_a_parents_land_outside_business_is_notified_by_the_owner(world, client):
    """Art. 83f ust. 1 pkt 3a, ust. 4: natural persons' land, a removal outside business,
    needs no permit; a tree above the threshold is notified, by the owner."""
    # given a natural person, not the owner, on land of natural persons, outside business
    _unit, parcel, resident, _officer = world
    client.force_login(resident)
    data = pf.content(trees=[pf.tree("Tilia", c5=200, stems=(150,))], natural_person=True,
                      own_land=False, land_natural_persons=True)
    # when she files it through the API
    response = client.post("/wnioski/api/applications/", {
        "kind": "trees", "parcels": [parcel.parcel_id], "content": data},
        content_type="application/json")
    # then a notification, without a fee, which the owner files
    assert response.status_code == 201, response.json()
    app = Application.objects.get()
    assert (app.procedure, app.payload["land_natural_persons"]) == ("notification", True)
    form = pf.form([parcel], data)
    assert form.is_valid(), form.errors
    with translation.override("en"):
        result = form.verdict()
    assert (result.verdict, result.fee) == ("notification", Decimal(0))
    assert result.lines[-1] == ("The notification is filed by the owner of the land "
                                "(art. 83f ust. 4).")


def test_a_permit_tree_without_stems_at_130_cm_is_refused_naming_the_tree(world):
    # given two trees needing a permit, the second without its stems at 130 cm
    _unit, parcel, _resident, _officer = world
    data = pf.content(trees=[pf.tree(), pf.tree("Betula", c5=150, stems=())])
    form = pf.form([parcel], data)
    # when the form is checked; then it is refused, naming the tree
    with translation.override("en"):
        assert not form.is_valid()
        assert form.non_field_errors == [
            "Tree 2 (birch) needs a permit: give the circumference of each of its stems at "
            "130 cm, from which the fee is computed."]
    # a tree below the threshold or notified needs no stems
    small = pf.form([parcel], pf.content(trees=[pf.tree(c5=40, stems=())]))
    notified = pf.form([parcel], pf.content(trees=[pf.tree(stems=())], private=True))
    assert small.is_valid(), small.errors
    assert notified.is_valid(), notified.errors


def test_submission_refuses_a_permit_tree_without_stems_and_changes_nothing(world):
    # given a draft whose tree lost its stems at 130 cm (saved before the rule)
    _unit, parcel, resident, _officer = world
    app = pf.draft(resident, [parcel])
    app.trees.update(stems_130cm=[])
    version = app.version
    # when the resident submits it
    with translation.override("en"), pytest.raises(InvalidInput) as error:
        services.application_submit(application_id=app.pk, by=resident)
    # then it is refused naming the tree, and the draft is unchanged
    assert str(error.value.message).startswith("Tree 1 (lime) needs a permit: give the")
    app.refresh_from_db()
    assert (app.state, app.case_number, app.digest, app.fee, app.version) == (
        State.DRAFT, "", "", None, version)


# Attachments -------------------------------------------------------------------------------

def test_attachment_type_comes_from_the_content_not_the_name(world):
    _unit, parcel, resident, _officer = world
    app = pf.draft(resident, [parcel])
    att = attachment_add(application=app, by=resident, purpose=Attachment.CONSENT,
                         upload=SimpleUploadedFile("zgoda.pdf", PNG, "application/pdf"))
    assert (att.content_type, att.size, att.original_name) == ("image/png", len(PNG),
                                                               "zgoda.pdf")
    assert att.file.name.endswith(".png")
    pdf = attachment_add(application=app, by=resident, purpose=Attachment.DRAWING,
                         upload=SimpleUploadedFile("rysunek.png", PDF, "image/png"))
    assert pdf.content_type == "application/pdf"


def test_an_attachment_is_refused_once_the_draft_was_submitted_meanwhile(world):
    # given the resident's page holding the draft as it was before it was submitted
    _unit, parcel, resident, _officer = world
    stale = pf.draft(resident, [parcel])
    services.application_submit(application_id=stale.pk, by=resident)
    assert stale.state == State.DRAFT  # the page's copy
    # when a document is added through that copy
    with pytest.raises(InvalidInput):
        attachment_add(application=stale, by=resident, purpose=Attachment.DRAWING,
                       upload=SimpleUploadedFile("rysunek.pdf", PDF, "application/pdf"))
    # then the state was read from the locked row and nothing was stored
    assert Attachment.objects.count() == 0


def test_attachment_add_locks_the_application_row(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _unit, parcel, resident, _officer = world
    app = pf.draft(resident, [parcel])
    with CaptureQueriesContext(connection) as queries:
        attachment_add(application=app, by=resident, purpose=Attachment.DRAWING,
                       upload=SimpleUploadedFile("rysunek.pdf", PDF, "application/pdf"))
    table = Application._meta.db_table
    assert [q["sql"].endswith("FOR UPDATE") for q in queries.captured_queries
            if f'FROM "{table}"' in q["sql"]][:1] == [True]


@pytest.mark.parametrize(("name", "data"), [
    ("zgoda.pdf", b"MZ\x90\x00 an executable pretending"),
    ("zgoda.pdf", b"<html><script>alert(1)</script>"),
    ("pusty.pdf", b""),
    ("duzy.pdf", b"%PDF-" + b"0" * MAX_BYTES),
])
def test_attachment_refused_on_content_or_size_and_nothing_stored(world, name, data):
    _unit, parcel, resident, _officer = world
    app = pf.draft(resident, [parcel])
    with pytest.raises(InvalidInput) as error:
        attachment_add(application=app, by=resident, purpose=Attachment.CONSENT,
                       upload=SimpleUploadedFile(name, data, "application/pdf"))
    assert error.value.detail["file"] == name
    assert app.attachments.count() == 0


def test_attachments_closed_after_submission_and_to_others(world):
    _unit, parcel, resident, officer = world
    app = pf.submitted(resident, [parcel])
    for who in (resident, officer):
        with pytest.raises((InvalidInput, Forbidden)):
            attachment_add(application=app, by=who, purpose=Attachment.OTHER,
                           upload=SimpleUploadedFile("a.pdf", PDF))
    assert app.attachments.count() == 0


# Denied paths ------------------------------------------------------------------------------

def test_a_resident_cannot_read_or_act_on_anothers_case(world, client):
    _unit, parcel, resident, _officer = world
    app = pf.submitted(resident, [parcel])
    other = factories.user("neighbour")
    client.force_login(other)
    for url in (reverse("permits:detail", args=[app.pk]), reverse("permits:pdf", args=[app.pk]),
                f"/wnioski/api/applications/{app.pk}/"):
        assert client.get(url).status_code == 404
    response = client.post(f"/wnioski/api/applications/{app.pk}/transitions/",
                           {"action": "withdraw", "version": app.version},
                           content_type="application/json")
    assert response.status_code == 404
    client.post(reverse("permits:action", args=[app.pk]), {"action": "withdraw"})
    after = Application.objects.get(pk=app.pk)
    assert (after.state, after.version, after.events.count()) == (
        State.SUBMITTED, app.version, 1)


def test_an_officer_of_another_unit_neither_sees_nor_decides(world, client):
    _unit, parcel, resident, _officer = world
    app = pf.submitted(resident, [parcel])
    foreign = factories.staff(factories.unit("026201_1", "Bolesławiec"), CASE_OFFICER, "obcy")
    client.force_login(foreign)
    assert client.get(reverse("permits:detail", args=[app.pk])).status_code == 404
    assert client.get("/wnioski/api/applications/").json() == []
    response = client.post(f"/wnioski/api/applications/{app.pk}/transitions/",
                           {"action": "register", "version": app.version},
                           content_type="application/json")
    assert response.status_code == 404
    with pytest.raises(Forbidden):
        services.application_transition(application_id=app.pk, action="register", by=foreign)
    after = Application.objects.get(pk=app.pk)
    assert (after.state, after.version, after.events.count()) == (
        State.SUBMITTED, app.version, 1)


def test_a_draft_is_private_to_its_author(world, client):
    _unit, parcel, resident, officer = world
    app = pf.draft(resident, [parcel])
    client.force_login(officer)
    assert client.get(reverse("permits:detail", args=[app.pk])).status_code == 404
    assert selectors.officer_queue(user=officer).count() == 0


def test_a_unit_that_does_not_offer_the_kind_gets_no_application(world):
    unit, parcel, resident, _officer = world
    KindSetting.objects.filter(unit=unit).update(enabled=False)
    with pytest.raises(InvalidInput):
        services.draft_create(by=resident, kind_code="trees", parcels=[parcel])
    assert Application.objects.count() == 0


# The whole way, through the API and through the pages --------------------------------------

def test_api_file_register_decide_and_the_resident_sees_the_decision(world, client):
    _unit, parcel, resident, officer = world
    client.force_login(resident)
    body = {"kind": "trees", "parcels": [parcel.parcel_id], "submit": True,
            "content": pf.content(trees=[pf.tree("Quercus robur", c5=150, stems=(120,))])}
    filed = client.post("/wnioski/api/applications/", body, content_type="application/json")
    assert filed.status_code == 201, filed.json()
    case = filed.json()
    assert (case["state"], case["procedure"], case["fee"]) == ("submitted", "permit", "8400.00")
    client.force_login(officer)
    queue = client.get("/wnioski/api/applications/").json()
    assert [c["id"] for c in queue] == [case["id"]]
    url = f"/wnioski/api/applications/{case['id']}/transitions/"
    registered = client.post(url, {"action": "register", "version": case["version"]},
                             content_type="application/json").json()
    stale = client.post(url, {"action": "decide", "version": case["version"], "reason": "r",
                              "outcome": "granted"}, content_type="application/json")
    assert stale.status_code == 409
    decide = {"action": "decide", "version": registered["version"],
              "reason": "Drzewo obumiera", "outcome": "granted"}
    # a decision ignoring the review's warnings is refused naming them, as on the page
    warnings = sorted({f.code for f in selectors.review_flags(Application.objects.get(
        pk=case["id"])) if f.severity == "warning"})
    assert "not_owner" in warnings
    ignored = client.post(url, decide, content_type="application/json")
    assert ignored.status_code == 400
    assert ignored.json()["detail"] == {"acknowledge": warnings}
    assert Application.objects.get(pk=case["id"]).state == State.REGISTERED
    decided = client.post(url, {**decide, "acknowledge": warnings},
                          content_type="application/json")
    assert decided.status_code == 200
    client.force_login(resident)
    mine = client.get(f"/wnioski/api/applications/{case['id']}/").json()
    assert (mine["state"], mine["outcome"]) == ("decided", "granted")
    assert [e["to_state"] for e in mine["events"]] == ["submitted", "registered", "decided"]
    assert mine["actions"] == []


def test_pages_draft_resume_submit_review_and_decide(world, client):
    unit, parcel, resident, officer = world
    neighbour = factories.parcel("77/2", geom=factories.box(318040, 386000, 318070, 386030))
    pf.submitted(factories.user("sasiad"), [neighbour],  # an open case 10 m away
                 pf.content(trees=[pf.tree(at=(318050.0, 386010.0))]))
    client.force_login(resident)
    new = reverse("permits:new", args=["trees"]) + f"?parcels={parcel.parcel_id}"
    assert client.get(new).status_code == 200
    post = _form_post(pf.content(trees=[pf.tree()]))
    saved = client.post(new, post)
    assert saved.status_code == 302
    app = Application.objects.get(applicant=resident)
    edit = reverse("permits:edit", args=[app.pk])
    page = client.get(edit)
    assert b'data-verdict="permit"' in page.content
    done = client.post(edit, {**post, "version": app.version, "submit": "1"})
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.case_number
    client.force_login(officer)
    queue = client.get(reverse("permits:queue"))
    assert app.case_number in queue.content.decode()
    review = client.get(reverse("permits:detail", args=[app.pk])).content.decode()
    assert 'data-flag="not_owner"' in review
    assert 'data-flag="no_protection_layer"' in review
    assert [a.pk for a in selectors.nearby_open_cases(app)] != []
    client.post(reverse("permits:action", args=[app.pk]),
                {"action": "register", "version": app.version})
    app.refresh_from_db()
    decide = {"action": "decide", "version": app.version, "outcome": "granted",
              "reason": "Zgoda"}
    # a decision that ignores the warnings is refused, changing nothing
    client.post(reverse("permits:action", args=[app.pk]), decide)
    app.refresh_from_db()
    assert (app.state, app.outcome) == (State.REGISTERED, "")
    warnings = sorted({f.code for f in selectors.review_flags(app) if f.severity == "warning"})
    assert "not_owner" in warnings
    client.post(reverse("permits:action", args=[app.pk]), {**decide, "acknowledge": warnings})
    app.refresh_from_db()
    assert (app.state, app.outcome) == (State.DECIDED, "granted")
    client.force_login(resident)
    mine = client.get(reverse("permits:detail", args=[app.pk])).content.decode()
    assert 'data-outcome="granted"' in mine
    assert app.case_number in client.get(reverse("permits:mine")).content.decode()


def _form_post(content: dict) -> dict:
    from permits.trees.forms import formset_data
    return {k: v for k, v in formset_data(content).items() if v is not None}


def test_a_registered_case_deadline_is_shown_overdue_to_the_officer(world, client):
    _unit, parcel, resident, officer = world
    app = pf.submitted(resident, [parcel])
    Application.objects.filter(pk=app.pk).update(
        state=State.REGISTERED, deadline=timezone.localdate() - timedelta(days=1))
    client.force_login(officer)
    page = client.get(reverse("permits:queue") + "?due=overdue").content.decode()
    assert f'data-case="{app.pk}" class="overdue"' in page


def test_the_permits_api_is_in_the_openapi_schema(db, client):
    schema = client.get("/api/schema/?format=json").json()
    paths = set(schema["paths"])
    assert {"/wnioski/api/applications/", "/wnioski/api/applications/{id}/",
            "/wnioski/api/applications/{id}/submit/",
            "/wnioski/api/applications/{id}/transitions/",
            "/wnioski/api/applications/{id}/attachments/", "/wnioski/api/kinds/",
            "/wnioski/api/trees/assessment/"} <= paths


def test_the_live_assessment_api_answers_without_storing(world, client):
    _unit, parcel, _resident, _officer = world
    body = {"parcels": [parcel.parcel_id],
            "content": pf.content(trees=[pf.tree("Quercus robur", c5=150, stems=(60, 20))])}
    response = client.post("/wnioski/api/trees/assessment/", body,
                           content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["verdict"], response.json()["fee"]) == ("permit", "3850.00")
    assert Application.objects.count() == 0

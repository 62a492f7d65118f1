"""The zoning extract as a case: resident's form with the duty, submission, the officer's
draft, corrections and issue, the resident's download; denied paths change nothing."""
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import InvalidInput
from core.roles import CASE_OFFICER
from layers.models import ZoningPlan, ZoningZone
from permits import services
from permits.models import Application
from permits.zoning_extract.forms import ZoningExtractForm
from permits.zoning_extract.models import ZoningExtract
from permits.zoning_extract.services import (
    extract_draft_ensure,
    extract_issue,
    extract_text_update,
)
from tests import factories
from tests.permits_factories import enable

PARCEL = (318000.0, 386000.0, 318060.0, 386040.0)
FORM = {"applicant_name": "Anna Nowak", "applicant_address": "ul. Chojnowska 5, Legnica",
        "scope": "both", "copies": "2", "delivery": "download"}


def _world():
    unit = factories.unit()
    enable(unit, "zoning_extract", prefix="UA.6727")
    parcel = factories.parcel("30/2", geom=factories.box(*PARCEL))
    plan = ZoningPlan.objects.create(unit=unit, kind="local", identifier="MPZP 3",
                                     name="Miejscowy plan „Piekary”")
    ZoningZone.objects.create(plan=plan, local_id="1MN", label="1MN", symbol="MN",
                              designation="teren zabudowy mieszkaniowej jednorodzinnej",
                              provisions="§ 9. Dachy dwuspadowe.",
                              geom=factories.box(317900, 385900, 318200, 386200))
    resident = factories.user("anna", email="anna@example.org")
    officer = factories.staff(unit, CASE_OFFICER, "urzednik")
    return unit, parcel, resident, officer


def _submitted(resident, parcel) -> Application:
    form = ZoningExtractForm(FORM, parcels=[parcel])
    assert form.is_valid(), form.errors
    app = services.draft_create(by=resident, kind_code="zoning_extract", parcels=[parcel])
    services.draft_save(application_id=app.pk, by=resident, form=form)
    return services.application_submit(application_id=app.pk, by=resident)


@pytest.mark.django_db
def test_the_form_shows_the_stamp_duty_before_submitting(client):
    # given a resident on the extract form for a parcel under a local plan
    _unit, parcel, resident, _officer = _world()
    client.force_login(resident)
    url = reverse("permits:new", args=["zoning_extract"]) + f"?parcels={parcel.parcel_id}"

    # when they choose both parts in two copies and save, then open the draft again
    response = client.post(url, {**FORM, "save": "1", "parcels": parcel.parcel_id})
    page = client.get(response.url).content.decode()

    # then the draft holds the page counts, and the duty is shown before submitting:
    # 2 copies × (30 zł for one text page + 20 zł for one A4 map page)
    row = ZoningExtract.objects.get()
    assert (row.text_pages, row.map_pages, row.copies) == (1, 1, 2)
    assert row.application.state == "draft" and row.application.fee is None
    assert 'data-duty="100"' in page


@pytest.mark.django_db(transaction=True)
def test_submit_draft_edit_issue_download(client, map_services):
    # given a submitted extract, registered by the officer
    _unit, parcel, resident, officer = _world()
    app = _submitted(resident, parcel)
    assert app.fee == 100 and app.case_number.startswith("UA.6727.")
    app = services.application_transition(application_id=app.pk, action="register", by=officer)

    # when the officer opens the case, the draft is generated from the plan data
    client.force_login(officer)
    page = client.get(reverse("permits:detail", args=[app.pk])).content.decode()
    row = ZoningExtract.objects.get(application=app)
    assert row.draft_pdf and "§ 9. Dachy dwuspadowe." in row.text
    assert "§ 9. Dachy dwuspadowe." in page

    # and corrects the text, then issues
    extract_text_update(application_id=app.pk, by=officer,
                        text=row.text + "\nUwaga: działka w strefie ochrony konserwatorskiej.")
    app.refresh_from_db()
    extract_issue(application_id=app.pk, by=officer, version=app.version)

    # then the case is decided "issued", and the resident downloads the issued PDF with the
    # corrected text, the map page, and no draft watermark
    app.refresh_from_db()
    assert (app.state, app.outcome) == ("decided", "issued")
    assert list(app.events.values_list("action", flat=True)) == ["submit", "register", "decide"]
    client.force_login(resident)
    response = client.get(reverse("permits:zoning_extract_issued", args=[app.pk]))
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "strefie ochrony konserwatorskiej" in text
    assert "PROJEKT" not in text and "urzednik" in text
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    pages = [line.split()[1] for line in info.decode().splitlines() if line.startswith("Pages:")]
    assert pages == ["2"]  # one page of text, one map page


@pytest.mark.django_db(transaction=True)
def test_nobody_downloads_before_issue_and_others_cannot_issue(client, map_services):
    # given a registered extract with its draft, another resident and an officer elsewhere
    _unit, parcel, resident, officer = _world()
    app = _submitted(resident, parcel)
    services.application_transition(application_id=app.pk, action="register", by=officer)
    other_unit = factories.unit("020101_1", "Bolesławiec")
    stranger = factories.staff(other_unit, CASE_OFFICER, "obcy")
    neighbour = factories.user("sasiad")
    app.refresh_from_db()
    before = (app.state, app.version, app.outcome)

    # when the applicant asks for the document early, a neighbour asks for it, and an
    # officer of another unit tries to issue it or change its text
    client.force_login(resident)
    early = client.get(reverse("permits:zoning_extract_issued", args=[app.pk]))
    client.force_login(neighbour)
    foreign = client.get(reverse("permits:zoning_extract_issued", args=[app.pk]))
    client.force_login(stranger)
    issued = client.post(reverse("permits:zoning_extract_issue", args=[app.pk]),
                         {"version": app.version})
    edited = client.post(reverse("permits:zoning_extract_text", args=[app.pk]),
                         {"text": "# nic"})
    # and the framework's decide is used for "issued" without the document
    with pytest.raises(InvalidInput, match="Issue the extract"), translation.override("en"):
        services.application_transition(application_id=app.pk, action="decide", by=officer,
                                        outcome="issued", reason="x")

    # then nothing is served and nothing changed
    assert (early.status_code, foreign.status_code) == (404, 404)
    assert issued.status_code == 302 and edited.status_code == 302
    app.refresh_from_db()
    assert (app.state, app.version, app.outcome) == before
    row = ZoningExtract.objects.get(application=app)
    assert not row.issued_pdf and row.issued_by is None and "# nic" not in row.text


@pytest.mark.django_db(transaction=True)
def test_the_api_corrects_and_issues_and_the_applicant_gets_the_address(client, map_services):
    # given a registered extract
    _unit, parcel, resident, officer = _world()
    app = _submitted(resident, parcel)
    app = services.application_transition(application_id=app.pk, action="register", by=officer)
    url = reverse("permits:api-zoning-extract", args=[app.pk])

    # when the applicant asks before the issue, and the officer reads, corrects and issues
    client.force_login(resident)
    early = client.get(url).json()
    refused = client.put(url, {"text": "# inny tekst"}, content_type="application/json")
    client.force_login(officer)
    draft = client.get(url).json()
    corrected = client.put(url, {"text": draft["text"] + "\nDopisek urzędu."},
                           content_type="application/json").json()
    issued = client.post(reverse("permits:api-zoning-extract-issue", args=[app.pk]),
                         {"version": app.version}, content_type="application/json")
    client.force_login(resident)
    late = client.get(url).json()

    # then the applicant saw neither text nor document until the issue, and could not edit
    assert early["text"] is None and early["issued_url"] is None
    assert refused.status_code == 403
    assert "§ 9. Dachy dwuspadowe." in draft["text"] and draft["draft_url"]
    assert corrected["text"].endswith("Dopisek urzędu.\n")
    assert issued.status_code == 200
    assert late["issued_url"].endswith(reverse("permits:zoning_extract_issued", args=[app.pk]))
    assert client.get(late["issued_url"]).status_code == 200


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(next(line.split()[1] for line in info.decode().splitlines()
                    if line.startswith("Pages:")))


@pytest.mark.django_db(transaction=True)
def test_an_issued_document_longer_than_charged_is_recorded_on_the_issue_and_shown(
        client, map_services):
    # given a submitted extract charged on one text page and one map page in two copies,
    # whose text the officer lengthened to more than five pages
    _unit, parcel, resident, officer = _world()
    app = _submitted(resident, parcel)
    assert app.fee == 100
    app = services.application_transition(application_id=app.pk, action="register", by=officer)
    row = extract_draft_ensure(application=app)
    extract_text_update(application_id=app.pk, by=officer, text=row.text + "\n".join(
        f"§ {i}. Ustalenie dodane przez urząd." for i in range(400)))
    app.refresh_from_db()
    held_to = app.deadline

    # when the officer issues it (in the office's language)
    client.force_login(officer)
    response = client.post(reverse("permits:zoning_extract_issue", args=[app.pk]),
                           {"version": app.version}, follow=True)

    # then the fee charged stands, and the issue event says on how many pages the duty
    # was charged and how many were issued (2 × (50 zł + 20 zł) on these), as the officer
    # is told
    app.refresh_from_db()
    row.refresh_from_db()
    text_pages = _pages(row.issued_pdf.read()) - 1
    assert text_pages > 5
    assert (app.outcome, app.fee, row.text_pages, row.map_pages) == ("issued", 100, 1, 1)
    event = app.events.get(action="decide")
    notice = (f"Wydany dokument liczy {text_pages} str. wypisu i 1 str. wyrysu; opłatę "
              "skarbową w wysokości 100,00 zł naliczono od 1 str. wypisu i 1 str. wyrysu. "
              "Od stron wydanego dokumentu wynosi ona 140,00 zł.")
    assert event.data == {
        "outcome": "issued", "fee": "100", "fee_deferred": False, "pages_charged": [1, 1],
        "pages_issued": [text_pages, 1], "duty_charged": "100.00",
        "duty_on_issued_pages": "140.00", "pages_notice": notice,
        "submitted_on": timezone.localdate().isoformat(), "deadline_in_force": held_to.isoformat(),
        "paused_days": 0}
    assert event.reason == "Wydano wypis i wyrys. " + notice
    assert [str(m) for m in response.context["messages"]] == [
        "Wydano wypis i wyrys; wnioskodawca może go pobrać.", notice]


@pytest.mark.django_db(transaction=True)
def test_an_issued_document_with_the_pages_charged_adds_no_notice(map_services):
    # given a registered extract whose text the officer did not lengthen
    _unit, parcel, resident, officer = _world()
    app = _submitted(resident, parcel)
    app = services.application_transition(application_id=app.pk, action="register", by=officer)
    extract_draft_ensure(application=app)
    app.refresh_from_db()
    held_to = app.deadline

    # when it is issued
    with translation.override("en"):
        extract_issue(application_id=app.pk, by=officer, version=app.version)

    # then the event is the plain issue, with what it was held to
    event = app.events.get(action="decide")
    assert (event.reason, event.data) == ("Extract issued.", {
        "outcome": "issued", "fee": "100", "fee_deferred": False,
        "submitted_on": timezone.localdate().isoformat(), "deadline_in_force": held_to.isoformat(),
        "paused_days": 0})

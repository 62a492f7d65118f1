"""What people read: money, parcels and codes through their labels; the resident's case
page around what happens now, with the fee's payment details; the tree form's "Check"."""
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.errors import InvalidInput
from permits import services
from permits.models import Application
from permits.payments import fee_payment, qr_text
from permits.workflow import State
from tests import permits_factories as pf

ACCOUNT = "83101010230000261395100000"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    return pf.world()


def render(text: str, **context) -> str:
    return Template("{% load present %}" + text).render(Context(context))


def test_money_is_grouped_with_a_decimal_comma_and_the_currency_in_polish(db):
    with translation.override("pl"):
        assert render("{{ v|money }}", v=Decimal("72807.99")) == "72\u00a0807,99\u00a0zł"
        assert render("{{ v|money }}", v=None) == ""
    with translation.override("en"):
        assert render("{{ v|money }}", v=Decimal("72807.99")) == "72,807.99\u00a0zł"


def test_a_parcel_reads_as_precinct_and_number_with_its_id_on_hover(world):
    _unit, parcel, _resident, _officer = world
    with translation.override("pl"):
        html = render("{{ p|parcel }}", p=parcel)
    assert html == ('<span class="parcel-ref" title="Identyfikator działki 026101_1.0001.77/1" '
                    'data-parcel-id="026101_1.0001.77/1">Centrum, dz. 77/1</span>')


def test_the_qr_transfer_code_follows_the_banks_standard():
    text = qr_text(tax_id="6911234562", account=ACCOUNT, amount=Decimal("123.45"),
                   recipient="Urząd Miasta Legnicy | Wydział",
                   title="Opłata, sprawa OŚ.6131.1.2026")
    assert text == (f"6911234562|PL|{ACCOUNT}|012345|Urząd Miasta Legnicy|"
                    "Opłata, sprawa OŚ.6131.1.2026|||")
    # six digits carry at most 9 999,99 zł: above it the amount is typed by the payer
    assert qr_text(tax_id="", account=ACCOUNT, amount=Decimal("72807.99"), recipient="U",
                   title="T").split("|")[3] == "000000"


def test_the_applicant_sees_what_happens_now_and_how_to_pay_with_the_case_number(world, client):
    # given a submitted permit case with a fee, in a unit that gave its account
    unit, parcel, resident, officer = world
    unit.bank_account, unit.tax_id = ACCOUNT, "6911234562"
    unit.save()
    app = pf.submitted(resident, [parcel])
    assert app.fee == Decimal("3300.00")
    client.force_login(resident)
    # the permit's fee is imposed in the decision: before it she is not asked to pay
    with translation.override("pl"):
        filed = client.get(f"/wnioski/{app.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert 'id="payment-heading"' not in filed and fee_payment(app) is None
    assert "3\u00a0300,00\u00a0zł" in filed and "wymierzana w decyzji" in filed
    # given the permit granted
    for action, extra in (("register", {}), ("decide", {"outcome": "granted",
                                                         "reason": "Drzewo obumiera"})):
        app = services.application_transition(application_id=app.pk, action=action,
                                               by=officer, **extra)
    assert app.fee == Decimal("3300.00")
    # when the applicant opens the case
    with translation.override("pl"):
        page = client.get(f"/wnioski/{app.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    # then the page leads with the state, the fee in Polish format and how to pay it
    now = page.index('id="now-heading"')
    assert now < page.index('id="payment-heading"') < page.index('id="details"')
    assert "3\u00a0300,00\u00a0zł" in page
    assert "PL83 1010 1023 0000 2613 9510 0000" in page
    assert f"Opłata, sprawa {app.case_number}" in page
    assert "<svg" in page and "Kod QR przelewu" in page
    # and the digest and the parcel ids are under "details", the parcel by its name
    assert page.index(app.digest) > page.index('id="details"')
    assert "Centrum, dz. 77/1" in page
    assert fee_payment(app).qr_text.split("|")[2:4] == [ACCOUNT, "330000"]


def test_no_payment_box_without_the_units_account(world, client):
    _unit, parcel, resident, _officer = world
    app = pf.submitted(resident, [parcel])
    client.force_login(resident)
    page = client.get(f"/wnioski/{app.pk}/").content.decode()
    assert 'id="payment-heading"' not in page and fee_payment(app) is None


def test_the_officer_is_not_offered_the_outcome_only_silence_gives(world, client):
    # given a notification whose inspection is scheduled (set directly: the path there is
    # tested in test_permits_workflow)
    _unit, parcel, resident, officer = world
    app = pf.submitted(resident, [parcel])
    Application.objects.filter(pk=app.pk).update(procedure="notification",
                                                 state=State.INSPECTION_SCHEDULED)
    client.force_login(officer)
    page = client.get(f"/wnioski/{app.pk}/").content.decode()
    # then the decision offers no objection / objection, not "allowed by silence"
    assert 'value="no_objection"' in page and 'value="silent_consent"' not in page
    # and the service refuses it from an officer, changing nothing
    app.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.application_transition(application_id=app.pk, action="decide", by=officer,
                                        reason="r", outcome="silent_consent",
                                        version=app.version)
    app.refresh_from_db()
    assert (app.state, app.outcome) == (State.INSPECTION_SCHEDULED, "")


def test_the_queue_names_the_procedure_in_polish(world, client):
    _unit, parcel, resident, officer = world
    pf.submitted(resident, [parcel])
    client.force_login(officer)
    page = client.get("/wnioski/urzad/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert 'data-procedure="permit">zezwolenie</td>' in page


def test_check_gives_the_verdict_without_name_address_or_reason(world, client):
    # given a resident who has filled in a tree only
    _unit, parcel, resident, _officer = world
    client.force_login(resident)
    data = pf.content(trees=[pf.tree()], applicant_name="", applicant_address="", reason="")
    post = pf.formset_data(data) | {"parcels": parcel.parcel_id, "check": "1"}
    # when they press "Check"
    response = client.post("/wnioski/nowy/trees/", post, HTTP_ACCEPT_LANGUAGE="pl")
    # then the verdict is shown, no field is marked missing and no draft is made
    page = response.content.decode()
    assert response.status_code == 200 and 'data-verdict="permit"' in page
    assert "To pole jest wymagane" not in page
    assert Application.objects.count() == 0


def test_submit_files_a_new_application_in_one_step(world, client):
    _unit, parcel, resident, _officer = world
    client.force_login(resident)
    post = pf.formset_data(pf.content(trees=[pf.tree()])) | {"parcels": parcel.parcel_id,
                                                             "submit": "1"}
    response = client.post("/wnioski/nowy/trees/", post)
    app = Application.objects.get()
    assert (response.status_code, response.url) == (302, f"/wnioski/{app.pk}/")
    assert app.state == State.SUBMITTED and app.case_number


def test_an_intended_date_in_the_past_is_refused(world):
    _unit, parcel, _resident, _officer = world
    form = pf.form([parcel], pf.content(trees=[pf.tree()], intended_date="2020-01-01"))
    with translation.override("pl"):
        assert not form.is_valid()
        assert form.main.errors["intended_date"] == [
            "Planowana data usunięcia nie może być w przeszłości."]


def test_a_findings_evidence_reads_as_words_and_tables_not_python():
    from cadastre_sync.templatetags.tax_evidence import evidence

    with translation.override("pl"):
        html = str(evidence({"building_business": {"area_ha": 1.5, "conversion_ha": 0.25}}))
        listed = str(evidence([{"id": 7, "kind": "building", "account": "K/1"}]))
        assert "building_business" not in html and "{" not in html
        assert "budynki związane z działalnością gospodarczą" in html and "1,5" in html
        assert "<table" in listed and ">budynek<" in listed and "K/1" in listed
        assert str(evidence(["026101_1.0001.1", "026101_1.0001.2"])) == (
            "026101_1.0001.1, 026101_1.0001.2")
        assert str(evidence("2025-03-01")) == "1 marca 2025" and str(evidence(True)) == "tak"


def test_a_runs_steps_are_named_in_polish_with_their_local_end_time(db):
    from datetime import UTC, datetime

    from cadastre_sync.tax.models import ReconciliationRun
    from cadastre_sync.tax.selectors import run_steps

    run = ReconciliationRun(started_at=datetime(2026, 1, 10, 23, 59, 50, tzinfo=UTC),
                            progress_done=2, log="23:59:58 rules\n00:00:03 parcels and land\n")
    with translation.override("pl"):
        steps = run_steps(run=run)
    assert [(s.label, s.done) for s in steps[:3]] == [
        ("stawki i reguły roku", True), ("działki i ich grunty", True),
        ("działki archiwalne i ich następczynie", False)]
    # past midnight UTC: the next day, 01:00:03 in Warsaw
    assert steps[1].done_at == datetime(2026, 1, 11, 0, 0, 3, tzinfo=UTC)


def test_regenerating_an_extract_over_corrections_asks_first(db, client):
    # given a submitted extract whose text the officer corrected
    from layers.models import ZoningPlan, ZoningZone
    from permits.zoning_extract.forms import ZoningExtractForm
    from permits.zoning_extract.models import ZoningExtract
    from tests import factories

    unit = factories.unit()
    pf.enable(unit, "zoning_extract", prefix="UA.6727")
    parcel = factories.parcel("30/2", geom=factories.box(*pf.PARCEL_BOX))
    plan = ZoningPlan.objects.create(unit=unit, kind="local", identifier="MPZP 3", name="Plan")
    ZoningZone.objects.create(plan=plan, local_id="53SR", label="53SR", symbol="SR",
                              designation="sport", geom=factories.box(317900, 385900,
                                                                      318200, 386200))
    resident = factories.user("anna")
    officer = factories.staff(unit, "case_officer", "urzednik")
    form = ZoningExtractForm({"applicant_name": "Anna", "applicant_address": "ul. A 1",
                              "scope": "both", "copies": "1", "delivery": "download"},
                             parcels=[parcel])
    assert form.is_valid(), form.errors
    app = services.draft_create(by=resident, kind_code="zoning_extract", parcels=[parcel])
    services.draft_save(application_id=app.pk, by=resident, form=form)
    app = services.application_submit(application_id=app.pk, by=resident)
    client.force_login(officer)
    page = client.get(f"/wnioski/{app.pk}/").content.decode()
    ZoningExtract.objects.filter(application=app).update(text="# Poprawiony tekst")
    # when "generate again" is posted without the confirmation
    client.post(f"/wnioski/{app.pk}/wypis/generuj/")
    # then the corrections stay; the page asks for the confirmation; the zone keeps its number
    assert ZoningExtract.objects.get(application=app).text == "# Poprawiony tekst"
    assert 'name="discard_corrections"' in page and "53SR" in page
    # and with it, the text is generated again
    client.post(f"/wnioski/{app.pk}/wypis/generuj/", {"discard_corrections": "1"})
    assert ZoningExtract.objects.get(application=app).text != "# Poprawiony tekst"


def test_documents_are_signed_with_the_full_name_and_position(db, client):
    from core.access import staff_signature
    from core.models import Membership
    from core.roles import UNIT_ADMIN
    from tests import factories

    # given an officer whose unit administrator records her position
    unit = factories.unit()
    officer = factories.staff(unit, "case_officer", "kkowalska")
    assert staff_signature(user=officer, unit=unit) == "kkowalska"
    officer.first_name, officer.last_name = "Katarzyna", "Kowalska"
    officer.save()
    admin = factories.staff(unit, UNIT_ADMIN, "adminjst")
    membership = Membership.objects.get(user=officer)
    client.force_login(admin)
    response = client.post(f"/admin/core/membership/{membership.pk}/change/",
                           {"position": "inspektor ds. planowania", "role": "tax_officer"})
    # then the position is kept, the role is not changed, and documents carry both
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.position) == ("case_officer",
                                                      "inspektor ds. planowania")
    assert staff_signature(user=officer, unit=unit) == (
        "Katarzyna Kowalska, inspektor ds. planowania")


def test_case_numbers_count_per_file_of_each_kind_with_its_jrwa_symbol(world):
    # given a unit numbering tree cases in OŚ.6131 and extracts with no mark of its own
    from permits.models import KindSetting
    from permits.zoning_extract.forms import ZoningExtractForm

    unit, parcel, resident, _officer = world
    year = pf.today().year
    KindSetting.objects.update_or_create(unit=unit, kind="zoning_extract",
                                         defaults={"enabled": True, "case_prefix": ""})
    first_tree = pf.submitted(resident, [parcel])
    form = ZoningExtractForm({"applicant_name": "Jan", "applicant_address": "ul. A 1",
                              "scope": "text", "copies": "1", "delivery": "download"},
                             parcels=[parcel])
    assert form.is_valid(), form.errors
    draft = services.draft_create(by=resident, kind_code="zoning_extract", parcels=[parcel])
    services.draft_save(application_id=draft.pk, by=resident, form=form)
    extract = services.application_submit(application_id=draft.pk, by=resident)
    second_tree = pf.submitted(resident, [parcel])
    # then each file counts its own cases, and the extract takes the kind's JRWA symbol
    assert (first_tree.case_number, extract.case_number, second_tree.case_number) == (
        f"OŚ.6131.1.{year}", f"6727.1.{year}", f"OŚ.6131.2.{year}")


def test_a_parcel_known_by_its_id_reads_with_its_precincts_name():
    with translation.override("pl"):
        html = render("{{ i|parcel_id:names }}", i="026101_1.0001.12/3", names={"0001": "Centrum"})
        bare = render("{{ i|parcel_id:names }}", i="026101_1.0009.7", names={})
    assert html == ('<span class="parcel-ref" title="Identyfikator działki 026101_1.0001.12/3" '
                    'data-parcel-id="026101_1.0001.12/3">Centrum, dz. 12/3</span>')
    assert ">dz. 7</span>" in bare

"""Procedure as the KPA reads: terms in months counted under art. 57 § 3 (and § 4),
extension only by an art. 36 notice recorded as an event, and the officer's exclusion
under art. 24 § 1 where the cadastre lists them as an owner of a parcel in the case."""
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model

from cadastre_sync.models import Owner, OwnershipShare, Parcel, RegisterUnit
from core.errors import Forbidden, InvalidInput
from permits import deadlines, services
from permits.access import officer_exclusion, roles_towards
from permits.models import Application
from permits.workflow import OFFICER
from tests import factories
from tests import permits_factories as pf

# (case, start, months, end of term)
MONTHS = [
    ("same day number next month (art. 57 § 3)", date(2026, 3, 10), 1, date(2026, 4, 10)),
    ("31 January: the month's last day, 28 February 2026, a Saturday: Monday "
     "(art. 57 § 3, § 4)", date(2026, 1, 31), 1, date(2026, 3, 2)),
    ("31 January of a leap year: 29 February 2024 (art. 57 § 3)", date(2024, 1, 31), 1,
     date(2024, 2, 29)),
    ("31 March: 30 April (art. 57 § 3)", date(2026, 3, 31), 1, date(2026, 4, 30)),
    ("across the year end: 15 December to 15 January (art. 57 § 3)", date(2026, 12, 15), 1,
     date(2027, 1, 15)),
    ("two months of a complicated case from 30 November: 30 January 2027, a Saturday: "
     "Monday 1 February (art. 35 § 3, art. 57 § 3-4)", date(2026, 11, 30), 2,
     date(2027, 2, 1)),
    ("ending on a public holiday, 11 November: the next working day (art. 57 § 4)",
     date(2026, 10, 11), 1, date(2026, 11, 12)),
]


@pytest.mark.parametrize("case, start, months, end", MONTHS, ids=[m[0][:50] for m in MONTHS])
def test_a_term_in_months_kpa_art_57_par_3(case, start, months, end, db):
    assert deadlines.term_end_months(start, months) == end, case


def test_a_permit_is_due_a_month_after_submission_and_an_inspection_does_not_extend_it(db):
    """KPA art. 35 § 3: a month from submission; "an inspection was scheduled" is not an
    art. 36 notice."""
    pf.tree_rules_ensure()
    unit = pf.world()[0]

    for state in ("submitted", "registered", "inspection_scheduled"):
        rule = deadlines.rule_for(unit=unit, kind_code="trees", procedure="permit",
                                  state=state, on=date(2026, 12, 6))
        assert (rule.days, rule.months, rule.source) == (1, True, "KPA art. 35 § 3"), state


@pytest.fixture
def case(db):
    unit, parcel, resident, officer = pf.world()
    app = pf.submitted(resident, [parcel])
    services.application_transition(application_id=app.pk, action="register", by=officer)
    app.refresh_from_db()
    return app, officer, resident


def test_an_art_36_notice_extends_the_term_and_is_an_event_of_the_case(case):
    app, officer, _resident = case
    before = app.deadline
    new = date(before.year + 1, 2, 15)

    services.application_deadline_extend(application_id=app.pk, by=officer, new_deadline=new,
                                         reason="Opinia rzeczoznawcy dendrologa")

    app.refresh_from_db()
    assert app.deadline == deadlines.next_working_day(new)
    event = app.events.get(action="extend_deadline")
    assert (event.reason, event.data["previous_deadline"], event.data["basis"]) == (
        "Opinia rzeczoznawcy dendrologa", before.isoformat(), "KPA art. 36 § 1")


@pytest.mark.parametrize("who, new, reason, error", [
    ("resident", "later", "powód", Forbidden),
    ("officer", "later", "", InvalidInput),
    ("officer", "same", "powód", InvalidInput),
])
def test_an_extension_without_a_reason_or_a_later_term_or_by_the_applicant_changes_nothing(
        case, who, new, reason, error):
    app, officer, resident = case
    before = (app.deadline, app.version)
    day = before[0] if new == "same" else date(before[0].year + 1, 1, 20)

    with pytest.raises(error):
        services.application_deadline_extend(
            application_id=app.pk, by=officer if who == "officer" else resident,
            new_deadline=day, reason=reason)

    app.refresh_from_db()
    assert (app.deadline, app.version) == before
    assert not app.events.filter(action="extend_deadline").exists()


def _owned_by(parcel: Parcel, first: str, surname: str, *, as_spouse: bool = False) -> None:
    person = Owner.objects.create(unit=parcel.unit, kind="person", first_name=first,
                                  surname=surname)
    other = Owner.objects.create(unit=parcel.unit, kind="person", first_name="Anna",
                                 surname="Inna")
    ru = RegisterUnit.objects.create(unit=parcel.unit, register_id="G-24", group=7)
    OwnershipShare.objects.create(register_unit=ru, owner=other if as_spouse else person,
                                  spouse=person if as_spouse else None, numerator=1,
                                  denominator=1)
    Parcel.objects.filter(pk=parcel.pk).update(register_unit=ru)


@pytest.mark.parametrize("as_spouse", [False, True], ids=["owner", "spouse in a joint share"])
def test_an_officer_the_cadastre_lists_as_an_owner_is_excluded_kpa_art_24_par_1(case,
                                                                               as_spouse):
    app, officer, _resident = case
    get_user_model().objects.filter(pk=officer.pk).update(first_name="Ewa",
                                                          last_name="Łąkowska")
    officer.refresh_from_db()
    parcel = app.parcel_links.get().parcel
    _owned_by(parcel, "EWA", "Lakowska", as_spouse=as_spouse)
    before = (app.state, app.version)

    reason = officer_exclusion(officer, app)
    with pytest.raises(Forbidden) as refused:
        services.application_transition(application_id=app.pk, action="schedule_inspection",
                                        by=officer, on_date=date(2099, 1, 5))

    assert parcel.parcel_id in reason and "art. 24 § 1" in str(refused.value.message)
    assert OFFICER not in roles_towards(officer, app)
    app = Application.objects.get(pk=app.pk)
    assert (app.state, app.version) == before


def test_an_officer_not_among_the_owners_acts(case):
    app, officer, _resident = case
    get_user_model().objects.filter(pk=officer.pk).update(first_name="Ewa",
                                                          last_name="Łąkowska")
    officer.refresh_from_db()
    _owned_by(app.parcel_links.get().parcel, "Ewa", "Kowalska")

    assert officer_exclusion(officer, app) == ""
    assert OFFICER in roles_towards(officer, app)


# The art. 36 notice from the case page -------------------------------------------------

def _extend_by_page(client, app, new: date, reason: str = "Opinia RDOŚ w sprawie gatunku"):
    return client.post(f"/wnioski/{app.pk}/przedluzenie/", {
        "new_deadline": new.isoformat(), "reason": reason, "version": app.version})


def test_the_officer_notifies_a_delay_on_the_case_page_and_the_applicant_sees_it(case, client):
    """KPA art. 36 § 1: the officer names the reason and the new term; the applicant reads
    both on the case page (with the art. 37 reminder)."""
    app, officer, resident = case
    client.force_login(officer)
    assert b'id="extend"' in client.get(f"/wnioski/{app.pk}/").content
    new = date(app.deadline.year + 1, 3, 15)

    response = _extend_by_page(client, app, new)

    assert response.status_code == 302
    app.refresh_from_db()
    assert app.deadline == deadlines.next_working_day(new)
    client.force_login(resident)
    page = client.get(f"/wnioski/{app.pk}/").content.decode()
    assert 'class="extension"' in page and "Opinia RDOŚ w sprawie gatunku" in page
    assert 'id="extend"' not in page


@pytest.mark.parametrize("who", ["anonymous", "resident", "another unit's officer"])
def test_a_delay_notice_from_anyone_but_the_units_officer_changes_nothing(case, client, who):
    app, _officer, resident = case
    if who == "resident":
        client.force_login(resident)
    elif who != "anonymous":
        other = factories.unit("026201_1", "Bolesławiec")
        client.force_login(factories.staff(other, "case_officer", "obcy"))
    before = (app.deadline, app.version)

    response = _extend_by_page(client, app, date(app.deadline.year + 1, 3, 15))

    assert response.status_code in (302, 404)
    if who == "anonymous":
        assert "login" in response["Location"]
    app.refresh_from_db()
    assert (app.deadline, app.version) == before
    assert not app.events.filter(action="extend_deadline").exists()


def test_a_malformed_date_is_refused_with_a_message(case, client):
    app, officer, _resident = case
    client.force_login(officer)
    before = app.deadline

    response = client.post(f"/wnioski/{app.pk}/przedluzenie/",
                           {"new_deadline": "15.03.2027", "reason": "x", "version": app.version},
                           follow=True)

    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1
    app.refresh_from_db()
    assert app.deadline == before


def test_a_later_step_keeps_the_term_the_notice_moved(case):
    """The decision term counts from submission; an inspection scheduled after the notice
    does not bring it back (only an art. 36 notice moves it)."""
    app, officer, _resident = case
    new = date(app.deadline.year + 1, 3, 15)
    services.application_deadline_extend(application_id=app.pk, by=officer, new_deadline=new,
                                         reason="Opinia RDOŚ")

    services.application_transition(application_id=app.pk, action="schedule_inspection",
                                    by=officer, on_date=app.deadline)

    app.refresh_from_db()
    assert app.deadline == deadlines.next_working_day(new)


def test_overdue_statistics_count_the_case_against_its_new_term(case):
    from geo_portal.operator.statistics import Period, unit_statistics

    app, officer, _resident = case
    day_after = app.deadline + timedelta(days=1)
    period = Period(app.deadline - timedelta(days=60), day_after)

    def overdue() -> int:
        return unit_statistics(units=[app.unit], period=period, today=day_after)[1].overdue_now

    assert overdue() == 1
    services.application_deadline_extend(application_id=app.pk, by=officer,
                                         new_deadline=day_after + timedelta(days=30),
                                         reason="Opinia RDOŚ")
    assert overdue() == 0


# Art. 24 § 1 by identity: the officer's PESEL (login.gov.pl) against the owners' ----------

def _pesel(first10: str) -> str:
    from cadastre_sync.identifiers import pesel_checksum

    return first10 + str(pesel_checksum(first10))


OFFICER_PESEL, NAMESAKE_PESEL = _pesel("8501011234"), _pesel("7203154321")

# (case, the officer's PESEL known, the owner's name, the owner's PESEL, as spouse,
#  expected: None, "pesel" or "name")
IDENTITY = [
    ("the owner's PESEL is the officer's, under another surname: excluded by identity",
     True, ("Ewa", "Nowak"), OFFICER_PESEL, False, "pesel"),
    ("the officer's PESEL as the spouse in a joint share: excluded by identity",
     True, ("Ewa", "Nowak"), OFFICER_PESEL, True, "pesel"),
    ("a namesake with another PESEL: not excluded",
     True, ("Ewa", "Łąkowska"), NAMESAKE_PESEL, False, None),
    ("the officer has no login.gov.pl identity: the name decides, flagged as by name",
     False, ("EWA", "Lakowska"), NAMESAKE_PESEL, False, "name"),
    ("the cadastre has no PESEL for the owner: the name decides, flagged as by name",
     True, ("Ewa", "Łąkowska"), "", False, "name"),
    ("no PESEL match and another name: not excluded",
     True, ("Anna", "Kowalska"), NAMESAKE_PESEL, False, None),
]


@pytest.mark.parametrize("case_, has_pesel, name, owner_pesel, as_spouse, expected",
                         IDENTITY, ids=[c[0][:50] for c in IDENTITY])
def test_the_art_24_exclusion_matches_by_pesel_before_the_name(
        case, case_, has_pesel, name, owner_pesel, as_spouse, expected):
    from allauth.socialaccount.models import SocialAccount

    from permits.access import officer_exclusion_found

    app, officer, _resident = case
    get_user_model().objects.filter(pk=officer.pk).update(first_name="Ewa",
                                                          last_name="Łąkowska")
    officer.refresh_from_db()
    if has_pesel:
        SocialAccount.objects.create(user=officer, provider="login-gov-pl",
                                     uid=f"PNOPL-{OFFICER_PESEL}")
    parcel = app.parcel_links.get().parcel
    _owned_by(parcel, *name, as_spouse=as_spouse)
    Owner.objects.filter(first_name=name[0], surname=name[1]).update(pesel=owner_pesel)

    found = officer_exclusion_found(officer, app)

    assert (None if found is None else ("pesel" if found.by_identity else "name")) == \
        expected, case_
    if expected is None:
        assert OFFICER in roles_towards(officer, app)
        return
    with pytest.raises(Forbidden) as refused:
        services.application_transition(application_id=app.pk, action="schedule_inspection",
                                        by=officer, on_date=date(2099, 1, 5))
    assert refused.value.detail["matched_by"] == expected
    assert refused.value.detail["parcel"] == parcel.parcel_id


def test_the_applicant_is_mailed_the_delay_notice_with_the_new_term_and_reason(
        case, mailoutbox, django_capture_on_commit_callbacks):
    app, officer, resident = case
    mailoutbox.clear()
    new = date(app.deadline.year + 1, 3, 15)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_deadline_extend(application_id=app.pk, by=officer,
                                             new_deadline=new, reason="Opinia RDOŚ")

    (mail,) = mailoutbox
    assert mail.to == [resident.email]
    assert "art. 36 § 1" in mail.body and "Opinia RDOŚ" in mail.body
    assert "()" not in mail.body  # the term's note is there


def _extend_by_api(client, app, new: str, reason: str = "Opinia RDOŚ"):
    return client.post(f"/wnioski/api/applications/{app.pk}/extension/",
                       {"new_deadline": new, "reason": reason, "version": app.version},
                       content_type="application/json")


def test_the_api_takes_the_delay_notice_and_answers_with_the_new_term(case, client):
    app, officer, _resident = case
    client.force_login(officer)
    new = date(app.deadline.year + 1, 3, 15)

    response = _extend_by_api(client, app, new.isoformat())

    assert response.status_code == 200, response.content
    app.refresh_from_db()
    assert app.deadline == deadlines.next_working_day(new)
    assert "/wnioski/api/applications/{id}/extension/" in client.get(
        "/api/schema/?format=json").json()["paths"]


@pytest.mark.parametrize("who, new, reason, status", [
    ("anonymous", "2099-03-15", "powód", {401, 403}),
    ("resident", "2099-03-15", "powód", {403}),
    ("another unit's officer", "2099-03-15", "powód", {404}),
    ("officer", "15.03.2099", "powód", {400}),
    ("officer", "2099-03-15", "", {400}),
])
def test_the_api_refuses_a_notice_changing_nothing(case, client, who, new, reason, status):
    app, officer, resident = case
    if who == "resident":
        client.force_login(resident)
    elif who == "officer":
        client.force_login(officer)
    elif who != "anonymous":
        client.force_login(factories.staff(factories.unit("026201_1", "Bolesławiec"),
                                           "case_officer", "obcy"))
    before = (app.deadline, app.version)

    response = _extend_by_api(client, app, new, reason)

    assert response.status_code in status, response.content
    app.refresh_from_db()
    assert (app.deadline, app.version) == before

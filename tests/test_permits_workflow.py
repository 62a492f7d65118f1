"""The transition table, by role; deadlines; two officers deciding at once; denied paths."""
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from core.errors import Conflict, Forbidden, GeoPortalError, InvalidInput
from core.roles import CASE_OFFICER
from permits import services
from permits.access import roles_towards
from permits.deadlines import days_awaiting, public_holidays, term_end
from permits.models import Application, ApplicationEvent, DeadlineRule
from permits.workflow import APPLICANT, OFFICER, SYSTEM, TRANSITIONS, State
from tests import factories
from tests import permits_factories as pf

STATES = [s.value for s in State]
ACTIONS = [t.action for t in TRANSITIONS if t.action != "submit"]
ROLE_USERS = ["applicant", "officer", "stranger", "foreign_officer", "system"]


def _place(app: Application, state: str, procedure: str, deadline=None) -> Application:
    """Given: the application in `state` (set directly; the path there is tested elsewhere)."""
    fields = {"state": state, "procedure": procedure, "deadline": deadline}
    if state != State.DRAFT:
        fields.update(digest="0" * 64, submitted_at=timezone.now(), case_number=f"X.{app.pk}")
    Application.objects.filter(pk=app.pk).update(**fields)
    app.refresh_from_db()
    return app


def _bare(people) -> Application:
    """A draft with its parcel and no content: enough for the workflow."""
    app = Application.objects.create(unit=people["parcel"].unit, kind="trees",
                                     applicant=people["applicant"], payload={"x": 1})
    app.parcel_links.create(parcel=people["parcel"], parcel_ident=people["parcel"].parcel_id)
    return app


def _kwargs(action: str, procedure: str) -> dict:
    outcome = {"permit": "granted", "notification": "no_objection"}[procedure]
    return {"reason": "Uzasadnienie", "outcome": outcome,
            "on_date": timezone.localdate() + timedelta(days=10)}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Users are made by the hundred here; the real hasher's cost is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    unit, parcel, resident, officer = pf.world()
    other_unit = factories.unit("026201_1", "Bolesławiec")
    return {
        "parcel": parcel,
        "applicant": resident,
        "officer": officer,
        "stranger": factories.user("stranger"),
        "foreign_officer": factories.staff(other_unit, CASE_OFFICER, "foreign"),
    }


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_in_every_state_by_every_role(people, state, action):
    row = next(t for t in TRANSITIONS if t.action == action)
    # Silence is a notification's outcome; everything else is tried on a permit.
    procedure = "notification" if row.silent else "permit"
    past = timezone.localdate() - timedelta(days=1)
    for who in ROLE_USERS:
        app = _place(_bare(people), state, procedure, past)
        role = {"applicant": APPLICANT, "officer": OFFICER, "system": SYSTEM}.get(who)
        expected = (state in row.sources and role in row.roles
                    and (not row.silent or state == State.INSPECTION_SCHEDULED))
        events_before = app.events.count()
        try:
            services.application_transition(
                application_id=app.pk, action=action, by=people.get(who),
                version=app.version, as_system=(who == "system"), **_kwargs(action, procedure))
            done = True
        except (Forbidden, Conflict) as exc:
            done = False
            error = exc
        app_after = Application.objects.get(pk=app.pk)
        if expected:
            assert done, f"{who} could not {action} from {state}"
            assert app_after.state == row.target
            assert app_after.version == app.version + 1
            event = app_after.events.get()
            assert (event.action, event.from_state, event.to_state, event.actor_role) == (
                action, state, row.target, role)
        else:
            assert not done, f"{who} could {action} from {state}"
            assert isinstance(error, Forbidden if role not in row.roles else Conflict)
            assert (app_after.state, app_after.version, app_after.events.count()) == (
                state, app.version, events_before)


def test_submit_only_by_the_applicant_from_a_draft(people):
    app = pf.draft(people["applicant"], [people["parcel"]])
    for who in ("officer", "stranger", "foreign_officer"):
        with pytest.raises(Forbidden):
            services.application_submit(application_id=app.pk, by=people[who])
    app.refresh_from_db()
    assert (app.state, app.case_number, app.digest) == ("draft", "", "")
    app = services.application_submit(application_id=app.pk, by=people["applicant"])
    assert app.state == State.SUBMITTED
    with pytest.raises(Conflict):
        services.application_submit(application_id=app.pk, by=people["applicant"])


def test_submission_numbers_cases_per_unit_and_year_with_digest_and_pdf(people):
    year = timezone.localdate().year
    first = pf.submitted(people["applicant"], [people["parcel"]])
    second = pf.submitted(people["applicant"], [people["parcel"]])
    assert (first.case_number, second.case_number) == (f"OŚ.6131.1.{year}",
                                                       f"OŚ.6131.2.{year}")
    assert first.digest == services.content_digest(first) and len(first.digest) == 64
    assert first.digest != second.digest
    first.pdf.open("rb")
    head = first.pdf.read(5)
    first.pdf.close()
    assert head == b"%PDF-"
    assert first.events.get().to_state == State.SUBMITTED


def test_decision_needs_a_reason_and_an_allowed_outcome(people):
    app = _place(pf.draft(people["applicant"], [people["parcel"]]), State.REGISTERED, "permit")
    for kwargs in ({"outcome": "granted", "reason": ""},
                   {"outcome": "no_objection", "reason": "x"},  # a notification's outcome
                   {"outcome": "granted_with_planting", "reason": "x"}):  # no planting given
        with pytest.raises(InvalidInput):
            services.application_transition(application_id=app.pk, action="decide",
                                            by=people["officer"], **kwargs)
    app.refresh_from_db()
    assert (app.state, app.outcome, app.events.count()) == (State.REGISTERED, "", 0)


def test_permit_with_replacement_planting_records_the_conditions(people):
    app = _place(pf.draft(people["applicant"], [people["parcel"]]), State.REGISTERED, "permit")
    lime = pf.species("Tilia")
    services.application_transition(
        application_id=app.pk, action="decide", by=people["officer"], reason="Warunki",
        outcome="granted_with_planting", conditions=[{
            "number": 3, "species": lime.pk, "place": "działka 77/1, wzdłuż ogrodzenia",
            "deadline": (timezone.localdate() + timedelta(days=365)).isoformat()}])
    app.refresh_from_db()
    planting = app.replacement_plantings.get()
    assert (app.state, app.outcome, planting.number, planting.species) == (
        State.DECIDED, "granted_with_planting", 3, lime)
    assert app.events.get().data["fee_deferred"] is True


def test_a_refused_permit_records_no_fee(people):
    # given a registered permit application with its fee computed at submission (3300 zł)
    app = pf.submitted(people["applicant"], [people["parcel"]])
    assert app.fee == Decimal("3300.00")
    services.application_transition(application_id=app.pk, action="register",
                                    by=people["officer"])
    # when the officer refuses it
    services.application_transition(application_id=app.pk, action="decide",
                                    by=people["officer"], reason="Drzewo zdrowe",
                                    outcome="refused")
    # then no fee is recorded, on the application or in the event
    app.refresh_from_db()
    assert (app.outcome, app.fee, app.fee_deferred_until) == ("refused", None, None)
    assert "fee" not in app.events.get(action="decide").data


def test_replacement_planting_defers_the_fee_three_years_after_the_planting(people):
    # given a registered permit application (3300 zł)
    app = pf.submitted(people["applicant"], [people["parcel"]])
    services.application_transition(application_id=app.pk, action="register",
                                    by=people["officer"])
    held_to = Application.objects.get(pk=app.pk).deadline
    lime = pf.species("Tilia")
    plant_by = [date(timezone.localdate().year + 1, 4, 30),
                date(timezone.localdate().year + 1, 10, 31)]
    # when it is granted with two plantings
    services.application_transition(
        application_id=app.pk, action="decide", by=people["officer"], reason="Warunki",
        outcome="granted_with_planting", conditions=[
            {"number": 1, "species": lime.pk, "place": "przy ogrodzeniu",
             "deadline": d.isoformat()} for d in plant_by])
    # then the fee is kept, deferred three years from the last planting deadline
    app.refresh_from_db()
    until = date(plant_by[1].year + 3, 10, 31)
    assert (app.fee, app.fee_deferred_until) == (Decimal("3300.00"), until)
    assert app.events.get(action="decide").data == {
        "outcome": "granted_with_planting", "fee": "3300.00", "fee_deferred": True,
        "fee_deferred_until": until.isoformat(),
        "submitted_on": timezone.localdate().isoformat(), "deadline_in_force": held_to.isoformat(),
        "paused_days": 0}


def test_a_plain_grant_keeps_the_fee_undeferred(people):
    app = pf.submitted(people["applicant"], [people["parcel"]])
    services.application_transition(application_id=app.pk, action="register",
                                    by=people["officer"])
    services.application_transition(application_id=app.pk, action="decide",
                                    by=people["officer"], reason="r", outcome="granted")
    app.refresh_from_db()
    assert (app.fee, app.fee_deferred_until) == (Decimal("3300.00"), None)


def test_an_officer_cannot_register_or_decide_their_own_application(people):
    # given an officer of the unit who filed an application as a resident
    officer = people["officer"]
    app = pf.submitted(officer, [people["parcel"]])
    before = (app.state, app.version, app.outcome, app.fee)
    # when they try to register it, and to decide it once registered by a colleague
    with pytest.raises(Forbidden):
        services.application_transition(application_id=app.pk, action="register", by=officer)
    colleague = factories.staff(app.unit, CASE_OFFICER, "colleague")
    app.refresh_from_db()
    assert (app.state, app.version, app.outcome, app.fee) == before
    services.application_transition(application_id=app.pk, action="register", by=colleague)
    app.refresh_from_db()
    registered = (app.state, app.version, app.outcome, app.fee, app.events.count())
    with pytest.raises(Forbidden):
        services.application_transition(application_id=app.pk, action="decide", by=officer,
                                        reason="r", outcome="granted")
    # then nothing changed; they keep only the applicant's role (KPA art. 24)
    app.refresh_from_db()
    assert (app.state, app.version, app.outcome, app.fee, app.events.count()) == registered
    assert roles_towards(officer, app) == {APPLICANT}
    assert roles_towards(colleague, app) == {OFFICER}


# Deadlines ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "days", "end"), [
    (date(2026, 11, 18), 3, date(2026, 11, 23)),  # Saturday 21st → Monday 23rd
    (date(2026, 11, 4), 7, date(2026, 11, 12)),  # Independence Day (Wed 11th) → 12th
    (date(2026, 12, 10), 14, date(2026, 12, 28)),  # 24 Dec holiday, 25, 26, Sunday → 28th
    (date(2026, 3, 30), 7, date(2026, 4, 7)),  # Easter Monday 2026 is 6 April
    (date(2026, 5, 21), 14, date(2026, 6, 5)),  # Corpus Christi 4 June 2026 → Fri 5th
    (date(2026, 2, 2), 14, date(2026, 2, 16)),  # an ordinary Monday
])
def test_term_end_moves_past_saturdays_and_public_holidays(start, days, end, db):
    assert term_end(start, days) == end


def test_easter_dates_come_from_the_computation(db):
    assert date(2025, 4, 21) in public_holidays(2025)  # Easter Monday 2025
    assert date(2027, 3, 29) in public_holidays(2027)  # Easter Monday 2027
    assert date(2024, 12, 24) not in public_holidays(2024)  # free only since 2025


def test_deadline_follows_procedure_state_and_an_administrators_correction(people):
    app = pf.submitted(people["applicant"], [people["parcel"]])
    submitted = timezone.localdate(app.submitted_at)
    Application.objects.filter(pk=app.pk).update(procedure="notification")
    services.application_transition(application_id=app.pk, action="register",
                                    by=people["officer"])
    app.refresh_from_db()
    assert app.deadline == term_end(submitted, 21)  # art. 83f ust. 5: inspection
    inspection = timezone.localdate() + timedelta(days=5)
    services.application_transition(application_id=app.pk, action="schedule_inspection",
                                    by=people["officer"], on_date=inspection)
    app.refresh_from_db()
    assert (app.inspection_on, app.deadline) == (inspection, term_end(inspection, 14))
    # when the administrator corrects the objection term to 7 days for this unit
    DeadlineRule.objects.create(unit=app.unit, kind="trees", procedure="notification",
                                state=State.INSPECTION_SCHEDULED, days=7, source="korekta")
    services.application_transition(application_id=app.pk, action="request_documents",
                                    by=people["officer"], reason="Brak zgody",
                                    on_date=timezone.localdate() + timedelta(days=30))
    services.application_transition(application_id=app.pk, action="supplement",
                                    by=people["applicant"])
    services.application_transition(application_id=app.pk, action="schedule_inspection",
                                    by=people["officer"], on_date=inspection)
    app.refresh_from_db()
    assert app.deadline == term_end(inspection, 7)


@pytest.mark.parametrize(("procedure", "days"), [("permit", 30), ("notification", 21)])
def test_a_submitted_case_has_its_deadline_from_submission(people, procedure, days):
    # given a draft of either procedure
    app = pf.draft(people["applicant"], [people["parcel"]])
    Application.objects.filter(pk=app.pk).update(procedure=procedure)
    # when it is submitted; then the term runs from submission, before anyone registers it
    app = services.application_submit(application_id=app.pk, by=people["applicant"])
    app.refresh_from_db()
    assert app.deadline == term_end(timezone.localdate(app.submitted_at), days)
    assert app.events.get().data["deadline"] == app.deadline.isoformat()


def test_days_awaiting_documents_do_not_count_towards_the_decision_term(people):
    # given a permit case submitted 15 days ago, asked for documents 10 days ago
    app = pf.submitted(people["applicant"], [people["parcel"]])
    services.application_transition(application_id=app.pk, action="register",
                                    by=people["officer"])
    services.application_transition(application_id=app.pk, action="request_documents",
                                    by=people["officer"], reason="Brak zgody właściciela",
                                    on_date=timezone.localdate() + timedelta(days=7))
    today = timezone.localdate()
    submitted = today - timedelta(days=15)
    Application.objects.filter(pk=app.pk).update(
        submitted_at=timezone.now() - timedelta(days=15))
    app.events.filter(action="request_documents").update(
        at=timezone.now() - timedelta(days=10))
    # when the applicant supplies them today
    services.application_transition(application_id=app.pk, action="supplement",
                                    by=people["applicant"])
    # then the month runs from submission, extended by the 10 days of waiting
    app.refresh_from_db()
    assert (app.state, app.deadline) == (State.REGISTERED,
                                         term_end(submitted + timedelta(days=10), 30))


@pytest.mark.parametrize(("steps", "today", "days"), [
    ([], date(2026, 3, 20), 0),
    ([(date(2026, 3, 1), "registered", "awaiting_documents"),
      (date(2026, 3, 8), "awaiting_documents", "registered")], date(2026, 3, 20), 7),
    ([(date(2026, 3, 1), "registered", "awaiting_documents"),
      (date(2026, 3, 8), "awaiting_documents", "registered"),
      (date(2026, 3, 10), "registered", "awaiting_documents")], date(2026, 3, 20), 17),
])
def test_days_awaiting_are_counted_from_the_transitions(steps, today, days):
    assert days_awaiting(steps, today=today) == days


def test_documents_deadline_cannot_be_shorter_than_seven_days(people):
    app = _place(pf.draft(people["applicant"], [people["parcel"]]), State.REGISTERED, "permit")
    with pytest.raises(InvalidInput):
        services.application_transition(
            application_id=app.pk, action="request_documents", by=people["officer"],
            reason="Brak zgody", on_date=timezone.localdate() + timedelta(days=3))
    app.refresh_from_db()
    assert (app.state, app.events.count()) == (State.REGISTERED, 0)


def test_silence_allows_removal_only_after_the_objection_term(people):
    app = _place(pf.draft(people["applicant"], [people["parcel"]]),
                 State.INSPECTION_SCHEDULED, "notification", timezone.localdate())
    assert services.applications_silence_due() == 0  # the term ends today, not yet passed
    assert services.applications_silence_due(
        today=timezone.localdate() + timedelta(days=1)) == 0  # the service re-checks the date
    Application.objects.filter(pk=app.pk).update(
        deadline=timezone.localdate() - timedelta(days=1))
    assert services.applications_silence_due() == 1
    app.refresh_from_db()
    assert (app.state, app.outcome, app.events.get().actor_role) == (
        State.DECIDED, "silent_consent", SYSTEM)
    assert services.applications_silence_due() == 0  # twice is harmless


def test_overdue_cases_are_flagged_in_the_queue(people):
    from permits import selectors

    late = _place(pf.draft(people["applicant"], [people["parcel"]]), State.REGISTERED,
                  "permit", timezone.localdate() - timedelta(days=2))
    _place(pf.draft(people["applicant"], [people["parcel"]]), State.REGISTERED, "permit",
           timezone.localdate() + timedelta(days=20))
    queue = selectors.officer_queue(user=people["officer"], due="overdue")
    assert [a.pk for a in queue] == [late.pk]
    assert selectors.is_overdue(late)
    assert list(selectors.officer_queue(user=people["foreign_officer"])) == []


# E-mail ------------------------------------------------------------------------------------

def test_every_state_change_mails_the_applicant(people, django_capture_on_commit_callbacks):
    # Polish by default: the mail goes out in the office's language.
    with django_capture_on_commit_callbacks(execute=True):
        app = pf.submitted(people["applicant"], [people["parcel"]])
        services.application_transition(application_id=app.pk, action="register",
                                        by=people["officer"])
    assert [m.to for m in mail.outbox] == [["jan@example.org"], ["jan@example.org"]]
    assert mail.outbox[1].subject == f"Sprawa {app.case_number}: zarejestrowany"
    assert mail.outbox[1].from_email == "srodowisko@legnica.example"


# Two officers at once ----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_one_wins():
    unit, parcel, resident, officer = pf.world()
    second = factories.staff(unit, CASE_OFFICER, "officer2")
    app = pf.submitted(resident, [parcel])
    services.application_transition(application_id=app.pk, action="register", by=officer)
    app.refresh_from_db()
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def decide(who, outcome):
        try:
            barrier.wait()
            services.application_transition(application_id=app.pk, action="decide", by=who,
                                            version=app.version, reason="r", outcome=outcome)
            results[who.username] = "won"
        except GeoPortalError as exc:
            results[who.username] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(officer, "granted")),
               threading.Thread(target=decide, args=(second, "refused"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["Conflict", "won"]
    app.refresh_from_db()
    winner = "granted" if results["officer"] == "won" else "refused"
    assert (app.state, app.outcome) == (State.DECIDED, winner)
    assert ApplicationEvent.objects.filter(application=app, action="decide").count() == 1

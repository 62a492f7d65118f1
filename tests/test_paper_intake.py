"""Applications received on paper at the office, registered by an officer: their case
numbers and terms run from the day of receipt, the statistics count them as received that
day and not online; denied paths change nothing."""
from datetime import timedelta

import pytest
from django.urls import reverse

from core.errors import Forbidden, InvalidInput
from core.roles import CASE_OFFICER, UNIT_ADMIN
from geo_portal.operator.statistics import Period, unit_statistics
from permits import deadlines, services
from permits.models import Application, ApplicationEvent
from tests import factories
from tests import permits_factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return pf.world()


def _register(officer, parcel, received_on, data=None):
    form = pf.form([parcel], data or pf.content(trees=[pf.tree()]))
    assert form.is_valid(), form.errors
    return services.application_register_paper(by=officer, kind_code="trees",
                                                parcels=[parcel], form=form,
                                                received_on=received_on)


def test_a_paper_application_is_filed_as_received_on_its_day_of_receipt(world):
    unit, parcel, _resident, officer = world
    received = pf.today() - timedelta(days=7)

    app = _register(officer, parcel, received)

    event = ApplicationEvent.objects.get(application=app, action="submit")
    assert (app.channel, app.received_on, app.applicant) == ("paper", received, None)
    assert app.state == "submitted" and app.digest and app.pdf
    assert app.case_number.startswith("OŚ.6131.") and app.case_number.endswith(
        f".{received.year}")
    assert app.submitted_at.astimezone().date() == received
    assert (event.actor, event.actor_role) == (officer, "officer")
    assert event.data["channel"] == "paper" and event.data["received_on"] == received.isoformat()
    expected = (deadlines.term_end_months(received, 1) if app.procedure == "permit"
                else deadlines.term_end(received, 21))
    assert app.deadline == expected  # KPA art. 61 § 3: from the day of receipt
    assert app.payload["applicant_name"] == "Jan Kowalski"


def test_a_paper_application_is_accepted_for_a_kind_not_offered_online(world):
    unit, parcel, _resident, officer = world
    pf.enable(unit).__class__.objects.filter(unit=unit).update(enabled=False)

    app = _register(officer, parcel, pf.today())

    assert app.channel == "paper" and app.case_number


@pytest.mark.parametrize("days_ago", [-1, services.PAPER_REGISTRATION_DAYS + 1])
def test_a_receipt_day_in_the_future_or_too_long_ago_is_refused_naming_the_field(
        world, days_ago):
    _unit, parcel, _resident, officer = world

    with pytest.raises(InvalidInput) as refused:
        _register(officer, parcel, pf.today() - timedelta(days=days_ago))

    assert refused.value.detail["field"] == "received_on"
    assert not Application.objects.exists()


@pytest.mark.parametrize("who", ["resident", "unit_admin", "other_units_officer"])
def test_only_an_officer_of_the_parcels_unit_registers_paper(world, who):
    unit, parcel, resident, _officer = world
    by = {"resident": lambda: resident,
          "unit_admin": lambda: factories.staff(unit, UNIT_ADMIN),
          "other_units_officer": lambda: factories.staff(
              factories.unit("026201_1", "Bolesławiec"), CASE_OFFICER)}[who]()

    with pytest.raises(Forbidden):
        _register(by, parcel, pf.today())

    assert not Application.objects.exists()


def _posted(parcel, received_on) -> dict:
    from permits.trees.forms import formset_data

    data = formset_data(pf.content(trees=[pf.tree()]))
    return {**data, "kind": "trees", "parcels": parcel.parcel_id,
            "received_on": received_on.isoformat(), "register": "1"}


def test_the_officer_registers_a_paper_application_on_the_page(client, world):
    _unit, parcel, _resident, officer = world
    client.force_login(officer)
    url = reverse("permits:paper")
    received = pf.today() - timedelta(days=2)

    chooser = client.get(url)
    page = client.get(url, {"kind": "trees", "parcels": parcel.parcel_id})
    posted = client.post(url, _posted(parcel, received))

    app = Application.objects.get()
    assert chooser.status_code == 200 and page.status_code == 200
    assert 'name="received_on"' in page.text
    assert posted.status_code == 302 and posted.url == reverse("permits:detail", args=[app.pk])
    assert (app.channel, app.received_on) == ("paper", received)
    queue = client.get(reverse("permits:queue"))
    assert app.case_number in queue.text and url in queue.text


def test_a_future_receipt_day_on_the_page_is_a_400_saying_so(client, world):
    _unit, parcel, _resident, officer = world
    client.force_login(officer)

    answer = client.post(reverse("permits:paper"),
                         _posted(parcel, pf.today() + timedelta(days=1)))

    assert answer.status_code == 400 and "message--error" in answer.text
    assert "przyszłości" in answer.text  # "cannot be in the future", in Polish
    assert not Application.objects.exists()


@pytest.mark.parametrize("who, status", [
    ("anonymous", 302), ("resident", 403), ("other_units_officer", 403)])
def test_the_paper_page_is_refused_to_others_and_changes_nothing(client, world, who, status):
    _unit, parcel, resident, _officer = world
    if who == "resident":
        client.force_login(resident)
    elif who == "other_units_officer":
        client.force_login(factories.staff(factories.unit("026201_1", "Bolesławiec"),
                                           CASE_OFFICER))

    page = client.get(reverse("permits:paper"), {"kind": "trees", "parcels": parcel.parcel_id})
    posted = client.post(reverse("permits:paper"), _posted(parcel, pf.today()))

    assert page.status_code == status and posted.status_code == status
    assert not Application.objects.exists()


def test_the_online_share_counts_paper_applications_by_their_day_of_receipt(world):
    unit, parcel, resident, officer = world
    today = pf.today()
    online = [pf.submitted(resident, [parcel]) for _ in range(3)]
    paper = [_register(officer, parcel, today - timedelta(days=d)) for d in (0, 2, 4)]
    early = _register(officer, parcel, today - timedelta(days=9))  # before the period

    rows, total = unit_statistics(units=[unit], period=Period(today - timedelta(days=5), today))
    _rows, wider = unit_statistics(units=[unit],
                                   period=Period(today - timedelta(days=10), today))

    in_period = [a for a in Application.objects.exclude(state="draft")
                 if (a.received_on or a.submitted_at.astimezone().date())
                 >= today - timedelta(days=5)]
    counted_online = sum(1 for a in in_period if a.channel == Application.ONLINE)
    assert (len(online), len(paper), early.received_on) == (3, 3, today - timedelta(days=9))
    assert total.received == len(in_period) == 6
    assert total.online == counted_online == 3
    assert total.online_share == round(counted_online / len(in_period), 4) == 0.5
    assert (wider.received, wider.online) == (7, 3)
    assert rows[0].received == total.received

"""A unit administrator invites staff by e-mail and removes them, never beyond their rights."""
import re

import pytest
from django.core import mail

from core.models import Membership, StaffInvitation
from core.roles import CASE_OFFICER, TAX_OFFICER, UNIT_ADMIN
from tests import factories as f

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"https?://testserver(/zaproszenie/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def legnica():
    return f.unit("026101_1", "Legnica")


def test_unit_admin_invites_a_case_officer_who_accepts_and_sees_the_queue(client, legnica):
    head = f.staff(legnica, UNIT_ADMIN)
    client.force_login(head)

    sent = client.post("/jednostka/026101_1/", {"email": "Anna.Nowak@legnica.eu",
                                                  "role": CASE_OFFICER})
    assert sent.status_code == 302
    assert mail.outbox[-1].to == ["anna.nowak@legnica.eu"]
    link = link_in(mail.outbox[-1])

    invitee = f.user("anna", email="anna.nowak@legnica.eu", first_name="Anna",
                     last_name="Nowak")
    client.force_login(invitee)
    page = client.get(link)
    accepted = client.post(link)
    queue = client.get("/wnioski/urzad/")

    assert "Przyjmij zaproszenie" in page.content.decode()
    assert accepted.status_code == 302
    assert set(Membership.objects.filter(user=invitee).values_list("role", flat=True)) == {
        CASE_OFFICER}
    assert queue.status_code == 200
    assert client.post(link).status_code == 404  # a link opens once


def test_invitation_for_another_address_grants_nothing(client, legnica):
    head = f.staff(legnica, UNIT_ADMIN)
    client.force_login(head)
    client.post("/jednostka/026101_1/", {"email": "anna@legnica.eu", "role": CASE_OFFICER})
    link = link_in(mail.outbox[-1])
    stranger = f.user("stranger", email="someone@else.eu")
    client.force_login(stranger)

    client.post(link)

    assert not Membership.objects.filter(user=stranger).exists()
    assert StaffInvitation.objects.get().accepted_at is None


def test_unit_admin_cannot_invite_a_tax_officer(client, legnica):
    head = f.staff(legnica, UNIT_ADMIN)
    client.force_login(head)

    response = client.post("/jednostka/026101_1/", {"email": "x@legnica.eu",
                                                      "role": TAX_OFFICER})

    assert response.status_code == 400
    assert StaffInvitation.objects.count() == 0
    assert mail.outbox == []


def test_invitation_is_checked_again_when_accepted(client, legnica):
    head = f.staff(legnica, UNIT_ADMIN)
    client.force_login(head)
    client.post("/jednostka/026101_1/", {"email": "anna@legnica.eu", "role": CASE_OFFICER})
    link = link_in(mail.outbox[-1])
    Membership.objects.filter(user=head).delete()  # the inviter lost their role meanwhile
    client.force_login(f.user("anna", email="anna@legnica.eu"))

    client.post(link)

    assert Membership.objects.filter(role=CASE_OFFICER).count() == 0


def test_unit_admin_removes_a_case_officer_but_not_a_tax_officer(client, legnica):
    head = f.staff(legnica, UNIT_ADMIN)
    officer, tax = f.staff(legnica, CASE_OFFICER), f.staff(legnica, TAX_OFFICER)
    client.force_login(head)
    officer_role = Membership.objects.get(user=officer)
    tax_role = Membership.objects.get(user=tax)

    page = client.get("/jednostka/026101_1/").content.decode()
    client.post(f"/jednostka/026101_1/zespol/{officer_role.pk}/usun/")
    client.post(f"/jednostka/026101_1/zespol/{tax_role.pk}/usun/")

    assert f"/zespol/{officer_role.pk}/usun/" in page
    assert f"/zespol/{tax_role.pk}/usun/" not in page
    assert not Membership.objects.filter(user=officer).exists()
    assert Membership.objects.filter(user=tax, role=TAX_OFFICER).exists()


@pytest.mark.parametrize("who", ["anonymous", "resident", "officer", "other_unit_admin"])
def test_only_the_units_administrators_open_its_setup(client, legnica, who):
    officer = f.staff(legnica, CASE_OFFICER)
    membership = Membership.objects.get(user=officer)
    people = {"resident": lambda: f.user("resident"),
              "officer": lambda: officer,
              "other_unit_admin": lambda: f.staff(f.unit("020901_1", "Chojnów"), UNIT_ADMIN)}
    if who != "anonymous":
        client.force_login(people[who]())

    page = client.get("/jednostka/026101_1/")
    invite = client.post("/jednostka/026101_1/", {"email": "x@y.eu", "role": CASE_OFFICER})
    remove = client.post(f"/jednostka/026101_1/zespol/{membership.pk}/usun/")

    expected = 302 if who == "anonymous" else 404
    assert (page.status_code, invite.status_code, remove.status_code) == (expected,) * 3
    assert StaffInvitation.objects.count() == 0
    assert Membership.objects.filter(user=officer).exists()


def test_an_invitee_without_an_account_is_offered_login_and_sign_up(client, legnica):
    head = f.staff(legnica, UNIT_ADMIN)
    client.force_login(head)
    client.post("/jednostka/026101_1/", {"email": "anna@legnica.eu", "role": CASE_OFFICER})
    link = link_in(mail.outbox[-1])
    client.logout()

    html = client.get(link).content.decode()

    assert f'href="/accounts/login/?next={link}"' in html
    assert f'href="/accounts/signup/?next={link}"' in html
    assert not Membership.objects.filter(role=CASE_OFFICER).exists()

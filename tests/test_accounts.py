"""Residents get in by themselves: sign-up with a verified e-mail address, password reset,
their details filling in applications, and each role landing on its work."""
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from core.models import PersonProfile
from core.roles import CASE_OFFICER, TAX_OFFICER, UNIT_ADMIN
from tests import factories as f
from tests import permits_factories as pf

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


SIGNUP = {"email": "jan.kowalski@example.pl", "password1": "Lipa-na-rynku-1",
          "password2": "Lipa-na-rynku-1", "first_name": "Jan", "last_name": "Kowalski",
          "address": "ul. Lipowa 3\n59-220 Legnica", "phone": ""}


def test_a_resident_signs_up_confirms_the_address_and_is_logged_in(client):
    page = client.get("/accounts/signup/")
    signed = client.post("/accounts/signup/", SIGNUP)
    before_confirming = client.get("/wnioski/moje/")
    confirm = link_in(mail.outbox[-1])
    confirmed = client.post(confirm)
    mine = client.get("/wnioski/moje/")

    html = page.content.decode()
    assert 'for="id_email"' in html and 'for="id_address"' in html
    assert signed.status_code == 302 and "/accounts/confirm-email/" in signed["Location"]
    assert mail.outbox[-1].to == ["jan.kowalski@example.pl"]
    assert before_confirming.status_code == 302  # not logged in before confirming
    assert confirmed.status_code == 302 and confirmed["Location"] == "/wnioski/moje/"
    assert mine.status_code == 200
    jan = User.objects.get(email="jan.kowalski@example.pl")
    assert (jan.first_name, jan.last_name) == ("Jan", "Kowalski")
    assert PersonProfile.objects.get(user=jan).address == "ul. Lipowa 3\n59-220 Legnica"
    assert not jan.is_staff


def test_login_is_refused_until_the_address_is_confirmed(client):
    client.post("/accounts/signup/", SIGNUP)
    client.logout()

    response = client.post("/accounts/login/", {"login": SIGNUP["email"],
                                                "password": SIGNUP["password1"]})

    assert response.status_code == 302
    assert "/accounts/confirm-email/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_signup_with_a_taken_address_creates_nothing_and_reveals_nothing(client):
    anna = f.user("anna", email="jan.kowalski@example.pl")
    EmailAddress.objects.create(user=anna, email=anna.email, verified=True, primary=True)

    response = client.post("/accounts/signup/", SIGNUP)

    # The same answer as a new address gets; the owner of the address is told by e-mail.
    assert response.status_code == 302 and "/accounts/confirm-email/" in response["Location"]
    assert mail.outbox[-1].to == ["jan.kowalski@example.pl"]
    assert User.objects.filter(email__iexact=SIGNUP["email"]).count() == 1


def test_password_reset_by_e_mail(client):
    anna = f.user("anna", email="anna@example.pl")

    asked = client.post("/accounts/password/reset/", {"email": "anna@example.pl"})
    link = link_in(mail.outbox[-1])
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    changed = client.post(set_url, {"password1": "Nowe-haslo-2026", "password2":
                                    "Nowe-haslo-2026"})

    assert asked.status_code == 302
    assert changed.status_code == 302
    anna.refresh_from_db()
    assert anna.check_password("Nowe-haslo-2026")


def test_password_reset_for_an_unknown_address_reveals_nothing_and_changes_nothing(client):
    anna = f.user("anna", email="anna@example.pl")
    before = anna.password

    response = client.post("/accounts/password/reset/", {"email": "nobody@example.pl"})

    assert response.status_code == 302  # the same answer as for a known address
    anna.refresh_from_db()
    assert anna.password == before


def test_a_new_application_starts_with_the_accounts_name_and_address(client):
    _unit, parcel, _resident, _officer = pf.world()
    jan = f.user("jan", first_name="Jan", last_name="Kowalski")
    PersonProfile.objects.create(user=jan, address="ul. Lipowa 3, 59-220 Legnica")
    client.force_login(jan)

    page = client.get(f"/wnioski/nowy/trees/?parcels={parcel.parcel_id}")

    html = page.content.decode()
    assert re.search(r'name="main-applicant_name"[^>]*value="Jan Kowalski"', html)
    assert re.search(r'name="main-applicant_address"[^>]*>\s*ul. Lipowa 3, 59-220 Legnica<', html)


def test_my_details_page_saves_name_and_address(client):
    jan = f.user("jan")
    client.force_login(jan)

    response = client.post("/konto/dane/", {"first_name": "Jan", "last_name": "Nowak",
                                            "address": "Rynek 1, Legnica", "phone": ""})

    assert response.status_code == 302
    jan.refresh_from_db()
    assert (jan.get_full_name(), jan.profile.address) == ("Jan Nowak", "Rynek 1, Legnica")


@pytest.mark.parametrize(("role", "landing"), [
    (None, "/wnioski/moje/"), (CASE_OFFICER, "/wnioski/urzad/"), (TAX_OFFICER, "/podatki/"),
    (UNIT_ADMIN, "/jednostka/")])
def test_each_role_lands_on_its_work_after_logging_in(client, role, landing):
    person = f.staff(f.unit(), role, "ewa") if role else f.user("ewa")

    response = client.post("/accounts/login/", {"login": "ewa", "password": "pw-test-1"})

    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.session["_auth_user_id"] == str(person.pk)


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)


def test_a_tax_officer_is_offered_the_tax_register_and_no_application_queue(client):
    client.force_login(f.staff(f.unit(), TAX_OFFICER))

    links = nav_links(client.get("/").content.decode())

    assert "/podatki/" in links
    assert "/wnioski/urzad/" not in links
    for link in links:
        assert client.get(link, follow=True).status_code == 200, link


def test_a_residents_menu_leads_nowhere_refused(client):
    client.force_login(f.user("jan"))

    links = nav_links(client.get("/").content.decode())

    assert "/wnioski/moje/" in links and "/admin/" not in links and "/podatki/" not in links
    for link in links:
        assert client.get(link, follow=True).status_code == 200, link


def test_the_findings_map_marks_the_tax_register_not_the_map(client):
    unit = f.unit()
    client.force_login(f.staff(unit, TAX_OFFICER))

    html = client.get(f"/podatki/{unit.teryt}/map/").content.decode()

    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert re.search(r'href="/podatki/" aria-current="page"', nav)
    assert 'href="/mapa/" aria-current' not in nav

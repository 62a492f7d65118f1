"""A resident gets in by themselves, in a phone's browser: signs up and confirms the address
from the e-mail, resets a forgotten password, and logs in through login.gov.pl against a
SAML identity provider run locally (tests/saml_idp.py)."""
import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail

from geo_portal.settings.login_gov import login_gov_pl_app
from tests import factories as f
from tests.browser.conftest import PHONE
from tests.saml_idp import LocalIdP

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
User = get_user_model()
PASSWORD = "Lipa-na-rynku-1"


def e_mailed_link(host: str) -> str:
    return re.search(rf"(https?://{re.escape(host)}/\S+)", mail.outbox[-1].body).group(1)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="pl-PL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_a_resident_signs_up_confirms_the_address_and_resets_the_password(live_server, phone,
                                                                         screenshot):
    host = live_server.url.split("//")[1]
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_role("link", name="Załóż je").click()
    phone.get_by_label("Adres e-mail").fill("jan@example.pl")
    phone.get_by_label("Hasło", exact=True).fill(PASSWORD)
    phone.get_by_label("Hasło (ponownie)").fill(PASSWORD)
    phone.get_by_label("Imię").fill("Jan")
    phone.get_by_label("Nazwisko").fill("Kowalski")
    phone.get_by_label("Adres do korespondencji").fill("ul. Lipowa 3, 59-220 Legnica")
    screenshot(phone, "signup")
    phone.get_by_role("button", name="Załóż konto").click()
    phone.wait_for_load_state()
    screenshot(phone, "signed-up")
    phone.wait_for_url("**/accounts/confirm-email/")

    phone.goto(e_mailed_link(host))
    phone.get_by_role("button", name="Potwierdź").click()
    phone.wait_for_load_state()
    screenshot(phone, "confirmed")
    phone.wait_for_url("**/wnioski/moje/")
    assert phone.get_by_role("link", name=re.compile("Jan Kowalski")).is_visible()

    # a forgotten password, some day later
    phone.get_by_role("button", name="Wyloguj się").click()
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_role("link", name="Nie pamiętasz hasła?").click()
    phone.get_by_label("Adres e-mail").fill("jan@example.pl")
    phone.get_by_role("button", name=re.compile("Zresetuj")).click()
    phone.goto(e_mailed_link(host))
    phone.get_by_label("Nowe hasło", exact=True).fill("Nowe-haslo-2026")
    phone.get_by_label(re.compile("Nowe hasło \\(ponownie\\)")).fill("Nowe-haslo-2026")
    phone.get_by_role("button", name=re.compile("Zmień hasło")).click()
    phone.wait_for_url("**/accounts/password/reset/key/done/")

    assert User.objects.get(email="jan@example.pl").check_password("Nowe-haslo-2026")


def test_a_resident_logs_in_through_login_gov_pl(live_server, phone, tmp_path, settings):
    # SAML wants a host name with a dot or an address, never "localhost"
    portal = live_server.url.replace("localhost", "127.0.0.1")
    with LocalIdP(tmp_path, {"PersonIdentifier": "PNOPL-85010112345",
                             "CurrentGivenName": "Jan", "CurrentFamilyName": "Kowalski",
                             "DateOfBirth": "1985-01-01"}) as idp:
        settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": [login_gov_pl_app(
            idp={"entity_id": idp.entity_id, "metadata_url": idp.entity_id})]}}
        idp.trust(phone.request.get(f"{portal}/accounts/saml/login-gov-pl/metadata/").text())

        phone.goto(f"{portal}/accounts/login/")
        phone.get_by_role("button", name="Zaloguj się przez login.gov.pl").click()
        phone.wait_for_url("**/accounts/3rdparty/signup/")
        assert phone.get_by_label("Imię").input_value() == "Jan"
        phone.get_by_label("Adres e-mail").fill("jan@example.pl")
        phone.get_by_label("Adres do korespondencji").fill("ul. Lipowa 3, 59-220 Legnica")
        phone.get_by_role("button", name=re.compile("Zarejestruj|Załóż")).click()
        phone.wait_for_url("**/accounts/confirm-email/")
        phone.goto(e_mailed_link(portal.split("//")[1]))
        phone.get_by_role("button", name="Potwierdź").click()
        phone.wait_for_url("**/wnioski/moje/")

    jan = User.objects.get(email="jan@example.pl")
    assert SocialAccount.objects.get(user=jan).uid == "PNOPL-85010112345"
    assert jan.get_full_name() == "Jan Kowalski"


def test_a_unit_admin_invites_a_case_officer_who_accepts_and_sees_the_queue(live_server,
                                                                           session_page,
                                                                           screenshot):
    unit = f.unit()
    head = f.staff(unit, "unit_admin", "naczelnik")
    page, _console = session_page(head, live_server.url)
    page.goto(f"{live_server.url}/jednostka/")
    page.get_by_label("Adres e-mail").fill("ewa@legnica.example")
    page.get_by_label("Rola").select_option(label="Referent / urbanista")
    page.get_by_role("button", name="Wyślij zaproszenie").click()
    page.get_by_text("Zaproszenie wysłano").wait_for()
    link = e_mailed_link(live_server.url.split("//")[1])

    ewa = f.user("ewa", email="ewa@legnica.example")
    invitee, _ = session_page(ewa, live_server.url)
    invitee.goto(link)
    invitee.get_by_role("button", name="Przyjmij zaproszenie").click()
    invitee.wait_for_load_state()
    screenshot(invitee, "accepted")
    invitee.locator('nav a[href="/wnioski/urzad/"]').click()
    invitee.wait_for_url("**/wnioski/urzad/")
    assert invitee.get_by_role("heading", level=1).is_visible()

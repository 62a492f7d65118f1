"""Logging in through login.gov.pl (SAML 2.0), end to end against an identity provider run
locally (pysaml2's, over HTTP on the loopback): metadata, signed assertions, first login
asking for an e-mail address once, the next logins straight in, forged answers refused."""
import base64
import re
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail

from core.models import PersonProfile
from geo_portal.settings.login_gov import LOGIN_GOV_PL, login_gov_pl_app
from tests.saml_idp import LocalIdP, auto_post_form

pytestmark = pytest.mark.django_db
User = get_user_model()
SAML = f"/accounts/saml/{LOGIN_GOV_PL}"
JAN = {"PersonIdentifier": "PNOPL-85010112345", "CurrentGivenName": "Jan",
       "CurrentFamilyName": "Kowalski", "DateOfBirth": "1985-01-01"}


HOST = "gis.legnica.example.pl"  # a deployment's name (SAML refuses single-label hosts)


@pytest.fixture
def client(client, settings):
    settings.ALLOWED_HOSTS = [HOST]
    client.defaults["HTTP_HOST"] = HOST
    return client


@pytest.fixture
def idp(tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with LocalIdP(tmp_path, JAN) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": [login_gov_pl_app(
            idp={"entity_id": provider.entity_id, "metadata_url": provider.entity_id})]}}
        yield provider


def sso(client, idp) -> tuple[str, dict]:
    """Our login button, then the node's answer: where it posts back, and what."""
    idp.trust(client.get(f"{SAML}/metadata/").content.decode())
    started = client.post(f"{SAML}/login/")
    assert started.status_code == 302
    assert started["Location"].startswith(f"{idp.base}/sso/redirect?SAMLRequest=")
    with urlopen(started["Location"], timeout=10) as answer:  # noqa: S310 (loopback IdP)
        action, fields = auto_post_form(answer.read().decode())
    return urlsplit(action).path, fields


def finish(client, acs: str, fields: dict):
    posted = client.post(acs, fields)
    assert posted.status_code == 302
    return client.get(posted["Location"])


def test_login_page_offers_login_gov_pl(client, idp):
    html = client.get("/accounts/login/").content.decode()

    assert f'action="{SAML}/login/?process=login"' in html
    assert "login.gov.pl" in html


def test_first_login_asks_for_an_e_mail_once_then_logs_in(client, idp):
    acs, fields = sso(client, idp)
    signup = finish(client, acs, fields)

    assert signup.status_code == 302 and signup["Location"] == "/accounts/3rdparty/signup/"
    form = client.get(signup["Location"]).content.decode()
    assert re.search(r'name="first_name"[^>]*value="Jan"', form)
    assert re.search(r'name="last_name"[^>]*value="Kowalski"', form)

    sent = client.post(signup["Location"], {
        "email": "jan@example.pl", "first_name": "Jan", "last_name": "Kowalski",
        "address": "ul. Lipowa 3, 59-220 Legnica", "phone": ""})
    assert sent.status_code == 302
    confirm = re.search(rf"https?://{HOST}(/\S+)", mail.outbox[-1].body).group(1)
    client.post(confirm)

    jan = User.objects.get(email="jan@example.pl")
    account = SocialAccount.objects.get(user=jan)
    assert (account.provider, account.uid) == (idp.entity_id, JAN["PersonIdentifier"])
    assert (jan.first_name, jan.last_name) == ("Jan", "Kowalski")
    assert PersonProfile.objects.get(user=jan).address == "ul. Lipowa 3, 59-220 Legnica"
    assert client.get("/wnioski/moje/").status_code == 200


def test_the_next_login_goes_straight_in(client, idp):
    jan = User.objects.create_user("jan", email="jan@example.pl", first_name="Jan")
    SocialAccount.objects.create(user=jan, provider=idp.entity_id, uid=JAN["PersonIdentifier"])

    acs, fields = sso(client, idp)
    landed = finish(client, acs, fields)

    assert landed.status_code == 302 and landed["Location"] == "/wnioski/moje/"
    assert client.session["_auth_user_id"] == str(jan.pk)


def test_a_forged_answer_logs_nobody_in(client, idp):
    jan = User.objects.create_user("jan", email="jan@example.pl")
    SocialAccount.objects.create(user=jan, provider=idp.entity_id, uid=JAN["PersonIdentifier"])
    acs, fields = sso(client, idp)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    forged = xml.replace("Kowalski", "Nowak")
    assert forged != xml

    response = finish(client, acs, {**fields, "SAMLResponse":
                                    base64.b64encode(forged.encode()).decode()})

    assert response.status_code == 401  # the authentication error page
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 1


def test_an_answer_to_someone_elses_request_is_refused(client, idp):
    acs, fields = sso(client, idp)
    other = client.__class__(HTTP_HOST=HOST)  # another browser, which never asked the node

    posted = other.post(acs, fields)
    response = other.get(posted["Location"])

    assert "_auth_user_id" not in other.session
    assert response.status_code == 403
    assert not SocialAccount.objects.exists()

"""The lean path of parcel at a point (geo_portal/api/views.py): the same answer as DRF's,
taken only where DRF would change nothing, with the same access policy."""
import dataclasses

import pytest
from rest_framework.test import APIClient

from core.roles import CASE_OFFICER
from layers import registry
from layers.registry import Access
from tests import factories as f

pytestmark = pytest.mark.django_db

PARCEL = (318000.0, 386000.0, 318100.0, 386100.0)
OTHER_UNITS = (318100.0, 386000.0, 318200.0, 386100.0)


@pytest.fixture
def parcel():
    return f.parcel("123/4", geom=f.box(*PARCEL), area_ha="1.0012")


@pytest.fixture
def drf_calls(monkeypatch):
    """Requests that reached DRF's view."""
    from geo_portal.api import views

    calls = []
    real = views.ParcelAtPointApi.get

    def counted(self, request):
        calls.append(request.query_params.dict())
        return real(self, request)

    monkeypatch.setattr(views.ParcelAtPointApi, "get", counted)
    return calls


@pytest.mark.parametrize("query", [
    {"x": 318050, "y": 386050, "srid": 2180},
    {"x": 1824356.2, "y": 6676664.7, "srid": 3857},
])
@pytest.mark.parametrize("accept, content_type", [
    (None, "application/geo+json"), ("*/*", "application/geo+json"),
    ("application/json", "application/json")])
def test_the_lean_answer_is_drfs_answer(client, parcel, drf_calls, query, accept,
                                        content_type):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    # given DRF's own answer (?format= always takes DRF's path)
    fmt = "geojson" if content_type == "application/geo+json" else "json"
    drf = client.get("/api/parcels/at/", {**query, "format": fmt})

    # when the same point is asked for plainly
    lean = client.get("/api/parcels/at/", query, **headers)

    # then DRF answered only the first, and both answers are the same bytes and type
    assert len(drf_calls) == 1
    assert lean.status_code == drf.status_code
    assert lean.content == drf.content
    assert lean["Content-Type"] == drf["Content-Type"] == content_type
    assert "Accept" in lean["Vary"] and lean["Allow"] == drf["Allow"]


def test_the_browsable_api_errors_and_tokens_still_go_through_drf(client, parcel, drf_calls):
    # given a point with no parcel, a browser's Accept and a missing coordinate
    nothing = client.get("/api/parcels/at/", {"x": 330000, "y": 390000, "srid": 2180})
    page = client.get("/api/parcels/at/", {"x": 318050, "y": 386050, "srid": 2180},
                      HTTP_ACCEPT="text/html")
    missing = client.get("/api/parcels/at/", {"x": 318050, "srid": 2180})

    # then each is DRF's answer, in the product's error shape where it is one
    assert len(drf_calls) == 3
    assert nothing.status_code == 404 and nothing.json()["code"]
    assert page.status_code == 200 and "text/html" in page["Content-Type"]
    assert missing.status_code == 400 and "y" in missing.json()["detail"]


def test_where_parcels_are_staff_only_the_lean_path_keeps_the_policy(parcel, monkeypatch):
    # given the parcels layer published for staff of their own unit only
    restricted = dataclasses.replace(registry.layer_named("parcels"), access=Access.STAFF)
    monkeypatch.setitem(registry._BY_NAME, "parcels", restricted)
    other = f.parcel("8", p=f.precinct(f.unit("020102_1", "Chojnów")),
                     geom=f.box(*OTHER_UNITS))
    officer = APIClient()
    officer.force_login(f.staff(parcel.unit, CASE_OFFICER))
    anonymous = APIClient()

    # when an anonymous client and Legnica's officer click on each unit's parcel
    def at(client, x):
        return client.get("/api/parcels/at/", {"x": x, "y": 386050, "srid": 2180})

    # then the officer gets her unit's parcel only and the anonymous client nothing
    assert at(officer, 318050).json()["id"] == parcel.parcel_id
    assert at(officer, 318150).status_code == 404
    assert at(anonymous, 318050).status_code == 404
    assert other.parcel_id


@pytest.fixture
def early_answers(monkeypatch):
    """Requests answered before the session middleware ran."""
    from django.contrib.sessions.middleware import SessionMiddleware

    reached = []
    real = SessionMiddleware.process_request

    def counted(self, request):
        reached.append(request.path)
        return real(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", counted)
    return reached


@pytest.mark.parametrize("accept", [None, "application/json"])
def test_a_click_without_credentials_is_answered_early_as_the_whole_stack_answers(
        client, parcel, early_answers, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    query = {"x": 318050, "y": 386050, "srid": 2180}
    # given the answer of the whole middleware stack (a session cookie, even an unknown
    # one, takes every middleware's path)
    client.cookies["sessionid"] = "no-such-session"
    whole = client.get("/api/parcels/at/", query, **headers)
    assert early_answers == ["/api/parcels/at/"]

    # when the same click comes without any credentials
    del client.cookies["sessionid"]
    early = client.get("/api/parcels/at/", query, **headers)

    # then it never reached the session middleware, and it is the same answer, header
    # for header (language, Vary, frame options, security headers)
    assert early_answers == ["/api/parcels/at/"]
    assert early.status_code == whole.status_code == 200
    assert early.content == whole.content
    assert dict(early.items()) == dict(whole.items())


def test_a_click_on_nothing_asks_the_database_once_and_is_refused_in_the_users_language(
        client, parcel, django_assert_num_queries):
    # given a visitor who chose English
    client.cookies["django_language"] = "en"

    # when she clicks where there is no parcel
    with django_assert_num_queries(1):
        response = client.get("/api/parcels/at/", {"x": 330000, "y": 390000, "srid": 2180})

    # then DRF answers the refusal the lean path found, without asking again
    assert response.status_code == 404
    assert response.json()["message"] == "There is no parcel at this point."
    assert response["Content-Language"] == "en"


def test_a_click_with_credentials_goes_through_the_authentication_it_carries(client, parcel,
                                                                             early_answers):
    # when a click comes with a token that is not one
    response = client.get("/api/parcels/at/", {"x": 318050, "y": 386050, "srid": 2180},
                          HTTP_AUTHORIZATION="Token not-a-token")

    # then the token is refused as on every path, not answered early
    assert response.status_code == 401
    assert early_answers == ["/api/parcels/at/"]

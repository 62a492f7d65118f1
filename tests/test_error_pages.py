"""The product's own error pages in Polish, in a deployment and in the demo (DEBUG on)."""
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

from tests import factories as f

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug")


def refuse(request):
    raise PermissionDenied


# The site's own addresses (menus and error pages link to them) and two that fail.
urlpatterns = [path("boom/", boom), path("refuse/", refuse), path("", include("geo_portal.urls"))]


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_page_is_the_polish_404_page_also_in_the_demo(settings, debug):
    settings.DEBUG = debug
    client = Client()  # a fresh handler reads the settings

    unknown = client.get("/nie-ma-takiej-strony/")
    client.force_login(f.user("anna"))
    missing_case = client.get("/wnioski/999999/")  # a view's own 404

    for response in (unknown, missing_case):
        html = response.content.decode()
        assert response.status_code == 404
        assert "Nie znaleziono strony" in html and '<html lang="pl">' in html
        assert "URLconf" not in html and "DEBUG = True" not in html


@pytest.mark.parametrize("debug", [False, True])
def test_a_refusal_is_the_polish_403_page(settings, debug):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = __name__

    response = Client().get("/refuse/")

    assert response.status_code == 403
    assert "Brak dostępu" in response.content.decode()


def test_a_server_error_is_the_polish_500_page_that_needs_nothing(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Coś poszło nie tak" in html and "a bug" not in html

"""The regional operator's pages and a unit's public page in a real browser, at 360 px:
nothing wider than the phone, the chart drawn from the table's numbers, no script errors.
Screenshots in var/test-artifacts/."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests import operator_factories as of
from tests.browser.conftest import PHONE
from tests.browser.waiting import wait_until
from tests.permits_factories import enable

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def region():
    powiat, first, second, _other = of.county()
    enable(first, "trees")
    of.history([first, second], n=40, start=timezone.localdate() - timedelta(days=120),
               days=60)
    return powiat, first, of.operator_of(powiat, "operator")


def test_operator_pages_fit_a_phone_and_draw_the_chart(live_server, region, session_page,
                                                       screenshot):
    _powiat, _gmina, operator = region
    page, console = session_page(operator, live_server.url)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/operator/")
    home_width = page.evaluate(WIDTH)
    lights = page.locator("li.checklist").count()
    screenshot(page, "home")
    page.goto(f"{live_server.url}/operator/statystyki/"
              f"?from={(timezone.localdate() - timedelta(days=365)).isoformat()}")
    wait_until(page, "() => document.getElementById('stats-chart').width > 0")
    stats_width = page.evaluate(WIDTH)
    rows = page.locator("table.stats tbody tr").count()
    screenshot(page, "statistics")

    assert home_width <= PHONE["width"] and stats_width <= PHONE["width"]
    assert lights == 3 and rows == 3
    assert console.errors == [] and console.failed_requests == []


def test_unit_page_fits_a_phone(live_server, region, open_page, screenshot):
    _powiat, gmina, _operator = region

    page, console = open_page(f"{live_server.url}/{gmina.teryt}/", viewport=PHONE)

    assert page.evaluate(WIDTH) <= PHONE["width"]
    assert page.locator("[data-kind=trees]").count() == 1
    screenshot(page, "unit")
    assert console.errors == []

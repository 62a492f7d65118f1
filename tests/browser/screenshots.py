"""Screenshots of the main pages at 1366 px and 390 px, into docs/screenshots/ (linked from
the README). Not part of the test suite (the file name is no test_*.py); `make screenshots`
runs it on the sweep's world (tests/browser/pages.py) with the map services live:

    make screenshots        # or: .venv/bin/pytest tests/browser/screenshots.py -p no:cacheprovider
"""
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.browser.pages import OFFICER, RESIDENT, TAX_OFFICER, sweep_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1366, "height": 800}, "phone": {"width": 390, "height": 844}}


def _map(w) -> str:
    c = w.parcel.geom.centroid
    return reverse("map") + f"?x={c.x:.0f}&y={c.y:.0f}&scale=1000"


# (file name, who looks, the page's path, what to wait for)
SHOTS = (
    ("home", None, lambda w: reverse("home"), "main"),
    ("map", RESIDENT, _map, "#map[data-ready='true'][data-loaded='true']"),
    ("tree-form", RESIDENT, lambda w: reverse("permits:edit", args=[w.tree_draft.pk]),
     "#permits-map.permits-map--ready"),
    ("my-cases", RESIDENT, lambda w: reverse("permits:mine"), "table.cases"),
    ("case-resident", RESIDENT, lambda w: reverse("permits:detail", args=[w.tree_case.pk]),
     "#now-heading"),
    ("queue", OFFICER, lambda w: reverse("permits:queue"), "table.queue"),
    ("case-officer", OFFICER, lambda w: reverse("permits:detail", args=[w.tree_case.pk]),
     "#review-heading"),
    ("tax-findings", TAX_OFFICER, lambda w: reverse("tax:findings", args=[w.unit.teryt]),
     "table.findings"),
    ("tax-finding", TAX_OFFICER, lambda w: reverse(
        "tax:finding", args=[w.unit.teryt, w.findings["land_use_difference"].pk]), "dl.evidence"),
    ("tax-run", TAX_OFFICER, lambda w: reverse("tax:run", args=[w.unit.teryt, w.run.pk]),
     "table.steps"),
)


def test_screenshots_of_the_main_pages(live_server, browser, map_services, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    world = sweep_world()
    OUT.mkdir(parents=True, exist_ok=True)
    for viewport in WIDTHS.values():
        contexts = {}
        for name, role, path, ready in SHOTS:
            if role not in contexts:
                contexts[role] = browser.new_context(viewport=viewport, locale="pl-PL")
                if role is not None:
                    client = Client()
                    client.force_login(world.users[role])
                    contexts[role].add_cookies([{
                        "name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
            page = contexts[role].new_page()
            page.goto(live_server.url + path(world))
            page.wait_for_selector(ready, state="attached")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}-{viewport['width']}.png"), full_page=True)
            page.close()
        for context in contexts.values():
            context.close()
    assert len(list(OUT.glob("*.png"))) >= len(SHOTS) * len(WIDTHS)

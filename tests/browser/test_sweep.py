"""Every page of every role on a 360 px phone (tests/browser/pages.py lists them): nothing
wider than the screen, every input with a label, and no raw code of ours in the text of a
Polish page. One world, one browser; every problem of every page is reported at once."""
import re

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.conftest import PHONE
from tests.browser.pages import ANONYMOUS, PAGES, ROLES, sweep_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Codes of ours that must reach a person only through their labels; matched as whole words,
# case-sensitive (so "WZ", the Polish abbreviation, passes while the code "wz" does not).
RAW_CODES = (
    "permit", "notification", "trees", "wz", "zoning_extract", "building_business",
    "building_residential", "building_other", "land_other", "draft", "submitted",
    "registered", "awaiting_documents", "inspection_scheduled", "decided", "withdrawn",
    "granted", "granted_with_planting", "no_objection", "silent_consent", "not_issued",
    "owner_mismatch", "untaxed", "case_officer", "tax_officer", "unit_admin",
    "succeeded", "failed", "queued", "running", "None", "True", "False",
)
RAW_PATTERN = re.compile(r"(?<![\w./-])(" + "|".join(RAW_CODES) + r")(?![\w./-])"
                         r"|\{'\w+': |\['\w+', ")

INSPECT = """() => {
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.name ? `[name=${e.name}]` : '') + (e.className && typeof e.className === 'string'
    ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden')
      return true; } return false; };
  const width = document.documentElement.clientWidth;
  const beyond = [...document.body.querySelectorAll('*')].filter((e) => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; });
  const outside = beyond.filter((e) => !scrolls(e));
  const wide = (outside.length ? outside : beyond).slice(0, 5)
    .map((e) => `${describe(e)} (${Math.round(e.getBoundingClientRect().right)} px)`);
  const labelled = (e) => (e.labels && e.labels.length) || e.getAttribute('aria-label')
    || e.getAttribute('aria-labelledby') || e.title;
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => !['hidden', 'submit', 'button', 'reset', 'image'].includes(e.type))
    .filter((e) => !labelled(e)).map(describe);
  // The language buttons: text that reads against what lies under it (contrast 4.5:1).
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ground = (e) => { for (let p = e; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor); if (c.length < 4 || c[3] > 0.5)
      return c.slice(0, 3); } return [255, 255, 255]; };
  const unreadable = [...document.querySelectorAll('.lang-switch button')].filter((e) => {
    const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(ground(e))];
    return !e.innerText.trim() || (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) < 4.5; })
    .map((e) => `${describe(e)} "${e.innerText.trim()}"`);
  return {scrollWidth: document.documentElement.scrollWidth, width, wide, unlabelled, unreadable,
          lang: document.documentElement.lang, text: document.body.innerText,
          title: document.title};
}"""


def _context(browser, live_server, user):
    context = browser.new_context(viewport=PHONE, locale="pl-PL")
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
    return context


def page_problems(found: dict) -> list[str]:
    problems = []
    if found["scrollWidth"] > found["width"]:
        problems.append(f"{found['scrollWidth']} px wide at {found['width']} px: "
                        f"{', '.join(found['wide']) or 'no single element found'}")
    if found["unlabelled"]:
        problems.append(f"inputs without a label: {', '.join(found['unlabelled'])}")
    if found.get("unreadable"):
        problems.append(f"unreadable buttons: {', '.join(found['unreadable'])}")
    if found["lang"] == "pl":
        raw = sorted({m.group(0) for m in RAW_PATTERN.finditer(found["text"])})
        if raw:
            problems.append(f"raw codes in the text: {raw}")
    return problems


def test_every_page_of_every_role_fits_a_phone_with_labels_and_no_raw_codes(live_server,
                                                                            browser, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    world = sweep_world()
    report: list[str] = []
    visited = 0
    for role in ROLES:
        pages = [p for p in PAGES if role in p.roles]
        context = _context(browser, live_server, None if role == ANONYMOUS else world.users[role])
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        for page in pages:
            path = page.path(world)
            response = tab.goto(live_server.url + path, wait_until="load")
            visited += 1
            if response is None or response.status >= 400:
                report.append(f"{role} {path}: HTTP {response.status if response else '?'}")
                continue
            report.extend(f"{role} {path}: {p}" for p in page_problems(tab.evaluate(INSPECT)))
        context.close()
    assert visited == sum(len(p.roles) for p in PAGES)
    assert report == [], "\n" + "\n".join(report)


def test_the_sweep_finds_overflow_missing_labels_and_raw_codes():
    # the checks themselves, on what a broken page would report
    found = {"scrollWidth": 611, "width": 360, "wide": ["table.rows (611 px)"],
             "unlabelled": ["input[name=trees-0-x]"], "lang": "pl",
             "unreadable": ['button "English"'],
             "text": "Tryb: permit; Rodzaj: trees / wz; {'rows': 3}; WZ: kontrola"}
    assert page_problems(found) == [
        "611 px wide at 360 px: table.rows (611 px)",
        "inputs without a label: input[name=trees-0-x]",
        'unreadable buttons: button "English"',
        "raw codes in the text: ['permit', 'trees', 'wz', \"{'rows': \"]"]
    assert page_problems({**found, "scrollWidth": 360, "unlabelled": [], "unreadable": [],
                          "text": "Tryb: zezwolenie; WZ: kontrola"}) == []

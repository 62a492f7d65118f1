"""Every URL of the site is either a page the 360 px sweep visits or a named non-page
(tests/browser/pages.py): a page added without joining the sweep fails here."""
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser.pages import NOT_PAGES, PAGES, ROLES, is_registered


def url_names(patterns=None, namespace: str = ""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = ":".join(filter(None, [namespace, p.namespace]))
            yield from url_names(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_name_is_a_swept_page_or_a_named_non_page():
    names = set(url_names())
    missing = sorted(n for n in names if not is_registered(n))
    assert missing == [], (f"pages not in the 360 px sweep: {missing}; add each to PAGES (or, "
                           "if it is no page, to NOT_PAGES) in tests/browser/pages.py")


def test_the_registry_names_only_urls_that_exist_and_known_roles():
    names = set(url_names())
    assert sorted({p.name for p in PAGES} - names) == []
    assert sorted(set(NOT_PAGES) - names) == []
    assert all(set(p.roles) <= set(ROLES) and p.roles for p in PAGES)

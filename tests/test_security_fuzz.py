"""Every URL pattern of the project, probed with plausible and hostile input: never a 500.

The patterns are read from the resolver, so an endpoint added later is probed without
being listed here. Each path converter is filled with a plausible value (an id that
exists, the unit's TERYT, a known layer) and with hostile ones (a NUL, a number past
bigint, a traversal, 300 characters); the plausible path is then asked with malformed
query parameters and posted a malformed form and a malformed JSON body, by an anonymous
client and by a logged-in case officer (who also reaches the admin).
"""
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern

from tests import factories
from tests import permits_factories as pf

# Plausible values by converter name; ids are added per run (they differ between runs).
PLAUSIBLE_BY_NAME = {
    "teryt": "026101_1", "kind": "trees", "layer": "parcels", "fmt": "csv",
    "action": "close", "path": "service", "parcel_id": "026101_1.0001.77/1",
    "app_label": "permits", "url": "x", "token": "abc", "grid": "pl1992",
}
HOSTILE = {
    IntConverter: ["0", "9" * 25],
    StringConverter: ["%00", "x" * 300, "%27%22%3Cscript%3E"],
    SlugConverter: ["-", "a" * 300],
    PathConverter: ["../../etc/passwd", "%00/x", "a/" * 60],
}
QUERIES = [
    {},
    {"q": "abc\x00def"},
    {"page": "-1", "p": "abc", "limit": "abc", "offset": "-5", "o": "x", "format": "json",
     "year": "abc", "ordering": "??", "sort": "-", "category": "<x>", "status": "x"},
    {"bbox": "a,b,c,d", "x": "abc", "y": "1e999", "lon": "nan", "lat": "inf", "srid": "abc",
     "z": "-1", "point": "POINT(", "geometry": "{", "parcels": "a,,b", "id": "9" * 25,
     "pk": "9" * 25, "unit": "9" * 25, "version": "x"},
    {"q": "ą" * 4000, "next": "//evil.example.com/", "lang": "xx"},
]
BODIES = [
    ("form", {"version": "abc", "action": "x" * 50, "text": "\x01\x02", "parcels": "?",
              "purpose": "[]", "year": "-9", "form-TOTAL_FORMS": "3"}),
    ("json", '{"kind": ["trees"], "parcels": {"a": 1}, "version": "x", "content": 5'),
]
ALLOWED_5XX = {501}  # an OGC operation the service does not offer (OWS Common)
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Probe:
    path: str
    name: str  # the pattern, for the report


def _patterns(patterns, prefix=()) -> Iterator[tuple[tuple, URLPattern]]:
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from _patterns(item.url_patterns, (*prefix, item.pattern))
        else:
            yield (*prefix, item.pattern), item


def _route_parts(pattern, values: dict) -> list[list[str]] | None:
    """Per piece of the pattern: the plausible string and the hostile variants."""
    if isinstance(pattern, RegexPattern):
        text = pattern._regex.lstrip("^").rstrip("$").replace("\\", "")
        return [[_GROUP.sub(lambda m: values.get(m.group("name"), "x"), text)]]
    route, parts = str(pattern._route), []
    for piece in re.split(r"(<[^>]+>)", route):
        match = re.fullmatch(r"<(?:(\w+):)?(\w+)>", piece)
        if match is None:
            parts.append([piece])
            continue
        converter = pattern.converters[match.group(2)]
        plausible = values.get(match.group(2), "1" if isinstance(converter, IntConverter)
                               else "x")
        parts.append([plausible, *HOSTILE.get(type(converter), [])])
    return parts


def probes(values: dict) -> Iterator[tuple[Probe, bool]]:
    """(probe, plausible?) for every pattern: the plausible path, then each piece hostile."""
    for chain, pattern in _patterns(get_resolver().url_patterns):
        pieces = [piece for part in chain for piece in _route_parts(part, values)]
        name = "".join(str(part) for part in chain)
        plausible = "/" + "".join(options[0] for options in pieces)
        yield Probe(plausible, name), _resolves_to(plausible, pattern)
        for index, options in enumerate(pieces):
            for hostile in options[1:]:
                path = "/" + "".join(hostile if i == index else o[0]
                                     for i, o in enumerate(pieces))
                yield Probe(path, name), False


def _resolves_to(path: str, pattern: URLPattern) -> bool:
    try:
        return resolve(path).func == pattern.callback
    except Resolver404:
        return False


@pytest.fixture
def world(db, map_services, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    unit, parcel, resident, officer = pf.world()
    officer.is_staff = True
    officer.save()
    draft = pf.draft(resident, [parcel])
    submitted = pf.submitted(factories.user("applicant2"), [parcel])
    plan = factories.zoning_plan("local", "MPZP-1", u=unit, valid_from="2020-01-01",
                                 legal_status="prawnie wiążący lub realizowany",
                                 geom=factories.box(318_000, 386_000, 318_100, 386_100))
    return {"unit": unit, "resident": resident, "officer": officer,
            "ids": {"pk": str(submitted.pk), "att": "1", "object_id": str(draft.pk),
                    "z": "14", "x": "9000", "y": "5000", "plan_id": str(plan.pk)}}


def _failures(client, values: dict) -> list[str]:
    failures = []
    for probe, plausible in probes(values):
        answers = [("GET", {}, client.get(probe.path))]
        if plausible:
            answers += [("GET", query, client.get(probe.path, query)) for query in QUERIES[1:]]
            answers += [("POST", body[0], client.post(probe.path, body[1])
                         if body[0] == "form" else
                         client.post(probe.path, body[1], content_type="application/json"))
                        for body in BODIES]
        failures += [f"{method} {probe.path} {extra!s:.80} -> {response.status_code} "
                     f"({probe.name})" for method, extra, response in answers
                     if response.status_code >= 500
                     and response.status_code not in ALLOWED_5XX]
    return failures


@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_no_url_answers_500_to_plausible_or_hostile_input(client, world, who):
    # given every URL pattern filled with plausible and hostile values
    values = {**PLAUSIBLE_BY_NAME, **world["ids"], "teryt": world["unit"].teryt}
    client.raise_request_exception = False  # a crash is reported with the others
    if who == "officer":
        client.force_login(world["officer"])

    # when each is asked, with malformed parameters and bodies where it resolves
    failures = _failures(client, values)

    # then none answered with a server error
    assert failures == []


def test_the_fuzz_covers_every_pattern_including_ones_added_later():
    # given the resolver's patterns
    total = sum(1 for _ in _patterns(get_resolver().url_patterns))

    # when the probes are built, then every pattern has at least its plausible probe
    names = {probe.name for probe, _ in probes(PLAUSIBLE_BY_NAME)}
    assert len(names) == len({"".join(str(p) for p in chain)
                              for chain, _ in _patterns(get_resolver().url_patterns)})
    assert total > 100

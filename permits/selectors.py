"""Reads of the permits app: what a unit offers, queues, a resident's cases, review facts."""
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.gis.db.models import Union
from django.contrib.gis.measure import D
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadastre_sync.models import OwnershipShare, Parcel
from core.errors import InvalidInput, NotFound
from core.templatetags.present import parcel_text
from layers.registry import layer_named

from . import kinds
from .access import officer_units, visible_applications
from .models import Application, KindSetting
from .workflow import OPEN_STATES, transition

NEARBY_M = 100
# Registry layers that, where loaded, mean another authority decides (art. 83a ust. 1:
# the voivodeship monuments conservator for a registered monument) or special rules apply.
PROTECTION_LAYERS = {
    "monument_register": "monument register",
    "protected_areas": "protected area",
}


@dataclass(frozen=True)
class OfferedKind:
    code: str
    title: str
    description: str
    url: str


def offered_kinds(unit, parcels) -> list[OfferedKind]:
    """The kinds `unit` has switched on, each with the URL of its form for `parcels`
    (Parcel rows or idDzialki strings) pre-filled. For the map's parcel card."""
    if unit is None:
        return []
    ids = [p.parcel_id if isinstance(p, Parcel) else str(p) for p in parcels]
    enabled = set(KindSetting.objects.filter(unit=unit, enabled=True)
                  .values_list("kind", flat=True))
    query = urlencode({"parcels": ",".join(ids)}) if ids else ""
    return [OfferedKind(k.code, str(k.title), str(k.description),
                        reverse("permits:new", kwargs={"kind": k.code})
                        + (f"?{query}" if query else ""))
            for k in kinds.all_kinds() if k.code in enabled]


def parcels_from_ids(ids: list[str]) -> list[Parcel]:
    """Current parcels by idDzialki, in the order given; an unknown id is an error naming it."""
    found = {p.parcel_id: p for p in Parcel.objects.select_related("unit", "precinct").filter(
        parcel_id__in=ids, retired_at__isnull=True)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(_("There is no parcel %(id)s in the cadastre.") % {"id": missing[0]},
                       detail={"parcel": missing[0]})
    return [found[i] for i in dict.fromkeys(ids)]


def application_get(*, user, pk: int) -> Application:
    """An application the user may see; anything else is 'not found' (no existence leak)."""
    app = (visible_applications(user).select_related("unit", "applicant")
           .filter(pk=pk).first())
    if app is None:
        raise NotFound(detail={"application": pk})
    return app


def my_applications(*, user) -> QuerySet[Application]:
    return (Application.objects.filter(applicant=user).select_related("unit")
            .prefetch_related("parcel_links__parcel__precinct").order_by("-created_at"))


def officer_queue(*, user, unit=None, kind: str = "", state: str = "", due: str = "",
                  today: date | None = None) -> QuerySet[Application]:
    """Submitted applications of the user's units; `due`: 'overdue', 'week' or ''."""
    today = today or timezone.localdate()
    qs = (Application.objects.filter(unit__in=officer_units(user, "view"))
          .exclude(state="draft").select_related("unit", "applicant")
          .prefetch_related("parcel_links__parcel__precinct"))
    if unit is not None:
        qs = qs.filter(unit=unit)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if due == "overdue":
        qs = qs.filter(deadline__lt=today, state__in=OPEN_STATES)
    elif due == "week":
        qs = qs.filter(deadline__gte=today, deadline__lte=today + timezone.timedelta(days=7),
                       state__in=OPEN_STATES)
    return qs.order_by("deadline", "submitted_at")


def is_overdue(app: Application, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(app.deadline and app.deadline < today and app.state in OPEN_STATES)


@dataclass(frozen=True)
class Extension:
    """A notice of a delay (KPA art. 36 § 1) as the case page shows it."""

    deadline: date
    previous: date
    reason: str
    at: datetime


def deadline_extension(app: Application) -> Extension | None:
    """The case's latest notice of a delay (KPA art. 36 § 1), when the term it set still
    runs: its new term, previous term and reason, for the applicant and the officer."""
    event = app.events.filter(action="extend_deadline").order_by("-at", "-pk").first()
    if event is None or app.deadline is None or \
            event.data.get("deadline") != app.deadline.isoformat():
        return None
    return Extension(app.deadline, date.fromisoformat(event.data["previous_deadline"]),
                     event.reason, event.at)


def is_extendable(app: Application) -> bool:
    """An open case with a running term can be given a later one by an art. 36 notice."""
    return app.deadline is not None and app.state in OPEN_STATES


def nearby_open_cases(app: Application, metres: int = NEARBY_M) -> list[Application]:
    """Other open cases of the unit with a parcel within `metres` of this case's parcels."""
    around = Parcel.objects.filter(pk__in=app.parcel_links.values("parcel_id")).aggregate(
        g=Union("geom"))["g"]
    if around is None:
        return []
    return list(Application.objects.filter(
        state__in=OPEN_STATES, unit=app.unit,
        parcel_links__parcel__geom__dwithin=(around, D(m=metres)))
        .exclude(pk=app.pk).distinct().order_by("submitted_at"))


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str  # "warning" | "info"
    message: str


def _owner_names(parcel: Parcel) -> set[str]:
    shares = OwnershipShare.objects.filter(register_unit__parcels=parcel).select_related(
        "owner", "spouse")
    names = set()
    for share in shares:
        for person in (share.owner, share.spouse):
            if person is not None:
                names.add(_norm(f"{person.first_name} {person.surname}" if person.kind ==
                                "person" else person.name))
    return names


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def unacknowledged_warnings(app: Application, *, action: str,
                            acknowledged: Iterable[str]) -> list[Flag]:
    """A decision is taken only with every warning of the automatic checks acknowledged
    (by its code: the page's decision form asks for each, the API takes `acknowledge`);
    the warnings not acknowledged, none for an action that decides nothing."""
    row = transition(action)
    if row is None or not row.needs_outcome:
        return []
    given = set(acknowledged)
    return [f for f in review_flags(app) if f.severity == "warning" and f.code not in given]


def unacknowledged_refusal(flags: list[Flag]) -> InvalidInput:
    return InvalidInput(_("Before deciding, confirm that you have considered: %(flags)s") % {
        "flags": " ".join(str(f.message) for f in flags)},
        detail={"acknowledge": [f.code for f in flags]})


def review_flags(app: Application) -> list[Flag]:
    flags: list[Flag] = []
    applicant = _norm(app.payload.get("applicant_name", "")
                      or (app.applicant.get_full_name() if app.applicant else ""))
    kind = kinds.get(app.kind)
    for link in app.parcel_links.select_related("parcel__precinct"):
        if kind is not None and not kind.owner_consent:
            break
        if applicant not in _owner_names(link.parcel):
            flags.append(Flag("not_owner", "warning", _(
                "The applicant is not named among the owners of parcel %(id)s in the cadastre: "
                "the owner's consent is needed.") % {"id": parcel_text(link.parcel)}))
    flags.extend(_protection_flags(app))
    same = (Application.objects.filter(state__in=OPEN_STATES, parcel_links__parcel__in=
                                       app.parcel_links.values("parcel"))
            .exclude(pk=app.pk).distinct())
    for other in same:
        flags.append(Flag("open_case_same_parcel", "warning", _(
            "Another open case on the same parcel: %(case)s.") % {
            "case": other.case_number or other.pk}))
    return flags


def _protection_flags(app: Application) -> list[Flag]:
    flags = []
    loaded = {name: layer_named(name) for name in PROTECTION_LAYERS}
    for name, layer in loaded.items():
        if layer is None:
            continue
        sql = layer.sql.replace("!BOX!", "ST_Envelope(p.geom)")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM cadastre_sync_parcel p JOIN ({sql}) t "  # noqa: S608 - registry
                "ON ST_Intersects(t.geom, p.geom) WHERE p.id = ANY(%s) LIMIT 1",
                [list(app.parcel_links.values_list("parcel_id", flat=True))])
            if cursor.fetchone():
                flags.append(Flag(name, "warning", _(
                    "The parcel lies in a %(what)s: another authority may decide.") % {
                    "what": PROTECTION_LAYERS[name]}))
    if not any(loaded.values()):
        flags.append(Flag("no_protection_layer", "info", _(
            "No protected-area or monument-register layer is loaded on this portal: check "
            "the registers yourself (the voivodeship monuments conservator decides for a "
            "registered monument).")))
    return flags


def map_features(app: Application, srid: int = 4326) -> dict[str, Any]:
    """GeoJSON of the case's parcels and of the kind's own features (Kind.map_features, e.g.
    the trees and shrub groups), each a FeatureCollection (EPSG:4326 as RFC 7946 wants; the
    pages' maps ask for EPSG:2180, their projection)."""
    parcels = [{"type": "Feature", "geometry": geojson(link.parcel.geom, srid),
                "properties": {"id": link.parcel_ident}}
               for link in app.parcel_links.select_related("parcel")]
    kind = kinds.get(app.kind)
    own = kind.map_features(app, srid) if kind is not None and kind.map_features else {}
    return {"parcels": feature_collection(parcels), **own}


def feature_collection(features: list[dict]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def geojson(geom, srid: int = 4326) -> dict:
    return json.loads(geom.transform(srid, clone=True).geojson if geom.srid != srid
                      else geom.geojson)



def fee_rates_in_force(on, units) -> list:
    """The tree and shrub fee rates for the officer's list of rules in force: the
    regulation's (Dz.U. 2017 poz. 1330, figures from the domain notes, not re-read) and the
    councils' own (art. 85 ust. 4a) of `units`."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from core.rules import RuleRow

    from .trees.models import FeeRate

    rows = (FeeRate.objects.filter(Q(unit__isnull=True) | Q(unit__in=units))
            .select_related("unit").order_by("subject", "group", "band_from"))
    return [RuleRow(str(_("permits")), str(_("%(subject)s fee, group %(group)s, from "
                                               "%(band)s") % {
        "subject": row.get_subject_display(), "group": row.group, "band": row.band_from}),
        str(row.rate), str(row.unit) if row.unit_id else str(_("every unit")), None, None,
        row.source, False, f"/admin/permits/feerate/{row.pk}/change/") for row in rows]

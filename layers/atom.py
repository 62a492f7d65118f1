"""The APP data set's download service: INSPIRE ATOM feeds and the GML files.

- `/atom/` is the download service feed: one entry per published plan (each plan is a
  data set), with its IIP identifier (`inspire_dls:spatial_dataset_identifier_code` and
  `_namespace`), its extent (`georss:polygon`, WGS 84 latitude first), the coordinate
  systems it is offered in and a link to its data set feed;
- `/atom/plans/<id>/` is the data set feed: the plan's metadata (type, status, dates,
  gmina) and one entry per APP schema version and coordinate system linking to the file;
- `/atom/plans/<id>/app.gml?crs=<EPSG code>&version=<2.0|3.0>` is the plan as APP GML
  (layers.app_export), 2.0 unless 3.0 is asked for;
- `/atom/plans/<id>/metadata.xml` is the data set's ISO 19139 metadata record
  (layers.app_metadata), linked from both feeds (`rel=describedby`);
- `/atom/opensearch.xml` is the OpenSearch description the service feed links (`rel=search`),
  as the INSPIRE technical guidance for ATOM download services asks: its templates lead to
  `/atom/search/`, which answers the three operations: Search (`q`), Describe Spatial
  Dataset (a data set's `spatial_dataset_identifier_code` and `_namespace`: its data set
  feed) and Get Spatial Dataset (the same with `crs`: the file).

Which plans: those the APP data set publishes (layers.app_export.app_plans_published) whose
zone layer the one access policy opens to the user (layers.access): a plan of a closed
layer is missing from the feed and answers 401/403 when asked for directly, a plan of a
restricted one only for the users of its unit. Both zone layers are public today.
"""
from datetime import UTC

from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from lxml import etree

from core.errors import GeoPortalError, InvalidInput, NotFound

from .access import layer_scope_named
from .app_export import (
    APP_VERSIONS,
    CRS_ALLOWED,
    MEDIA_TYPE,
    app_plan_gml,
    app_plans_published,
    pl2000_zone,
    plan_identity,
)
from .app_metadata import MEDIA_TYPE as METADATA_TYPE
from .app_metadata import plan_metadata
from .features import _json_error
from .models import SRID, ZoningPlan

ATOM = "http://www.w3.org/2005/Atom"
GEORSS = "http://www.georss.org/georss"
DLS = "http://inspire.ec.europa.eu/schemas/inspire_dls/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_TYPE = "application/atom+xml"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
# The files each data set feed lists, newest schema first.
VERSIONS = ("3.0", "2.0")
# The zone layer whose access opens a plan of each kind.
ZONE_LAYERS = {ZoningPlan.GENERAL: "general_zones", ZoningPlan.LOCAL: "local_zones"}
_KIND_TITLES = {ZoningPlan.GENERAL: "plan ogólny gminy",
                ZoningPlan.LOCAL: "miejscowy plan zagospodarowania przestrzennego"}
_RIGHTS = ("Dane zbioru APP są informacją publiczną udostępnianą bez opłat "
           "(art. 67a ustawy o planowaniu i zagospodarowaniu przestrzennym).")


def _crs_label(srid: int) -> str:
    if srid == SRID:
        return "PL-1992 (EPSG:2180)"
    return f"PL-2000 strefa {srid - 2171} (EPSG:{srid})"


def _crs_uri(srid: int) -> str:
    return f"http://www.opengis.net/def/crs/EPSG/0/{srid}"


# --- Which plans ---------------------------------------------------------------------------

def plans_visible(user):
    """The published plans `user` may see, by the access of each kind's zone layer."""
    visible = Q(pk__in=[])
    for kind, layer in ZONE_LAYERS.items():
        scope = layer_scope_named(user, layer)
        if scope is None or not scope.allowed:
            continue
        allowed = Q(kind=kind)
        if scope.unit_ids is not None:
            allowed &= Q(unit_id__in=scope.unit_ids)
        visible |= allowed
    return app_plans_published().filter(visible)


def plan_visible(user, plan_id: int) -> ZoningPlan:
    """The published plan `plan_id`; NotFound for a plan not published or not there (or of
    a unit the user's restricted access does not reach), 401/403 for a closed layer."""
    plan = app_plans_published().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(detail={"plan": plan_id})
    scope = layer_scope_named(user, ZONE_LAYERS[plan.kind])
    scope.ensure()
    if scope.unit_ids is not None and plan.unit_id not in scope.unit_ids:
        raise NotFound(detail={"plan": plan_id})
    return plan


def _version_param(raw: str | None) -> str:
    if not raw:
        return "2.0"
    if raw in APP_VERSIONS:
        return raw
    raise InvalidInput(detail={"version": raw[:20], "allowed": ", ".join(APP_VERSIONS)})


def _crs_param(raw: str | None, plan: ZoningPlan) -> int:
    if not raw:
        return pl2000_zone(plan)
    code = raw.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if code.isdigit() and int(code) in CRS_ALLOWED:
        return int(code)
    raise InvalidInput(detail={"crs": raw[:100],
                               "allowed": ", ".join(f"EPSG:{c}" for c in CRS_ALLOWED)})


# --- Feeds --------------------------------------------------------------------------------

def service_feed(request: HttpRequest, plans, self_url: str | None = None) -> bytes:
    self_url = self_url or request.build_absolute_uri(reverse("atom"))
    feed = _feed(self_url, "Akty planowania przestrzennego (APP) – usługa pobierania",
                 "Zbiory danych przestrzennych APP gmin obsługiwanych w portalu: plany ogólne "
                 "i miejscowe plany zagospodarowania przestrzennego w GML (schemat APP 3.0 "
                 "i 2.0).",
                 plans.aggregate(last=Max("version_started"))["last"])
    _link(feed, request.build_absolute_uri(reverse("atom-opensearch")), "search",
          OPENSEARCH_TYPE, "Wyszukiwanie zbiorów danych (OpenSearch)")
    for plan in plans:
        identity = plan_identity(plan)
        dataset_url = request.build_absolute_uri(reverse("atom-plan", args=[plan.pk]))
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        _sub(entry, f"{{{DLS}}}spatial_dataset_identifier_code", identity.local_id)
        _sub(entry, f"{{{DLS}}}spatial_dataset_identifier_namespace", identity.namespace)
        _sub(entry, "id", dataset_url)
        _sub(entry, "title", f"{plan.name} ({plan.unit.name})")
        _sub(entry, "summary", _summary(plan))
        _link(entry, dataset_url, "alternate", FEED_TYPE, "Kanał zbioru danych")
        _link(entry, request.build_absolute_uri(reverse("atom-plan-metadata", args=[plan.pk])),
              "describedby", METADATA_TYPE, "Metadane zbioru danych (ISO 19139)")
        for version in VERSIONS:
            _link(entry, APP_VERSIONS[version][1], "describedby", "application/xml",
                  f"Schemat aplikacyjny APP {version}")
        _sub(entry, "updated", _stamp(identity.started))
        _extent(entry, plan)
        for srid in _offered(plan):
            etree.SubElement(entry, f"{{{ATOM}}}category", term=_crs_uri(srid),
                             label=_crs_label(srid))
    return _bytes(feed)


def dataset_feed(request: HttpRequest, plan: ZoningPlan) -> bytes:
    identity = plan_identity(plan)
    self_url = request.build_absolute_uri(reverse("atom-plan", args=[plan.pk]))
    feed = _feed(self_url, plan.name, _summary(plan), identity.started)
    _link(feed, request.build_absolute_uri(reverse("atom")), "up", FEED_TYPE,
          "Kanał usługi pobierania")
    _link(feed, request.build_absolute_uri(reverse("atom-plan-metadata", args=[plan.pk])),
          "describedby", METADATA_TYPE, "Metadane zbioru danych (ISO 19139)")
    for version in VERSIONS:
        _link(feed, APP_VERSIONS[version][1], "describedby", "application/xml",
              f"Schemat aplikacyjny APP {version}")
    layer = ZONE_LAYERS[plan.kind]
    _link(feed, request.build_absolute_uri(
        f"{reverse('layers:mapproxy-root')}service?SERVICE=WMS&REQUEST=GetCapabilities"),
          "related", "application/xml", f"Usługa przeglądania WMS (warstwa {layer})")
    for version, srid in ((v, c) for v in VERSIONS for c in _offered(plan)):
        url = request.build_absolute_uri(
            f"{reverse('atom-plan-gml', args=[plan.pk])}?crs=EPSG:{srid}&version={version}")
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        _sub(entry, "title", f"{plan.name} – GML APP {version}, {_crs_label(srid)}")
        _link(entry, url, "alternate", MEDIA_TYPE,
              f"Plik GML (APP {version}) w układzie {_crs_label(srid)}")
        _link(entry, APP_VERSIONS[version][1], "describedby", "application/xml",
              f"Schemat aplikacyjny APP {version}")
        _sub(entry, "id", url)
        _sub(entry, "updated", _stamp(identity.started))
        etree.SubElement(entry, f"{{{ATOM}}}category", term=_crs_uri(srid),
                         label=_crs_label(srid))
        _extent(entry, plan)
    return _bytes(feed)


def _feed(self_url: str, title: str, subtitle: str, updated) -> etree._Element:
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "georss": GEORSS,
                                                   "inspire_dls": DLS})
    feed.set(XML_LANG, "pl")
    _sub(feed, "title", title)
    _sub(feed, "subtitle", subtitle)
    _link(feed, self_url, "self", FEED_TYPE, "Ten dokument")
    _sub(feed, "id", self_url)
    _sub(feed, "rights", _RIGHTS)
    _sub(feed, "updated", _stamp(updated or timezone.now()))
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    _sub(author, "name", "geo_portal")
    return feed


def _summary(plan: ZoningPlan) -> str:
    parts = [f"{_KIND_TITLES[plan.kind]}, {plan.unit.name} (TERYT {plan.unit.teryt[:6]})"]
    if plan.legal_status:
        parts.append(f"status: {plan.legal_status}")
    if plan.resolution_number:
        parts.append(f"uchwała {plan.resolution_number}")
    if plan.valid_from:
        parts.append(f"obowiązuje od {plan.valid_from.isoformat()}")
    if plan.valid_to:
        parts.append(f"obowiązuje do {plan.valid_to.isoformat()}")
    return "; ".join(parts) + "."


def _offered(plan: ZoningPlan) -> tuple[int, int]:
    return pl2000_zone(plan), SRID


def _extent(entry: etree._Element, plan: ZoningPlan) -> None:
    if plan.geom is None:
        return
    west, south, east, north = plan.geom.transform(4326, clone=True).extent
    ring = [(south, west), (north, west), (north, east), (south, east), (south, west)]
    _sub(entry, f"{{{GEORSS}}}polygon", " ".join(f"{lat:.6f} {lon:.6f}" for lat, lon in ring))


def _sub(parent: etree._Element, name: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, name if name.startswith("{") else f"{{{ATOM}}}{name}")
    element.text = text
    return element


def _link(parent: etree._Element, href: str, rel: str, media_type: str, title: str) -> None:
    etree.SubElement(parent, f"{{{ATOM}}}link", href=href, rel=rel, type=media_type,
                     hreflang="pl", title=title)


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bytes(feed: etree._Element) -> bytes:
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- Views --------------------------------------------------------------------------------

@require_GET
def atom_service(request: HttpRequest) -> HttpResponse:
    return HttpResponse(service_feed(request, plans_visible(request.user)),
                        content_type=f"{FEED_TYPE}; charset=utf-8")


def _of_plan(request: HttpRequest, plan_id: int, document, media_type: str) -> HttpResponse:
    """`document(request, plan)` of a plan the user may see, else the error as JSON."""
    try:
        plan = plan_visible(request.user, plan_id)
    except GeoPortalError as error:
        return _json_error(error)
    return HttpResponse(document(request, plan), content_type=f"{media_type}; charset=utf-8")


@require_GET
def atom_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _of_plan(request, plan_id, dataset_feed, FEED_TYPE)


@require_GET
def atom_plan_metadata(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _of_plan(request, plan_id, plan_metadata, METADATA_TYPE)


@require_GET
def atom_plan_gml(request: HttpRequest, plan_id: int) -> HttpResponse:
    try:
        plan = plan_visible(request.user, plan_id)
        return _gml_response(plan, request.GET)
    except GeoPortalError as error:
        return _json_error(error)


def _gml_response(plan: ZoningPlan, params: QueryDict) -> HttpResponse:
    srid = _crs_param(params.get("crs"), plan)
    version = _version_param(params.get("version"))
    body = app_plan_gml(plan=plan, srid=srid, version=version)
    identity = plan_identity(plan)
    name = (f"{identity.namespace}_{identity.local_id}_APP{version}_EPSG{srid}"
            .replace("/", "_"))
    response = HttpResponse(body, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.gml"'
    return response


# --- OpenSearch -----------------------------------------------------------------------------

def opensearch_description(request: HttpRequest, plans) -> bytes:
    """The OpenSearch description of the download service: the Search, Describe Spatial
    Dataset and Get Spatial Dataset templates, and an example query per data set and CRS."""
    search = request.build_absolute_uri(reverse("atom-search"))
    dataset = ("spatial_dataset_identifier_code={inspire_dls:spatial_dataset_identifier_code?}"
               "&spatial_dataset_identifier_namespace="
               "{inspire_dls:spatial_dataset_identifier_namespace?}")
    root = etree.Element(f"{{{OPENSEARCH}}}OpenSearchDescription",
                         nsmap={None: OPENSEARCH, "inspire_dls": DLS})
    _os(root, "ShortName", "APP – pobieranie")
    _os(root, "Description", "Wyszukiwanie i pobieranie zbiorów danych APP (planów ogólnych i "
                             "miejscowych planów zagospodarowania przestrzennego) gmin "
                             "obsługiwanych w portalu.")
    for href, rel, media_type in (
            (request.build_absolute_uri(reverse("atom-opensearch")), "self", OPENSEARCH_TYPE),
            (f"{search}?q={{searchTerms?}}&language={{language?}}", "results", FEED_TYPE),
            (f"{search}?{dataset}&language={{language?}}", "describedby", FEED_TYPE),
            (f"{search}?{dataset}&crs={{inspire_dls:crs?}}&language={{language?}}", "results",
             MEDIA_TYPE)):
        etree.SubElement(root, f"{{{OPENSEARCH}}}Url", type=media_type, rel=rel,
                         template=href)
    _os(root, "Tags", "APP planowanie przestrzenne plan ogólny MPZP INSPIRE")
    _os(root, "LongName", "Akty planowania przestrzennego (APP) – usługa pobierania INSPIRE")
    for plan in plans:
        identity = plan_identity(plan)
        for srid in _offered(plan):
            etree.SubElement(root, f"{{{OPENSEARCH}}}Query", {
                "role": "example",
                f"{{{DLS}}}spatial_dataset_identifier_namespace": identity.namespace,
                f"{{{DLS}}}spatial_dataset_identifier_code": identity.local_id,
                f"{{{DLS}}}crs": _crs_uri(srid), "language": "pl",
                "title": f"{plan.name}, {_crs_label(srid)}", "count": "1"})
    _os(root, "Developer", "geo_portal")
    _os(root, "Language", "pl")
    _os(root, "OutputEncoding", "UTF-8")
    _os(root, "InputEncoding", "UTF-8")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _os(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{OPENSEARCH}}}{name}").text = text


def _dataset_named(user, code: str, namespace: str) -> ZoningPlan:
    """The published plan whose IIP identifier is `namespace`/`code` (any namespace when
    none is given), under the same access as its feed: a plan of a closed layer answers
    401/403 as its feed does, one the user's units do not reach is not found."""
    refused: GeoPortalError | None = None
    for plan in app_plans_published().filter(
            Q(identifier=code) | Q(identifier__endswith=f"/{code}")):
        identity = plan_identity(plan)
        if identity.local_id != code or namespace not in ("", identity.namespace):
            continue
        try:
            return plan_visible(user, plan.pk)
        except GeoPortalError as error:
            refused = refused or error
    raise refused or NotFound(detail={"spatial_dataset_identifier_code": code[:120],
                                      "spatial_dataset_identifier_namespace": namespace[:120]})


@require_GET
def atom_opensearch(request: HttpRequest) -> HttpResponse:
    return HttpResponse(opensearch_description(request, plans_visible(request.user)),
                        content_type=f"{OPENSEARCH_TYPE}; charset=utf-8")


@require_GET
def atom_search(request: HttpRequest) -> HttpResponse:
    """Search (`q` over the plans' names, identifiers and gminy), Describe Spatial Dataset
    (code and namespace: the data set feed) and Get Spatial Dataset (and `crs`: the file).
    `language` may be given; the service answers in Polish, its one language."""
    params = request.GET
    code = params.get("spatial_dataset_identifier_code", "").strip()
    namespace = params.get("spatial_dataset_identifier_namespace", "").strip()
    try:
        if not code:
            if namespace or params.get("crs"):
                raise InvalidInput(detail={"spatial_dataset_identifier_code": "",
                                           "reason": "required with a namespace or crs"})
            plans = plans_visible(request.user)
            if terms := params.get("q", "").strip():
                for term in terms.split()[:10]:
                    plans = plans.filter(Q(name__icontains=term) | Q(identifier__icontains=term)
                                         | Q(unit__name__icontains=term)
                                         | Q(unit__teryt__startswith=term))
            return HttpResponse(service_feed(request, plans, request.build_absolute_uri()),
                                content_type=f"{FEED_TYPE}; charset=utf-8")
        plan = _dataset_named(request.user, code, namespace)
        if params.get("crs"):
            return _gml_response(plan, params)
        return HttpResponse(dataset_feed(request, plan),
                            content_type=f"{FEED_TYPE}; charset=utf-8")
    except GeoPortalError as error:
        return _json_error(error)

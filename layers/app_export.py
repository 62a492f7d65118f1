"""A zoning plan as the APP data set publishes it: GML 3.2 in the APP application schema,
2.0 (planowaniePrzestrzenne_2_0.xsd, the ministry's QGIS plugin's) or 3.0
(planowaniePrzestrzenne_3_0.xsd, what the Rejestr urbanistyczny serves since September
2026), one file per plan, wrapped as a WFS 2.0 feature collection as the ministry's own
files and the Register's are. The two differ, for what is written here, only in their
namespace and in 3.0 requiring the act's `obowiazujeOd`.

A general plan (plan ogólny) gives its act (`app:AktPlanowaniaPrzestrzennego`), its
planning zones (`app:StrefaPlanistyczna`) and its infill, downtown and social
infrastructure standards areas (`app:ObszarUzupelnieniaZabudowy`,
`app:ObszarZabudowySrodmiejskiej`, `app:ObszarStandardowDostepnosciInfrastrukturySpolecznej`
with its distances and areas), each with its stored legal nature (`charakterUstalenia`).
A local plan (MPZP) gives its act with its boundary only: APP has no feature type for a
local plan's designated areas (they stay on the WMS and in the WFS/OGC API `local_zones`).
Every plan gives its formal documents (`app:DokumentFormalny`: the resolutions to draw it
up and adopting it, ...) and its drawings (`app:RysunekAktuPlanowaniaPrzestrzennego`),
referred to from the act.

The layers/zoning_import reader takes these files back unchanged: the round trip is
tested. Coordinates are written in EPSG axis order (northing first), in the PL-2000 zone
of the plan by default (as the ministry's files) or in EPSG:2180, which the data is stored
in and which therefore round-trips to the last bit.
"""
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.contrib.gis.db.models.functions import Transform
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from core.errors import InvalidInput

from .errors import AppDataIncomplete
from .models import (
    REGULATION_NATURE_CHOICES,
    SRID,
    PlanArea,
    PlanDocument,
    PlanDrawing,
    ZoningPlan,
    ZoningZone,
)
from .zoning_import.app_gml import (
    APP,
    APP_3,
    GCO,
    GENERAL_PLAN_TYPE,
    GMD,
    STANDARDS,
    STANDARDS_REQUIRED,
    XLINK,
)
from .zoning_import.checks import PARAMETERS
from .zoning_symbols import CODE_LIST, GENERAL_PLAN_ZONES

GML = "http://www.opengis.net/gml/3.2"
WFS = "http://www.opengis.net/wfs/2.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The APP versions written: namespace and schema location.
APP_VERSIONS = {
    "2.0": (APP, "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0/"
                 "planowaniePrzestrzenne_2_0.xsd"),
    "3.0": (APP_3, "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/3.0/"
                   "planowaniePrzestrzenne_3_0.xsd"),
}
APP_XSD = APP_VERSIONS["2.0"][1]
MEDIA_TYPE = "application/gml+xml; version=3.2"
# The PL-2000 zones (EPSG:2176..2179) by central meridian 15, 18, 21, 24 degrees east,
# and the 1992 system the data is held in.
PL_2000 = (2176, 2177, 2178, 2179)
CRS_ALLOWED = (*PL_2000, SRID)

_OBJECTS = "https://www.gov.pl/zagospodarowanieprzestrzenne/app"
_CODES = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/"
_INSPIRE = "http://inspire.ec.europa.eu/codelist/"
# charakterUstalenia as the APP files (the ministry's plugin, the Register) write it
_REGULATION_NATURE = "https://inspire.ec.europa.eu/codelist/RegulationNatureValue/"
_NATURE_TITLES = {"generallyBinding": "ogólnie wiążące",
                  "bindingForDevelopers": "wiążące dla deweloperów",
                  "bindingOnlyForAuthorities": "wiążące tylko dla władz",
                  "definedInLegislation": "określone w prawodawstwie",
                  "nonBinding": "niewiążące"}
assert set(_NATURE_TITLES) == {code for code, _ in REGULATION_NATURE_CHOICES}
# The act's reference to a document of each role (dokumentUchwalajacy: at most one).
_ACT_DOCUMENT_ELEMENTS = (
    (PlanDocument.OTHER, "dokument"), (PlanDocument.INITIATING, "dokumentPrzystepujacy"),
    (PlanDocument.ADOPTING, "dokumentUchwalajacy"), (PlanDocument.AMENDING, "dokumentZmieniajacy"),
    (PlanDocument.REPEALING, "dokumentUchylajacy"),
    (PlanDocument.ANNULLING, "dokumentUniewazniajacy"))
_DATE_TYPES = {"creation": "utworzenie", "publication": "publikacja", "revision": "przegląd"}
_PLAN_TYPES = {
    ZoningPlan.GENERAL: (GENERAL_PLAN_TYPE, "plan ogólny gminy", "local", "lokalny"),
    ZoningPlan.LOCAL: ("miejscowyPlanZagospodarowaniaPrzestrzennego",
                       "miejscowy plan zagospodarowania przestrzennego",
                       "infraLocal", "sublokalny"),
}
# INSPIRE ProcessStepGeneralValue by the Polish title the APP files carry (the ministry's
# QGIS plugin's code list); "obowiązujący" is this portal's older word for legal force.
STATUS_CODES = {
    "w opracowaniu": "elaboration",
    "w trakcie przyjmowania": "adoption",
    "prawnie wiążący lub realizowany": "legalForce",
    "obowiązujący": "legalForce",
    "nieaktualny": "obsolete",
}
_STATUS_TITLES = {"elaboration": "w opracowaniu", "adoption": "w trakcie przyjmowania",
                  "legalForce": "prawnie wiążący lub realizowany", "obsolete": "nieaktualny"}
_AREA_TYPES = {PlanArea.INFILL: ("ObszarUzupelnieniaZabudowy", "OUZ"),
               PlanArea.DOWNTOWN: ("ObszarZabudowySrodmiejskiej", "OZS"),
               PlanArea.SOCIAL: ("ObszarStandardowDostepnosciInfrastrukturySpolecznej", "OSD")}
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9._-]")
_PROFILE_LINE = re.compile(r"^(Profil podstawowy|Profil dodatkowy): (.*)\.$")


@dataclass(frozen=True)
class PlanIdentity:
    namespace: str  # przestrzenNazw: the data set, e.g. PL.ZIPPZP.1234/121201-POG
    local_id: str  # lokalnyId of the act
    version: str  # wersjaId, e.g. 20241204T095812
    started: datetime

    @property
    def href(self) -> str:
        return f"{_OBJECTS}/AktPlanowaniaPrzestrzennego/{self.namespace}/{self.local_id}"


def app_plans_published(*, unit_ids: frozenset[int] | None = None, today: date | None = None):
    """Plans the APP data set publishes: every plan not yet out of force and not obsolete
    (drafts included: a plan's project is public), of `unit_ids` when given."""
    today = today or timezone.localdate()
    plans = (ZoningPlan.objects.select_related("unit")
             .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
             .exclude(legal_status="nieaktualny").order_by("unit__teryt", "kind", "identifier"))
    return plans if unit_ids is None else plans.filter(unit_id__in=unit_ids)


def plan_identity(plan: ZoningPlan) -> PlanIdentity:
    """The plan's IIP identifier: the data set namespace and local id its identifier was
    read from (`namespace/localId`); a plan identified otherwise (a local plan read from a
    shapefile) gets the gmina's MPZP data set namespace and its identifier as local id.
    The version is the one the plan was read with (poczatekWersjiObiektu)."""
    if "/" in plan.identifier:
        namespace, local_id = plan.identifier.rsplit("/", 1)
    else:
        kind = "POG" if plan.kind == ZoningPlan.GENERAL else "MPZP"
        namespace, local_id = f"PL.ZIPPZP/{plan.unit.teryt[:6]}-{kind}", plan.identifier
    started = plan.version_started or _midnight(plan.valid_from or plan.resolution_date)
    started = started.astimezone(UTC)
    return PlanIdentity(namespace, local_id, started.strftime("%Y%m%dT%H%M%S"), started)


def pl2000_zone(plan: ZoningPlan) -> int:
    """The PL-2000 zone (EPSG code) whose central meridian is nearest the plan's centre."""
    if plan.geom is None:
        return PL_2000[1]
    lon = plan.geom.centroid.transform(4326, clone=True).x
    return PL_2000[min(3, max(0, round((lon - 15) / 3)))]


def app_plan_gml(*, plan: ZoningPlan, srid: int | None = None, version: str = "2.0") -> bytes:
    """The plan as an APP GML file (UTF-8) of schema `version` ("2.0" or "3.0"), in `srid`
    (its PL-2000 zone by default)."""
    srid = srid or pl2000_zone(plan)
    if srid not in CRS_ALLOWED:
        raise InvalidInput(detail={"crs": srid, "allowed": ", ".join(map(str, CRS_ALLOWED))})
    if version not in APP_VERSIONS:
        raise InvalidInput(detail={"version": version[:20], "allowed": ", ".join(APP_VERSIONS)})
    identity = plan_identity(plan)
    writer = _Writer(plan, identity, srid, version)
    zones, areas = [], []
    if plan.kind == ZoningPlan.GENERAL:
        zones = list(ZoningZone.objects.filter(plan=plan).annotate(g=Transform("geom", srid))
                     .order_by("local_id"))
        areas = sorted(PlanArea.objects.filter(plan=plan, kind__in=_AREA_TYPES)
                       .annotate(g=Transform("geom", srid)),
                       key=lambda a: (list(_AREA_TYPES).index(a.kind), a.local_id))
    documents = list(PlanDocument.objects.filter(plan=plan).order_by("date", "local_id"))
    drawings = list(PlanDrawing.objects.filter(plan=plan).order_by("local_id"))
    writer.act(zones, areas, documents, drawings)
    for zone in zones:
        writer.zone(zone)
    for n, area in enumerate(areas, start=1):
        writer.area(area, n)
    for document in documents:
        writer.formal_document(document)
    for drawing in drawings:
        writer.drawing(drawing)
    return writer.document()


class _Writer:
    def __init__(self, plan: ZoningPlan, identity: PlanIdentity, srid: int,
                 version: str = "2.0") -> None:
        self.plan, self.identity, self.srid, self.version = plan, identity, srid, version
        self.app, xsd = APP_VERSIONS[version]
        self.srs_name = f"http://www.opengis.net/def/crs/EPSG/0/{srid}"
        self.root = etree.Element(
            f"{{{WFS}}}FeatureCollection",
            nsmap={"app": self.app, "gml": GML, "gmd": GMD, "gco": GCO, "wfs": WFS,
                   "xlink": XLINK, "xsi": XSI},
            timeStamp=timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            numberMatched="unknown", numberReturned="0")
        self.root.set(f"{{{XSI}}}schemaLocation",
                      f"{self.app} {xsd} {GML} http://schemas.opengis.net/gml/3.2.1/gml.xsd "
                      f"{WFS} http://schemas.opengis.net/wfs/2.0/wfs.xsd")

    def document(self) -> bytes:
        self.root.set("numberReturned", str(len(self.root)))
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                              pretty_print=True)

    # --- features -------------------------------------------------------------------------

    def act(self, zones: list, areas: list, documents: list, drawings: list) -> None:
        plan, ident = self.plan, self.identity
        feature = self._feature("AktPlanowaniaPrzestrzennego", ident.local_id)
        self._text(feature, "poczatekWersjiObiektu", _datetime(ident.started))
        self._text(feature, "tytul", plan.name)
        code, title, level, level_title = _PLAN_TYPES[plan.kind]
        self._ref(feature, "typPlanu", f"{_CODES}TypAktuPlanowaniaPrzestrzennegoKod/{code}",
                  title)
        self._ref(feature, "poziomHierarchii", f"{_INSPIRE}LevelOfSpatialPlanValue/{level}",
                  level_title)
        # 3.0 requires the date this version binds from: a draft's is its version's day, as
        # the ministry's plugin writes it.
        self._date(feature, "obowiazujeOd", plan.valid_from or (
            ident.started.date() if self.version == "3.0" else None))
        self._date(feature, "obowiazujeDo", plan.valid_to)
        self._status(feature, plan.legal_status)
        holder = self._app(feature, "zasiegPrzestrzenny")
        if plan.geom is None:
            raise AppDataIncomplete(detail={"plan": plan.identifier,
                                            "missing": "zasiegPrzestrzenny"})
        boundary = plan.geom.transform(self.srid, clone=True)
        holder.append(self._multi_surface(boundary, f"{feature.get(_gml('id'))}-ZP"))
        for role, element in _ACT_DOCUMENT_ELEMENTS:
            of_role = [d for d in documents if d.role == role]
            for document in of_role[:1] if element == "dokumentUchwalajacy" else of_role:
                self._ref(feature, element, self._href("DokumentFormalny", document.local_id,
                                                       versioned=False), None)
        for drawing in drawings:
            self._ref(feature, "rysunek",
                      self._href("RysunekAktuPlanowaniaPrzestrzennego", drawing.local_id), None)
        for zone in zones:
            self._ref(feature, "wydzielenie", self._href("StrefaPlanistyczna", zone.local_id),
                      None)
        for area in areas:
            self._ref(feature, "regulacja", self._href(_AREA_TYPES[area.kind][0], area.local_id),
                      None)

    def zone(self, zone: ZoningZone) -> None:
        plan = self.plan
        feature = self._feature("StrefaPlanistyczna", zone.local_id)
        self._text(feature, "oznaczenie", zone.label)
        self._text(feature, "symbol", zone.symbol)
        self._text(feature, "poczatekWersjiObiektu", _datetime(self.identity.started))
        self._in_force(feature, zone.valid_from, zone.valid_to, zone.local_id)
        self._status(feature, zone.status or plan.legal_status)
        self._binding(feature, zone.regulation_nature)
        self._geometry(feature, zone.g, zone.local_id)
        self._ref(feature, "plan", self.identity.href, None)
        kind = GENERAL_PLAN_ZONES.get(zone.symbol)
        self._ref(feature, "nazwa", f"{CODE_LIST}{kind.code}" if kind else None,
                  zone.designation or (kind.name_pl if kind else None))
        profiles = zone.profiles or _profiles_from_text(zone.provisions)
        if not any(p["kind"] == "profilPodstawowy" for p in profiles):
            raise AppDataIncomplete(detail={"plan": plan.identifier, "zone": zone.local_id,
                                            "missing": "profilPodstawowy"})
        for kind_name in ("profilPodstawowy", "profilDodatkowy"):
            for profile in (p for p in profiles if p["kind"] == kind_name):
                self._ref(feature, kind_name, profile.get("href"), profile.get("title"))
        for parameter in PARAMETERS:
            value = getattr(zone, parameter.field)
            if value is None:
                continue
            element = self._text(feature, parameter.element, _decimal(value))
            if parameter.element == "maksWysokoscZabudowy":
                element.set("uom", "m")

    def area(self, area: PlanArea, number: int) -> None:
        element, symbol = _AREA_TYPES[area.kind]
        feature = self._feature(element, area.local_id)
        self._text(feature, "oznaczenie", area.label or f"{number}{symbol}")
        self._text(feature, "symbol", symbol)
        self._text(feature, "poczatekWersjiObiektu", _datetime(self.identity.started))
        self._in_force(feature, None, None, area.local_id)
        self._status(feature, self.plan.legal_status)
        self._binding(feature, area.regulation_nature)
        self._geometry(feature, area.g, area.local_id)
        self._ref(feature, "plan", self.identity.href, None)
        if area.kind == PlanArea.SOCIAL:
            missing = [name for name in STANDARDS_REQUIRED if name not in area.standards]
            if missing:
                raise AppDataIncomplete(detail={"plan": self.plan.identifier,
                                                "feature": area.local_id,
                                                "missing": ", ".join(missing)})
            for name in (n for n in STANDARDS if n in area.standards):
                standard = area.standards[name]
                element = self._text(feature, name, standard["value"])
                if standard.get("uom"):
                    element.set("uom", standard["uom"])

    def formal_document(self, document: PlanDocument) -> None:
        feature = self._feature("DokumentFormalny", document.local_id, versioned=False)
        self._text(feature, "tytul", document.title)
        for name, value in (("nazwaSkrocona", document.short_name),
                            ("numerIdentyfikacyjny", document.number),
                            ("organUstanawiajacy", document.issuer)):
            if value:
                self._text(feature, name, value)
        ci_date = etree.SubElement(self._app(feature, "data"), f"{{{GMD}}}CI_Date")
        etree.SubElement(etree.SubElement(ci_date, f"{{{GMD}}}date"),
                         f"{{{GCO}}}Date").text = document.date.isoformat()
        code = etree.SubElement(
            etree.SubElement(ci_date, f"{{{GMD}}}dateType"), f"{{{GMD}}}CI_DateTypeCode",
            codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"
                     "#CI_DateTypeCode",
            codeListValue=document.date_type)
        code.text = _DATE_TYPES.get(document.date_type, document.date_type)
        self._date(feature, "dataWejsciaWZycie", document.in_force_from)
        self._date(feature, "dataUchylenia", document.repealed_on)
        if document.detail_reference:
            self._text(feature, "szczegoloweOdniesienie", document.detail_reference)
        if document.official_journal:
            self._ref(feature, "dziennikUrzedowy", document.official_journal, None)
        for link in document.links:
            self._text(feature, "lacze", link)
        if document.role != PlanDocument.OTHER:
            self._ref(feature, document.role, self.identity.href, None)

    def drawing(self, drawing: PlanDrawing) -> None:
        feature = self._feature("RysunekAktuPlanowaniaPrzestrzennego", drawing.local_id)
        self._text(feature, "poczatekWersjiObiektu", _datetime(self.identity.started))
        self._text(feature, "tytul", drawing.title)
        self._text(feature, "lacze", drawing.url)
        if drawing.legend_url:
            self._text(feature, "legenda", drawing.legend_url)
        self._text(feature, "ukladOdniesieniaPrzestrzennego", drawing.crs)
        self._text(feature, "rozdzielczoscPrzestrzenna", str(drawing.resolution))
        if drawing.description:
            self._text(feature, "opis", drawing.description)
        self._date(feature, "obowiazujeOd", drawing.valid_from)
        self._date(feature, "obowiazujeDo", drawing.valid_to)
        self._ref(feature, "plan", self.identity.href, None)

    # --- pieces ---------------------------------------------------------------------------

    def _feature(self, name: str, local_id: str, *, versioned: bool = True) -> etree._Element:
        """A feature of type `name` with its identifiers; a formal document is not versioned
        (as the Register writes it: it is the same document in every version of the plan)."""
        ident = self.identity
        member = etree.SubElement(self.root, f"{{{WFS}}}member")
        suffix = f"_{ident.version}" if versioned else ""
        gml_id = _ncname(f"{ident.namespace}_{local_id}{suffix}")
        feature = etree.SubElement(member, f"{{{self.app}}}{name}", {_gml("id"): gml_id})
        identifier = etree.SubElement(feature, _gml("identifier"), codeSpace=_OBJECTS)
        identifier.text = self._href(name, local_id, versioned=versioned)
        iip = etree.SubElement(self._app(feature, "idIIP"), f"{{{self.app}}}Identyfikator")
        self._text(iip, "przestrzenNazw", ident.namespace)
        self._text(iip, "lokalnyId", local_id)
        if versioned:
            self._text(iip, "wersjaId", ident.version)
        return feature

    def _href(self, name: str, local_id: str, *, versioned: bool = True) -> str:
        ident = self.identity
        version = f"/{ident.version}" if versioned else ""
        return f"{_OBJECTS}/{name}/{ident.namespace}/{local_id}{version}"

    def _app(self, parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{self.app}}}{name}")

    def _text(self, parent: etree._Element, name: str, value: str) -> etree._Element:
        element = self._app(parent, name)
        element.text = value
        return element

    def _date(self, parent: etree._Element, name: str, value: date | None) -> None:
        if value is not None:
            self._text(parent, name, value.isoformat())

    def _ref(self, parent: etree._Element, name: str, href: str | None,
             title: str | None) -> None:
        element = self._app(parent, name)
        if href:
            element.set(f"{{{XLINK}}}href", href)
        if title:
            element.set(f"{{{XLINK}}}title", title)

    def _status(self, feature: etree._Element, title: str) -> None:
        code = STATUS_CODES.get(title.strip().lower())
        if code is None:
            raise AppDataIncomplete(detail={"plan": self.plan.identifier, "status": title,
                                            "allowed": ", ".join(sorted(STATUS_CODES))})
        self._ref(feature, "status", f"{_INSPIRE}ProcessStepGeneralValue/{code}",
                  title or _STATUS_TITLES[code])

    def _binding(self, feature: etree._Element, nature: str) -> None:
        self._ref(feature, "charakterUstalenia", f"{_REGULATION_NATURE}{nature}",
                  _NATURE_TITLES[nature])

    def _in_force(self, feature, valid_from: date | None, valid_to: date | None,
                  local_id: str) -> None:
        """obowiazujeOd is required of zones and areas: the zone's own date, else the plan's
        (which a re-import then reads as the zone's own)."""
        start = valid_from or self.plan.valid_from or self.plan.resolution_date
        if start is None:
            raise AppDataIncomplete(detail={"plan": self.plan.identifier, "feature": local_id,
                                            "missing": "obowiazujeOd"})
        self._date(feature, "obowiazujeOd", start)
        self._date(feature, "obowiazujeDo", valid_to)

    def _geometry(self, feature: etree._Element, geom, local_id: str) -> None:
        holder = self._app(feature, "geometria")
        gml_id = f"{feature.get(_gml('id'))}-G"
        if len(geom) == 1:
            holder.append(self._polygon(geom[0], gml_id, srs=True))
            return
        # A zone in several parts: one surface of several patches (SurfacePropertyType
        # takes no MultiSurface).
        surface = etree.Element(_gml("Surface"), {_gml("id"): gml_id,
                                                  "srsName": self.srs_name,
                                                  "srsDimension": "2"})
        patches = etree.SubElement(surface, _gml("patches"))
        for polygon in geom:
            patch = etree.SubElement(patches, _gml("PolygonPatch"))
            self._rings(patch, polygon)
        holder.append(surface)

    def _multi_surface(self, geom, gml_id: str) -> etree._Element:
        multi = etree.Element(_gml("MultiSurface"), {_gml("id"): gml_id,
                                                     "srsName": self.srs_name,
                                                     "srsDimension": "2"})
        for n, polygon in enumerate(geom, start=1):
            member = etree.SubElement(multi, _gml("surfaceMember"))
            member.append(self._polygon(polygon, f"{gml_id}-{n}", srs=False))
        return multi

    def _polygon(self, polygon, gml_id: str, *, srs: bool) -> etree._Element:
        attributes = {_gml("id"): gml_id}
        if srs:
            attributes.update(srsName=self.srs_name, srsDimension="2")
        element = etree.Element(_gml("Polygon"), attributes)
        self._rings(element, polygon)
        return element

    def _rings(self, parent: etree._Element, polygon) -> None:
        for n, ring in enumerate(polygon):
            boundary = etree.SubElement(parent, _gml("exterior" if n == 0 else "interior"))
            linear = etree.SubElement(boundary, _gml("LinearRing"))
            etree.SubElement(linear, _gml("posList")).text = self._pos_list(ring.coords)

    def _pos_list(self, coords) -> str:
        # EPSG axis order: northing first. In EPSG:2180 (as stored) every digit, so that
        # the file reads back to the same coordinates; in PL-2000 to the millimetre.
        if self.srid == SRID:
            return " ".join(f"{y!r} {x!r}" for x, y in coords)
        return " ".join(f"{y:.3f} {x:.3f}" for x, y in coords)


def _midnight(day: date | None) -> datetime:
    """A version's start for a plan written before versions were kept (rows of the demo
    data, or inserted directly): the day it binds from, else the epoch."""
    day = day or date(1970, 1, 1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _profiles_from_text(provisions: str) -> list[dict[str, str]]:
    """Profiles of a zone stored before they were kept apart, from the provisions text the
    reader wrote ("Profil podstawowy: a, b."): titles only."""
    profiles = []
    for line in provisions.splitlines():
        if match := _PROFILE_LINE.match(line.strip()):
            kind = "profilPodstawowy" if match.group(1).endswith("podstawowy") else (
                "profilDodatkowy")
            profiles += [{"kind": kind, "href": "", "title": t.strip()}
                         for t in match.group(2).split(", ") if t.strip()]
    return profiles


def _gml(name: str) -> str:
    return f"{{{GML}}}{name}"


def _ncname(text: str) -> str:
    name = _NOT_NCNAME.sub("_", text)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def _datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal(value) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"

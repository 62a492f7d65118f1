"""The general plan (plan ogólny) from APP GML, schema 2.0 or 3.0 (the Rejestr
urbanistyczny serves 3.0): the act, its planning zones and its areas.

One import takes the act (`app:AktPlanowaniaPrzestrzennego`, which gives the
identifier, title, status, dates and the boundary), the files of its zones
(`app:StrefaPlanistyczna`) and of its areas: infill areas
(`app:ObszarUzupelnieniaZabudowy`, where a WZ decision may be issued), downtown areas
(`app:ObszarZabudowySrodmiejskiej`) and social infrastructure standard areas
(`app:ObszarStandardowDostepnosciInfrastrukturySpolecznej`), with the legal nature of each
(`charakterUstalenia`), and the plan's formal documents (`app:DokumentFormalny`: the
resolutions to draw it up and adopting it, amendments, ...) and drawings
(`app:RysunekAktuPlanowaniaPrzestrzennego`). A feature is read in the namespace it is
written in; the 3.0 elements read are those 2.0 also has (no other 3.0 element is used).
Features of other APP types are skipped with a warning.
"""
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from ..zoning_symbols import GENERAL_PLAN_ZONES
from .checks import PARAMETERS
from .gml import GmlGeometryError, surface_wkb
from .parsed import ParsedArea, ParsedDocument, ParsedDrawing, ParsedPlan, ParsedZone, ReadResult
from .problems import Problem, zoning_problem

APP = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"
APP_3 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/3.0"
APP_NAMESPACES = frozenset({APP, APP_3})
XLINK = "http://www.w3.org/1999/xlink"
ACT, ZONE = "AktPlanowaniaPrzestrzennego", "StrefaPlanistyczna"
DOCUMENT, DRAWING = "DokumentFormalny", "RysunekAktuPlanowaniaPrzestrzennego"
GMD, GCO = "http://www.isotc211.org/2005/gmd", "http://www.isotc211.org/2005/gco"
# A document's references to the act (its own elements) and the act's references to its
# documents, by layers.models.PlanDocument role; the first a document carries is its role.
DOCUMENT_ROLES = {"przystapienie": "przystapienie", "uchwala": "uchwala", "zmienia": "zmienia",
                  "uchyla": "uchyla", "uniewaznia": "uniewaznia"}
ACT_DOCUMENT_ROLES = {"dokumentPrzystepujacy": "przystapienie",
                      "dokumentUchwalajacy": "uchwala", "dokumentZmieniajacy": "zmienia",
                      "dokumentUchylajacy": "uchyla", "dokumentUniewazniajacy": "uniewaznia",
                      "dokument": "dokument"}
# The standards of a social infrastructure standards area, in the schema's order: the
# flag, then the distances (m) and areas (ha); the first six are required.
STANDARDS = ("wylaczenieZabudowyZagrodowej", "odlegloscDoSzkolyPodstawowej",
             "odlegloscDoObszarowZieleniPublicznej", "powierzchniaLacznaObszarowZieleniPublicznej",
             "odlegloscDoObszaruZieleniPublicznej", "powierzchniaObszaruZieleniPublicznej",
             "odlegloscDoPrzedszkola", "odlegloscDoZlobka", "odlegloscDoAmbulatoriumPOZ",
             "odlegloscDoBiblioteki", "odlegloscDoDomuKultury",
             "odlegloscDoDomuPomocySpolecznej", "odlegloscDoUrzadzonegoTerenuSportu",
             "odlegloscDoPrzystanku", "odlegloscDoPlacowkiPocztowej", "odlegloscDoApteki",
             "odlegloscDoPosterunkuPolicji",
             "odlegloscDoPosterunkuJednostkiOchronyPrzeciwpozarowej")
STANDARDS_REQUIRED = STANDARDS[:6]
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")
REGULATION_NATURES = frozenset({"generallyBinding", "bindingForDevelopers",
                                "bindingOnlyForAuthorities", "definedInLegislation",
                                "nonBinding"})
# APP feature type -> layers.models.PlanArea kind
AREAS = {"ObszarUzupelnieniaZabudowy": "infill",
         "ObszarZabudowySrodmiejskiej": "downtown",
         "ObszarStandardowDostepnosciInfrastrukturySpolecznej": "social_standards"}
GENERAL_PLAN_TYPE = "planOgolnyGminy"
# The general plan is drawn at 1:10 000 (regulation on the general plan; the domain notes'
# figure, not re-read): the scale the plan's extracts are printed at.
GENERAL_PLAN_SCALE = 10_000
_MEMBERS = {"member", "featureMember", "featureMembers"}
# `PL.ZIPPZP.1234/121201-POG`: the data set of the general plan of gmina 121201.
_NAMESPACE_TERYT = re.compile(r"/(\d{6})-POG$")
# No DTDs, no entities, no network: a plan file is data, never instructions to the parser.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=True, remove_blank_text=True)


def _ns(element: etree._Element) -> str:
    """The `{namespace}` prefix of `element`'s children: the schema it is written in."""
    return "{" + (etree.QName(element).namespace or APP) + "}"


def read_general_plan(paths: list[Path], mapping: dict[str, str]) -> ReadResult:
    """Read the act, the zones and the areas from `paths`; `mapping` is not used here."""
    result = ReadResult()
    acts: list[ParsedPlan] = []
    zones: list[ParsedZone] = []
    areas: list[ParsedArea] = []
    papers: list = []  # documents and drawings
    for path in paths:
        _read_file(path, acts, zones, result.problems, areas, papers)
    plan = _one_act(acts, zones, result.problems, areas)
    if plan is not None:
        _attach_papers(plan, papers, result.problems)
        result.plans.append(plan)
    return result


def _read_file(path: Path, acts: list, zones: list, problems: list, areas: list,
               papers: list) -> None:
    try:
        root = etree.parse(str(path), _PARSER).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        problems.append(zoning_problem("unreadable_file", file=path.name,
                                       detail={"reason": str(exc)}))
        return
    skipped: Counter = Counter()
    found = 0
    for feature in _features(root):
        name = etree.QName(feature)
        if name.namespace in APP_NAMESPACES and name.localname == ACT:
            acts.append(_act(feature, path, problems))
        elif name.namespace in APP_NAMESPACES and name.localname == ZONE:
            zones.append(_zone(feature, path, problems))
        elif name.namespace in APP_NAMESPACES and name.localname in AREAS:
            areas.append(_area(feature, path, problems))
        elif name.namespace in APP_NAMESPACES and name.localname == DOCUMENT:
            papers.append(_document(feature, path, problems))
        elif name.namespace in APP_NAMESPACES and name.localname == DRAWING:
            papers.append(_drawing(feature, path, problems))
        else:
            skipped[name.localname] += 1
            continue
        found += 1
    if not found:
        problems.append(zoning_problem("no_features", file=path.name,
                                       detail={"expected": f"app:{ACT}, app:{ZONE}, "
                                               + ", ".join(f"app:{a}" for a in AREAS)}))
    if skipped:
        types = ", ".join(f"{name} ({count})" for name, count in sorted(skipped.items()))
        problems.append(zoning_problem("features_skipped", file=path.name, detail={"types": types}))


def _features(root: etree._Element):
    if etree.QName(root).localname in {ACT, ZONE, DOCUMENT, DRAWING, *AREAS}:
        yield root
        return
    for member in root:
        if isinstance(member.tag, str) and etree.QName(member).localname in _MEMBERS:
            yield from (child for child in member if isinstance(child.tag, str))


def _act(feature: etree._Element, path: Path, problems: list) -> ParsedPlan:
    namespace, local_id = _iip(feature, path, problems)
    plan = ParsedPlan(
        identifier=f"{namespace}/{local_id}", name=_text(feature, "tytul"), kind="general",
        file=path.name, line=feature.sourceline, namespace=namespace,
        plan_type=_href(feature, "typPlanu").rsplit("/", 1)[-1],
        legal_status=_title(feature, "status"), scale_denominator=GENERAL_PLAN_SCALE,
        valid_from=_date(feature, "obowiazujeOd", path, problems),
        valid_to=_date(feature, "obowiazujeDo", path, problems),
        version_started=_datetime(feature, "poczatekWersjiObiektu", path, problems),
    )
    if match := _NAMESPACE_TERYT.search(namespace):
        plan.teryt = match.group(1)
    if not plan.name:
        problems.append(_missing(feature, path, "tytul", local_id))
    plan.boundary, plan.srid = _geometry(feature, "zasiegPrzestrzenny", path, problems,
                                         local_id)
    for element in feature:
        role = ACT_DOCUMENT_ROLES.get(etree.QName(element).localname) if isinstance(
            element.tag, str) else None
        if role and (href := element.get(f"{{{XLINK}}}href")):
            plan.document_roles.setdefault(href.rstrip("/").rsplit("/", 1)[-1], role)
    return plan


def _zone(feature: etree._Element, path: Path, problems: list) -> ParsedZone:
    namespace, local_id = _iip(feature, path, problems)
    zone = ParsedZone(
        local_id=local_id, label=_text(feature, "oznaczenie"), symbol=_text(feature, "symbol"),
        file=path.name, line=feature.sourceline, namespace=namespace,
        kind_code=_href(feature, "nazwa").rsplit("/", 1)[-1], kind_title=_title(feature, "nazwa"),
        status=_title(feature, "status"), provisions=_profiles(feature),
        profiles=[{"kind": etree.QName(e).localname, "href": e.get(f"{{{XLINK}}}href") or "",
                   "title": e.get(f"{{{XLINK}}}title") or ""}
                  for e in feature if isinstance(e.tag, str)
                  and etree.QName(e).localname in {"profilPodstawowy", "profilDodatkowy"}],
        valid_from=_date(feature, "obowiazujeOd", path, problems, local_id),
        valid_to=_date(feature, "obowiazujeDo", path, problems, local_id),
        regulation_nature=_nature(feature, path, problems, local_id),
    )
    kind = GENERAL_PLAN_ZONES.get(zone.symbol)
    zone.designation = zone.kind_title or (kind.name_pl if kind else "")
    for required in ("oznaczenie", "symbol"):
        if not _text(feature, required):
            problems.append(_missing(feature, path, required, local_id))
    for parameter in PARAMETERS:
        values = [(e.text or "").strip()
                  for e in feature.findall(_ns(feature) + parameter.element)]
        if values:
            zone.parameters[parameter.field] = values
    zone.geometry, zone.srid = _geometry(feature, "geometria", path, problems, local_id)
    return zone


def _area(feature: etree._Element, path: Path, problems: list) -> ParsedArea:
    namespace, local_id = _iip(feature, path, problems)
    area = ParsedArea(local_id=local_id, kind=AREAS[etree.QName(feature).localname],
                      file=path.name, line=feature.sourceline, namespace=namespace,
                      regulation_nature=_nature(feature, path, problems, local_id),
                      label=_text(feature, "oznaczenie"))
    if area.kind == "social_standards":
        area.standards = _standards(feature, path, problems, local_id)
    area.geometry, area.srid = _geometry(feature, "geometria", path, problems, local_id)
    return area


def _document(feature: etree._Element, path: Path, problems: list) -> ParsedDocument:
    a = _ns(feature)
    namespace, local_id = _iip(feature, path, problems)
    role = next((DOCUMENT_ROLES[etree.QName(e).localname] for e in feature
                 if isinstance(e.tag, str) and etree.QName(e).localname in DOCUMENT_ROLES),
                "")
    ci_date = feature.find(f"{a}data/{{{GMD}}}CI_Date")
    raw_date = ""
    date_type = "creation"
    if ci_date is not None:
        raw_date = (ci_date.findtext(f"{{{GMD}}}date/{{{GCO}}}Date")
                    or ci_date.findtext(f"{{{GMD}}}date/{{{GCO}}}DateTime") or "").strip()
        code = ci_date.find(f"{{{GMD}}}dateType/{{{GMD}}}CI_DateTypeCode")
        date_type = (code.get("codeListValue") or "creation") if code is not None else "creation"
    document = ParsedDocument(
        local_id=local_id, role=role, title=_text(feature, "tytul"),
        date=_iso_date(raw_date, "data", feature, path, problems, local_id),
        file=path.name, line=feature.sourceline, namespace=namespace,
        short_name=_text(feature, "nazwaSkrocona"), number=_text(feature, "numerIdentyfikacyjny"),
        issuer=_text(feature, "organUstanawiajacy"), date_type=date_type,
        in_force_from=_date(feature, "dataWejsciaWZycie", path, problems, local_id),
        repealed_on=_date(feature, "dataUchylenia", path, problems, local_id),
        detail_reference=_text(feature, "szczegoloweOdniesienie"),
        official_journal=_href(feature, "dziennikUrzedowy"),
        links=[link for e in feature.findall(f"{a}lacze") if (link := (e.text or "").strip())],
    )
    for required, value in (("tytul", document.title), ("data", raw_date)):
        if not value:
            problems.append(_missing(feature, path, required, local_id))
    return document


def _drawing(feature: etree._Element, path: Path, problems: list) -> ParsedDrawing:
    namespace, local_id = _iip(feature, path, problems)
    raw_resolution = _text(feature, "rozdzielczoscPrzestrzenna")
    resolution = int(raw_resolution) if raw_resolution.isdigit() and int(raw_resolution) else None
    if raw_resolution and resolution is None:
        problems.append(zoning_problem("bad_value", file=path.name, line=feature.sourceline,
                                       zones=(local_id,), detail={
                                           "field": "rozdzielczoscPrzestrzenna",
                                           "value": raw_resolution,
                                           "reason": "oczekiwano mianownika skali (liczby "
                                                     "całkowitej dodatniej)"}))
    drawing = ParsedDrawing(
        local_id=local_id, title=_text(feature, "tytul"), url=_text(feature, "lacze"),
        crs=_text(feature, "ukladOdniesieniaPrzestrzennego"), resolution=resolution,
        valid_from=_date(feature, "obowiazujeOd", path, problems, local_id),
        valid_to=_date(feature, "obowiazujeDo", path, problems, local_id),
        file=path.name, line=feature.sourceline, namespace=namespace,
        legend_url=_text(feature, "legenda"), description=_text(feature, "opis"),
    )
    for required in ("tytul", "lacze", "ukladOdniesieniaPrzestrzennego",
                     "rozdzielczoscPrzestrzenna"):
        if not _text(feature, required):
            problems.append(_missing(feature, path, required, local_id))
    return drawing


def _attach_papers(plan: ParsedPlan, papers: list, problems: list) -> None:
    """The documents and drawings of `plan`'s data set go with it; a document's role is its
    own reference to the act, else the act's reference to it, else another document."""
    plan.papers_read = True
    for paper in papers:
        if paper.namespace != plan.namespace:
            problems.append(zoning_problem("zone_of_other_plan", file=paper.file,
                                           line=paper.line, zones=(paper.local_id,),
                                           detail={"namespace": paper.namespace,
                                                   "plan": plan.identifier}))
        elif isinstance(paper, ParsedDrawing):
            # APP 2.0 lets a drawing leave its date out (3.0 requires it): the act's then.
            paper.valid_from = paper.valid_from or plan.valid_from
            if paper.valid_from is None:
                problems.append(zoning_problem("missing_field", file=paper.file,
                                               line=paper.line, zones=(paper.local_id,),
                                               detail={"field": "obowiazujeOd"}))
            plan.drawings.append(paper)
        else:
            paper.role = paper.role or plan.document_roles.get(paper.local_id, "dokument")
            plan.documents.append(paper)


def _standards(feature: etree._Element, path: Path, problems: list,
               local_id: str) -> dict[str, dict[str, str]]:
    """The area's standards as written: the flag true or false, each measure a decimal
    with its unit; the six the schema requires must be there."""
    standards: dict[str, dict[str, str]] = {}
    for name in STANDARDS:
        element = feature.find(_ns(feature) + name)
        if element is None:
            if name in STANDARDS_REQUIRED:
                problems.append(_missing(feature, path, name, local_id))
            continue
        value = (element.text or "").strip()
        if name == STANDARDS[0]:
            ok, reason = value in {"true", "false", "1", "0"}, "oczekiwano true albo false"
            standards[name] = {"value": value}
        else:
            uom = (element.get("uom") or "").strip()
            ok = bool(_DECIMAL.match(value)) and bool(uom)
            reason = "oczekiwano liczby z jednostką (uom)"
            standards[name] = {"value": value, "uom": uom}
        if not ok:
            problems.append(zoning_problem("bad_value", file=path.name, line=feature.sourceline,
                                           zones=(local_id,), detail={
                                               "field": name, "value": value, "reason": reason}))
    return standards


def _nature(feature: etree._Element, path: Path, problems: list, local_id: str) -> str:
    """The charakterUstalenia code (the last segment of its href); the general plan's
    zones bind generally where a file leaves it out."""
    href = _href(feature, "charakterUstalenia")
    if not href:
        return "generallyBinding"
    code = href.rstrip("/").rsplit("/", 1)[-1]
    if code not in REGULATION_NATURES:
        problems.append(zoning_problem("bad_value", file=path.name, line=feature.sourceline,
                                       zones=(local_id,), detail={
                                           "field": "charakterUstalenia", "value": href,
                                           "reason": "oczekiwano wartości listy "
                                                     "RegulationNatureValue: "
                                                     + ", ".join(sorted(REGULATION_NATURES))}))
    return code


def _iip(feature: etree._Element, path: Path, problems: list) -> tuple[str, str]:
    a = _ns(feature)
    ident = feature.find(f"{a}idIIP/{a}Identyfikator")
    namespace = _text(ident, "przestrzenNazw") if ident is not None else ""
    local_id = _text(ident, "lokalnyId") if ident is not None else ""
    if not local_id:
        local_id = feature.get("{http://www.opengis.net/gml/3.2}id", "")
        problems.append(_missing(feature, path, "idIIP/lokalnyId", local_id))
    return namespace, local_id


def _geometry(feature, element: str, path: Path, problems: list, local_id: str):
    holder = feature.find(_ns(feature) + element)
    try:
        if holder is None:
            raise GmlGeometryError("missing_geometry")
        return surface_wkb(holder)
    except GmlGeometryError as exc:
        problems.append(zoning_problem(exc.code, file=path.name, line=feature.sourceline,
                                zones=(local_id,) if local_id else (), detail=exc.detail))
        return None, None


def _one_act(acts: list[ParsedPlan], zones: list[ParsedZone], problems: list,
             areas: list[ParsedArea] = ()):
    identifiers = sorted({act.identifier for act in acts})
    if len(identifiers) > 1:
        problems.append(zoning_problem(
            "several_acts", file=acts[1].file, line=acts[1].line,
            detail={"count": len(identifiers), "identifiers": ", ".join(identifiers)}))
        return None
    if not acts:
        if zones:
            namespaces = sorted({zone.namespace for zone in zones})
            problems.append(zoning_problem("missing_act", file=zones[0].file,
                                    detail={"namespace": ", ".join(namespaces)}))
        return None
    plan = acts[0]
    if plan.plan_type and plan.plan_type != GENERAL_PLAN_TYPE:
        problems.append(zoning_problem("not_general_plan", file=plan.file, line=plan.line,
                                detail={"type": plan.plan_type}))
    for zone in zones:
        if zone.namespace != plan.namespace:
            problems.append(zoning_problem("zone_of_other_plan", file=zone.file, line=zone.line,
                                    zones=(zone.local_id,),
                                    detail={"namespace": zone.namespace,
                                            "plan": plan.identifier}))
    for area in areas:
        if area.namespace != plan.namespace:
            problems.append(zoning_problem("zone_of_other_plan", file=area.file, line=area.line,
                                    zones=(area.local_id,),
                                    detail={"namespace": area.namespace,
                                            "plan": plan.identifier}))
    plan.zones = zones
    plan.areas = [a for a in areas if a.geometry is not None]
    return plan


def _text(element: etree._Element, name: str) -> str:
    found = element.find(_ns(element) + name)
    return (found.text or "").strip() if found is not None else ""


def _href(element: etree._Element, name: str) -> str:
    found = element.find(_ns(element) + name)
    return (found.get(f"{{{XLINK}}}href") or "").strip() if found is not None else ""


def _title(element: etree._Element, name: str) -> str:
    found = element.find(_ns(element) + name)
    return (found.get(f"{{{XLINK}}}title") or "").strip() if found is not None else ""


def _profiles(feature: etree._Element) -> str:
    lines = []
    for element, title in (("profilPodstawowy", "Profil podstawowy"),
                           ("profilDodatkowy", "Profil dodatkowy")):
        names = [e.get(f"{{{XLINK}}}title") or ""
                 for e in feature.findall(_ns(feature) + element)]
        if names:
            lines.append(f"{title}: {', '.join(n for n in names if n)}.")
    return "\n".join(lines)


def _date(feature, name: str, path: Path, problems: list, local_id: str = "") -> date | None:
    return _iso_date(_text(feature, name), name, feature, path, problems, local_id)


def _iso_date(raw: str, name: str, feature, path: Path, problems: list,
              local_id: str = "") -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        problems.append(zoning_problem("bad_value", file=path.name, line=feature.sourceline,
                                zones=(local_id,) if local_id else (),
                                detail={"field": name, "value": raw,
                                        "reason": "oczekiwano daty RRRR-MM-DD"}))
        return None


def _datetime(feature, name: str, path: Path, problems: list) -> datetime | None:
    raw = _text(feature, name)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        problems.append(zoning_problem("bad_value", file=path.name, line=feature.sourceline,
                                detail={"field": name, "value": raw, "reason":
                                        "oczekiwano daty i godziny RRRR-MM-DDTGG:MM:SSZ"}))
        return None


def _missing(feature, path: Path, name: str, local_id: str) -> Problem:
    return zoning_problem("missing_field", file=path.name, line=feature.sourceline,
                   zones=(local_id,) if local_id else (), detail={"field": name})

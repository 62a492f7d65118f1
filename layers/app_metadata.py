"""A plan's data set metadata as ISO 19139 (gmd), the record an INSPIRE ATOM feed links
from each data set (`rel="describedby"`, `application/vnd.iso.19139+xml`).

What the record says is what the portal holds of the plan: its title and IIP identifier
(code and namespace, as the feeds give them), the gmina responsible (its office's name and
e-mail where entered), the dates (the version's start, the adopting resolution's date where
entered), the INSPIRE theme (Zagospodarowanie przestrzenne, GEMET INSPIRE themes), the
extent in WGS 84, the coordinate systems and the APP GML formats offered, and the data set
feed as its online resource. Conformity statements (INSPIRE data specification, the APP
regulation) are not made: nothing here tests the data against them beyond the schema.
"""
from datetime import UTC

from django.http import HttpRequest
from django.urls import reverse
from lxml import etree

from .app_export import APP_VERSIONS, pl2000_zone, plan_identity
from .models import SRID, PlanDocument, ZoningPlan

GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"
MEDIA_TYPE = "application/vnd.iso.19139+xml"
_CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"
_KIND_TITLES = {ZoningPlan.GENERAL: "plan ogólny gminy",
                ZoningPlan.LOCAL: "miejscowy plan zagospodarowania przestrzennego"}


def plan_metadata(request: HttpRequest, plan: ZoningPlan) -> bytes:
    identity = plan_identity(plan)
    unit = plan.unit
    root = etree.Element(_gmd("MD_Metadata"), nsmap={"gmd": GMD, "gco": GCO})
    _string(root, "fileIdentifier", f"{identity.namespace}/{identity.local_id}")
    _code(etree.SubElement(root, _gmd("language")), "LanguageCode", "pol", "polski",
          code_list="http://www.loc.gov/standards/iso639-2/")
    _code(etree.SubElement(root, _gmd("characterSet")), "MD_CharacterSetCode", "utf8", "utf8")
    _code(etree.SubElement(root, _gmd("hierarchyLevel")), "MD_ScopeCode", "dataset",
          "zbiór danych")
    _party(etree.SubElement(root, _gmd("contact")), unit)
    date_stamp = etree.SubElement(root, _gmd("dateStamp"))
    etree.SubElement(date_stamp, _gco("Date")).text = identity.started.astimezone(
        UTC).date().isoformat()
    _string(root, "metadataStandardName", "ISO 19115")
    _string(root, "metadataStandardVersion", "2003/Cor 1:2006")
    for srid in (pl2000_zone(plan), SRID):
        system = etree.SubElement(etree.SubElement(root, _gmd("referenceSystemInfo")),
                                  _gmd("MD_ReferenceSystem"))
        ident = etree.SubElement(etree.SubElement(system, _gmd("referenceSystemIdentifier")),
                                 _gmd("RS_Identifier"))
        _string(ident, "code", f"http://www.opengis.net/def/crs/EPSG/0/{srid}")
    info = etree.SubElement(etree.SubElement(root, _gmd("identificationInfo")),
                            _gmd("MD_DataIdentification"))
    citation = etree.SubElement(etree.SubElement(info, _gmd("citation")), _gmd("CI_Citation"))
    _string(citation, "title", plan.name)
    _date(citation, identity.started.astimezone(UTC).date().isoformat(), "revision",
          "aktualizacja")
    adopting = PlanDocument.objects.filter(plan=plan, role=PlanDocument.ADOPTING).first()
    if adopting is not None:
        _date(citation, adopting.date.isoformat(), "publication", "publikacja")
    identifier = etree.SubElement(etree.SubElement(citation, _gmd("identifier")),
                                  _gmd("RS_Identifier"))
    _string(identifier, "code", identity.local_id)
    _string(identifier, "codeSpace", identity.namespace)
    summary = f"{_KIND_TITLES[plan.kind].capitalize()}, {unit.name} (TERYT {unit.teryt[:6]})"
    if plan.resolution_number:
        summary += f", uchwała {plan.resolution_number}"
    _string(info, "abstract", summary + ": zbiór danych przestrzennych APP.")
    _party(etree.SubElement(info, _gmd("pointOfContact")), unit)
    keywords = etree.SubElement(etree.SubElement(info, _gmd("descriptiveKeywords")),
                                _gmd("MD_Keywords"))
    _string(keywords, "keyword", "Zagospodarowanie przestrzenne")
    thesaurus = etree.SubElement(etree.SubElement(keywords, _gmd("thesaurusName")),
                                 _gmd("CI_Citation"))
    _string(thesaurus, "title", "GEMET - INSPIRE themes, version 1.0")
    _date(thesaurus, "2008-06-01", "publication", "publikacja")
    constraints = etree.SubElement(etree.SubElement(info, _gmd("resourceConstraints")),
                                   _gmd("MD_LegalConstraints"))
    _code(etree.SubElement(constraints, _gmd("accessConstraints")), "MD_RestrictionCode",
          "otherRestrictions", "inne ograniczenia")
    _string(constraints, "otherConstraints", "Brak ograniczeń dostępu publicznego "
            "(art. 67a ustawy o planowaniu i zagospodarowaniu przestrzennym).")
    _code(etree.SubElement(info, _gmd("language")), "LanguageCode", "pol", "polski",
          code_list="http://www.loc.gov/standards/iso639-2/")
    etree.SubElement(etree.SubElement(info, _gmd("topicCategory")),
                     _gmd("MD_TopicCategoryCode")).text = "planningCadastre"
    if plan.geom is not None:
        west, south, east, north = plan.geom.transform(4326, clone=True).extent
        box = etree.SubElement(etree.SubElement(etree.SubElement(
            etree.SubElement(info, _gmd("extent")), _gmd("EX_Extent")),
            _gmd("geographicElement")), _gmd("EX_GeographicBoundingBox"))
        for name, value in (("westBoundLongitude", west), ("eastBoundLongitude", east),
                            ("southBoundLatitude", south), ("northBoundLatitude", north)):
            etree.SubElement(etree.SubElement(box, _gmd(name)),
                             _gco("Decimal")).text = f"{value:.6f}"
    distribution = etree.SubElement(etree.SubElement(root, _gmd("distributionInfo")),
                                    _gmd("MD_Distribution"))
    for version in APP_VERSIONS:
        form = etree.SubElement(etree.SubElement(distribution, _gmd("distributionFormat")),
                                _gmd("MD_Format"))
        _string(form, "name", f"GML (schemat aplikacyjny APP {version})")
        _string(form, "version", "3.2.1")
    online = etree.SubElement(etree.SubElement(etree.SubElement(
        etree.SubElement(distribution, _gmd("transferOptions")),
        _gmd("MD_DigitalTransferOptions")), _gmd("onLine")), _gmd("CI_OnlineResource"))
    url = etree.SubElement(online, _gmd("linkage"))
    etree.SubElement(url, _gmd("URL")).text = request.build_absolute_uri(
        reverse("atom-plan", args=[plan.pk]))
    _string(online, "name", "Kanał ATOM zbioru danych")
    quality = etree.SubElement(etree.SubElement(root, _gmd("dataQualityInfo")),
                               _gmd("DQ_DataQuality"))
    scope = etree.SubElement(etree.SubElement(quality, _gmd("scope")), _gmd("DQ_Scope"))
    _code(etree.SubElement(scope, _gmd("level")), "MD_ScopeCode", "dataset", "zbiór danych")
    lineage = etree.SubElement(etree.SubElement(quality, _gmd("lineage")), _gmd("LI_Lineage"))
    _string(lineage, "statement", "Zbiór APP prowadzony przez gminę w portalu; dane planu "
            "wczytane z plików APP lub plików wektorowych gminy.")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _party(parent: etree._Element, unit) -> None:
    party = etree.SubElement(parent, _gmd("CI_ResponsibleParty"))
    _string(party, "organisationName", unit.office_name or unit.name)
    if unit.office_email:
        address = etree.SubElement(etree.SubElement(etree.SubElement(
            party, _gmd("contactInfo")), _gmd("CI_Contact")), _gmd("address"))
        _string(etree.SubElement(address, _gmd("CI_Address")), "electronicMailAddress",
                unit.office_email)
    _code(etree.SubElement(party, _gmd("role")), "CI_RoleCode", "pointOfContact",
          "punkt kontaktowy")


def _date(citation: etree._Element, day: str, kind: str, title: str) -> None:
    ci_date = etree.SubElement(etree.SubElement(citation, _gmd("date")), _gmd("CI_Date"))
    etree.SubElement(etree.SubElement(ci_date, _gmd("date")), _gco("Date")).text = day
    _code(etree.SubElement(ci_date, _gmd("dateType")), "CI_DateTypeCode", kind, title)


def _string(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(etree.SubElement(parent, _gmd(name)), _gco("CharacterString")).text = text


def _code(parent: etree._Element, name: str, value: str, text: str,
          code_list: str | None = None) -> None:
    etree.SubElement(parent, _gmd(name), codeList=code_list or f"{_CODELISTS}{name}",
                     codeListValue=value).text = text


def _gmd(name: str) -> str:
    return f"{{{GMD}}}{name}"


def _gco(name: str) -> str:
    return f"{{{GCO}}}{name}"

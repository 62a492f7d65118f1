"""The APP 2.0 and 3.0 schemas, read from tests/fixtures/schemas with every import resolved
there (no network): `app_schema(version)` for lxml validation of the APP GML export."""
from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "schemas"
APP_XSD = {version: ("https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/"
                     f"{version}/planowaniePrzestrzenne_{version.replace('.', '_')}.xsd")
           for version in ("2.0", "3.0")}


class _Local(etree.Resolver):
    """`http(s)://host/path` -> SCHEMAS/host/path; anything else is refused."""

    def resolve(self, url, public_id, context):
        for scheme in ("https://", "http://"):
            if url.startswith(scheme):
                path = SCHEMAS / url.removeprefix(scheme)
                if path.is_file():
                    return self.resolve_filename(str(path), context)
        if url.startswith("file:") or Path(url).is_file():
            return None  # a relative include inside the folder, already local
        raise OSError(f"schema not vendored: {url}")


@lru_cache(maxsize=2)
def app_schema(version: str = "2.0") -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Local())
    path = SCHEMAS / APP_XSD[version].removeprefix("https://")
    return etree.XMLSchema(etree.parse(str(path), parser))


def app_features_invalid(root: etree._Element) -> list[str]:
    """Schema errors of each feature under the collection `root` (each validated alone, as
    the collection wrapper is WFS's) against the APP version of the features' namespace, as
    'line: message'."""
    namespace = etree.QName(root[0][0]).namespace if len(root) else ""
    schema = app_schema(namespace.rsplit("/", 1)[-1])
    errors = []
    for member in root:
        for feature in member:
            if not schema.validate(etree.ElementTree(_copy(feature))):
                errors += [f"{feature.sourceline}: {e.message}" for e in schema.error_log]
    return errors


def _copy(feature: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(feature))


@lru_cache(maxsize=1)
def iso_metadata_schema() -> etree.XMLSchema:
    """ISO/TS 19139 gmd, for the data set metadata records."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Local())
    path = SCHEMAS / "schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd"
    return etree.XMLSchema(etree.parse(str(path), parser))

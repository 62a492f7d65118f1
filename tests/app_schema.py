"""The APP 2.0 schema, read from tests/fixtures/schemas with every import resolved there
(no network): `app_schema()` for lxml validation of the APP GML export."""
from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "schemas"
APP_2_XSD = ("https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0/"
             "planowaniePrzestrzenne_2_0.xsd")


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


@lru_cache(maxsize=1)
def app_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Local())
    path = SCHEMAS / APP_2_XSD.removeprefix("https://")
    return etree.XMLSchema(etree.parse(str(path), parser))


def app_features_invalid(root: etree._Element) -> list[str]:
    """Schema errors of each feature under the collection `root` (each validated alone, as
    the collection wrapper is WFS's), as 'line: message'."""
    schema = app_schema()
    errors = []
    for member in root:
        for feature in member:
            if not schema.validate(etree.ElementTree(_copy(feature))):
                errors += [f"{feature.sourceline}: {e.message}" for e in schema.error_log]
    return errors


def _copy(feature: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(feature))

"""Readers of zoning plan files, one per kind of plan, and the checks they share.

`READERS` maps a plan kind to its reader: `reader(paths, mapping) -> ReadResult`.
The service (layers/services.py) runs the reader, the attribute checks (checks.py),
the geometry checks in PostGIS (spatial.py) and the writer (write.py).
"""
from collections.abc import Callable
from pathlib import Path

from django.utils.module_loading import import_string

from .parsed import ReadResult

READERS = {
    "general": "layers.zoning_import.app_gml.read_general_plan",
    "local": "layers.zoning_import.ogr_local.read_local_plans",
}


def reader_for(kind: str) -> Callable[[list[Path], dict[str, str]], ReadResult]:
    return import_string(READERS[kind])

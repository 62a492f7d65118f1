"""Dependencies run one way: core <- cadastre_sync <- layers <- permits <- geo_portal."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "cadastre_sync", "layers", "permits", "geo_portal"]


def imported_apps(app: str) -> set[str]:
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found.update(name.split(".")[0] for name in names if name.split(".")[0] in LAYERS)
    return found - {app}


@pytest.mark.parametrize("app", LAYERS)
def test_apps_import_only_the_layers_below_them(app):
    below = set(LAYERS[: LAYERS.index(app)])

    upward = imported_apps(app) - below

    assert upward == set(), f"{app} must not import {sorted(upward)}"

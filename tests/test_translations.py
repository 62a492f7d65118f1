"""Polish is the office's language: every app's Polish catalogue is complete."""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "cadastre_sync", "layers", "permits", "geo_portal"]


@pytest.mark.parametrize("app", APPS)
def test_the_polish_catalogue_has_no_untranslated_or_guessed_entries(app):
    catalogue = ROOT / app / "locale" / "pl" / "LC_MESSAGES" / "django.po"

    result = subprocess.run(["msgfmt", "--check-format", "--statistics", "-o", "/dev/null",
                             str(catalogue)], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr

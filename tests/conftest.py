"""Shared pytest set-up; data factories live in tests/factories.py."""
from django.conf import settings


def pytest_configure(config):
    # WhiteNoise warns when the static root is missing; tests do not need collectstatic.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo generator (`manage.py demo_data`): development and benchmarks only.

    It creates a superuser with a published password and rewrites units' cadastres, so it
    is installed by the development settings alone; production settings leave it out and
    the image does not contain it (.dockerignore)."""

    name = "geo_portal.demo"
    label = "demo"
    verbose_name = "Demo data (development only)"

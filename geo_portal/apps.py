from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoPortalConfig(AppConfig):
    name = "geo_portal"
    verbose_name = _("Portal")

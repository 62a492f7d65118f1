from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoPortalConfig(AppConfig):
    name = "geo_portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.contrib import admin

        # The administration speaks as the product, not as "Django site admin".
        admin.site.site_header = _("geo_portal administration")
        admin.site.site_title = _("geo_portal administration")
        admin.site.index_title = _("Settings and data of your units")
        admin.site.site_url = "/"

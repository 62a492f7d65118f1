from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoPortalConfig(AppConfig):
    name = "geo_portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.contrib import admin
        from django.db.models.signals import post_delete, post_save

        from core.models import AdministrativeUnit

        from .hosts import unit_hosts_forget

        # A unit's host name is answered as soon as it is saved (in this process; the
        # others read the names again within a minute).
        post_save.connect(unit_hosts_forget, sender=AdministrativeUnit,
                          dispatch_uid="unit_hosts_forget_save")
        post_delete.connect(unit_hosts_forget, sender=AdministrativeUnit,
                            dispatch_uid="unit_hosts_forget_delete")

        # The administration speaks as the product, not as "Django site admin".
        admin.site.site_header = _("geo_portal administration")
        admin.site.site_title = _("geo_portal administration")
        admin.site.index_title = _("Settings and data of your units")
        admin.site.site_url = "/"

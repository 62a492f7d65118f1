from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = _("Map layers and zoning")

    def ready(self) -> None:
        # The cadastre sits below this app and cannot call it: it announces its changes.
        from cadastre_sync.signals import cadastre_changed, tax_findings_changed

        from .receivers import cadastre_changed_refresh_tiles, tax_findings_changed_refresh_tiles

        cadastre_changed.connect(cadastre_changed_refresh_tiles,
                                 dispatch_uid="layers.refresh_tiles_after_cadastre_import")
        tax_findings_changed.connect(tax_findings_changed_refresh_tiles,
                                     dispatch_uid="layers.refresh_tiles_after_tax_findings")

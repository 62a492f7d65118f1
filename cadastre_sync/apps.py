from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadastreSyncConfig(AppConfig):
    name = "cadastre_sync"
    verbose_name = _("Cadastre")

    def ready(self) -> None:
        from core.rules import rule_lister_register, rules_declare

        from .tax.rules import TAX_RULE_LABELS
        from .tax.selectors import conversion_factors_in_force, tax_rates_in_force

        rules_declare(_("tax"), TAX_RULE_LABELS)
        rule_lister_register(tax_rates_in_force)
        rule_lister_register(conversion_factors_in_force)

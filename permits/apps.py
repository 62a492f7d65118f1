from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Applications and permits")

    def ready(self) -> None:
        from core.rules import rule_lister_register, rule_value_labels_declare, rules_declare

        from .legal import LABELS
        from .selectors import fee_rates_in_force

        rules_declare(_("permits"), LABELS)
        rule_lister_register(fee_rates_in_force)
        rule_value_labels_declare({"easter": _("days after Easter Sunday")})

"""Receivers of other apps' signals: each hands off to a service at once."""
from .cache_refresh import cadastre_layer_names, layers_with_composites, tile_refresh_request

FINDINGS_LAYER = "tax_findings"


def cadastre_changed_refresh_tiles(sender, *, unit, area, reason: str = "", **kwargs) -> None:
    tile_refresh_request(unit=unit, area=area, layer_names=cadastre_layer_names(),
                         reason=reason)


def tax_findings_changed_refresh_tiles(sender, *, unit, area, reason: str = "",
                                       **kwargs) -> None:
    tile_refresh_request(unit=unit, area=area,
                         layer_names=layers_with_composites([FINDINGS_LAYER]), reason=reason)

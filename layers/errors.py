"""Errors of the layers app, each a kind of the product's errors in core/errors.py."""
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound


class ZoningUnitNotFound(NotFound):
    code = "zoning_unit_not_found"
    default_message = _("No hosted unit has this TERYT code.")


class ZoningFileNotFound(InvalidInput):
    code = "zoning_file_not_found"
    default_message = _("A zoning plan file to import does not exist.")


class ZoningImportInvalid(InvalidInput):
    """The request itself is wrong: unknown kind of plan, a mapping that names nothing."""

    code = "zoning_import_invalid"
    default_message = _("The zoning import request is not valid.")


class ZoningImportRejected(InvalidInput):
    """The files hold errors; nothing was written. `result` holds every problem found."""

    code = "zoning_import_rejected"
    default_message = _("The zoning plan was not imported: the files hold errors.")

    def __init__(self, result) -> None:
        self.result = result
        super().__init__(detail={"problems": [p.as_dict() for p in result.problems]})


class ZoningImportConflict(Conflict):
    code = "zoning_import_conflict"
    default_message = _("Someone else imported this plan at the same time; try again.")


class AppDataIncomplete(Conflict):
    """The plan lacks what the APP schema requires (`detail` names it): it cannot be
    published until it is entered."""

    code = "app_data_incomplete"
    default_message = _("The plan cannot be published as APP: data the schema requires is "
                        "missing.")


class RasterInvalid(InvalidInput):
    """The request to add a raster is wrong: no title, a name taken or not allowed."""

    code = "raster_invalid"
    default_message = _("The raster cannot be added as asked.")


class RasterRejected(InvalidInput):
    """The file cannot be a base map; `detail['code']` says why, the message what to do."""

    code = "raster_rejected"
    default_message = _("The raster was refused.")


class TileJobInvalid(InvalidInput):
    code = "tile_job_invalid"
    default_message = _("The tile cache job cannot be started as asked.")

"""Every text the map page's script shows, translated on the server for the page's language.

The script (frontend/src/map-page.js) reads them from the page's JSON block; the catalogue
that translates them is geo_portal's own, like the template's.
"""
from django.utils.translation import gettext as _


def map_messages() -> dict[str, str]:
    return {
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "attribution": _("Data sources"),
        "noBase": _("No base map (plain background)"),
        "noOrthophoto": _("No orthophoto is published yet."),
        "legendOf": _("Legend of the layer"),
        "visibleFrom": _("shown from"),
        "tilesError": _("Part of the map could not be loaded; try again in a moment"),
        "serviceError": _("The map service is not available at the moment; try again shortly."),
        "loading": _("Loading…"),
        "selected": _("Selected"),
        "shown": _("Shown on the map"),
        "noParcelHere": _("There is no parcel at this point."),
        "found": _("Results found:"),
        "didYouMean": _("Did you mean one of these?"),
        "typeNumber": _("Now type the parcel number after the precinct's name."),
        "parcel": _("Parcel"),
        "parcelId": _("Parcel id"),
        "precinct": _("Precinct"),
        "unit": _("Unit"),
        "registeredArea": _("Registered area"),
        "addresses": _("Addresses"),
        "remove": _("Remove"),
        "zoning": _("Zoning"),
        "noZoning": _("No plan in force covers this parcel."),
        "ofParcel": _("of the parcel"),
        "localPlan": _("Local plan"),
        "generalPlan": _("General plan"),
        "maxIntensity": _("Max. above-ground building intensity"),
        "maxBuiltUp": _("Max. built-up share"),
        "maxHeight": _("Max. building height"),
        "minBiological": _("Min. biologically active share"),
        "landUse": _("Land use and soil classes"),
        "landUseClass": _("Class"),
        "areaHa": _("Area [ha]"),
        "noLandUse": _("No land-use classes are recorded."),
        "buildings": _("Buildings"),
        "buildingId": _("Building id"),
        "buildingKind": _("Kind (KŚT)"),
        "storeys": _("Storeys above / below ground"),
        "noBuildings": _("No buildings are recorded on this parcel."),
        "actions": _("Applications for the selected parcels"),
        "noActions": _("This unit offers no online application for these parcels yet."),
        "distance": _("Distance"),
        "area": _("Area"),
        "locating": _("Finding your location…"),
        "located": _("The map shows your location."),
        "locationError": _("Your location is not available (the browser refused it or "
                           "could not find it)."),
        "linkCopied": _("The link to this view has been copied."),
        "linkIs": _("Link to this view:"),
    }

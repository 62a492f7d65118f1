from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from layers import atom, features

from . import accounts, unit_page, unit_setup, views
from .uldk.views import uldk

urlpatterns = [
    path("", views.home, name="home"),
    path("mapa/", views.map_page, name="map"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/", include("allauth.urls")),
    path("konto/dane/", accounts.my_details, name="my-details"),
    path("admin/", admin.site.urls),
    path("jednostka/", unit_setup.unit_list, name="unit-list"),
    path("jednostka/<str:teryt>/", unit_setup.unit_setup, name="unit-setup"),
    path("jednostka/<str:teryt>/zespol/<int:pk>/usun/", unit_setup.staff_remove,
         name="unit-staff-remove"),
    path("jednostka/<str:teryt>/zaproszenia/<int:pk>/wycofaj/", unit_setup.invitation_withdraw,
         name="unit-invitation-withdraw"),
    path("zaproszenie/<str:token>/", unit_setup.invitation, name="invitation"),
    path("mapproxy/", include("layers.urls")),
    path("wnioski/", include("permits.urls")),
    path("podatki/", include("cadastre_sync.tax.urls")),
    path("tiles/", include("layers.tile_urls")),
    path("api/parcels/", include("geo_portal.api.urls")),
    path("uldk/", uldk, name="uldk"),
    path("wfs", features.wfs, name="wfs"),
    path("atom/", atom.atom_service, name="atom"),
    path("atom/opensearch.xml", atom.atom_opensearch, name="atom-opensearch"),
    path("atom/search/", atom.atom_search, name="atom-search"),
    path("atom/plans/<int:plan_id>/", atom.atom_plan, name="atom-plan"),
    path("atom/plans/<int:plan_id>/app.gml", atom.atom_plan_gml, name="atom-plan-gml"),
    path("atom/plans/<int:plan_id>/metadata.xml", atom.atom_plan_metadata,
         name="atom-plan-metadata"),
    path("ogcapi/", features.ogcapi, name="ogcapi-root"),
    path("ogcapi/<path:path>", features.ogcapi, name="ogcapi"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("operator/", include("geo_portal.operator.urls")),
    # A unit's public page by its TERYT code (gmina WWPPGG_R, powiat WWPP, voivodeship WW).
    re_path(r"^(?P<teryt>\d{2}|\d{4}|\d{6}_\d)/$", unit_page.unit_page, name="unit_page"),
    re_path(r"^(?P<teryt>\d{2}|\d{4}|\d{6}_\d)/herb$", unit_page.unit_crest, name="unit_crest"),
]
# Nothing under MEDIA_ROOT is served by URL, not even by the development server: every
# stored file is personal (confirmations, attachments, imports) and reaches a client only
# through the view of its case or import (core.files).

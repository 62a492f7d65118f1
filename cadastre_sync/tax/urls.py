"""/podatki/: the tax register's pages (included from geo_portal/urls.py)."""
from django.urls import path

from . import views

app_name = "tax"
urlpatterns = [
    path("", views.tax_home, name="home"),
    path("<str:teryt>/", views.findings, name="findings"),
    path("<str:teryt>/map/", views.findings_map, name="map"),
    path("<str:teryt>/findings/<int:pk>/", views.finding_detail, name="finding"),
    path("<str:teryt>/findings/<int:pk>/<str:action>/", views.finding_action,
         name="finding_action"),
    path("<str:teryt>/runs/", views.runs, name="runs"),
    path("<str:teryt>/runs/<int:pk>/", views.run_detail, name="run"),
    path("<str:teryt>/imports/", views.imports, name="imports"),
    path("<str:teryt>/imports/<int:pk>/", views.import_detail, name="import"),
    path("<str:teryt>/export.<str:fmt>", views.export, name="export"),
]

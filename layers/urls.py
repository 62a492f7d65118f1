from django.urls import path

from . import views

app_name = "layers"
urlpatterns = [
    path("", views.mapproxy, name="mapproxy-root"),
    path("<path:path>", views.mapproxy, name="mapproxy"),
]

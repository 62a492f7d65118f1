"""/tiles/: vector tiles and their TileJSON, on web mercator and on the PL-1992 grid."""
from django.urls import path

from . import views

app_name = "tiles"
urlpatterns = [
    path("pl1992/<slug:layer>.json", views.vector_tilejson, {"grid": "pl1992"},
         name="tilejson-pl1992"),
    path("pl1992/<slug:layer>/<int:z>/<int:x>/<int:y>.mvt", views.vector_tile,
         {"grid": "pl1992"}, name="tile-pl1992"),
    path("<slug:layer>.json", views.vector_tilejson, name="tilejson"),
    path("<slug:layer>/<int:z>/<int:x>/<int:y>.mvt", views.vector_tile, name="tile"),
]

from django.urls import path

from . import views

# The parcel id holds dots and, for a fraction, a slash: `path` takes both.
urlpatterns = [
    path("at/", views.ParcelAtPointApi.as_view(), name="api-parcel-at"),
    path("search/", views.ParcelSearchApi.as_view(), name="api-parcel-search"),
    path("actions/", views.ParcelActionsApi.as_view(), name="api-parcel-actions"),
    path("<path:parcel_id>/", views.ParcelDetailApi.as_view(), name="api-parcel-detail"),
]

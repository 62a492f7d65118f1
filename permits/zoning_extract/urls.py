"""URLs of the zoning extract's section, included in permits/urls.py (namespace permits)."""
from django.urls import path

from . import api, views

urlpatterns = [
    path("<int:pk>/wypis/tekst/", views.text_update, name="zoning_extract_text"),
    path("<int:pk>/wypis/generuj/", views.regenerate, name="zoning_extract_regenerate"),
    path("<int:pk>/wypis/wydaj/", views.issue, name="zoning_extract_issue"),
    path("<int:pk>/wypis/projekt.pdf", views.draft_pdf, name="zoning_extract_draft"),
    path("<int:pk>/wypis/wypis-i-wyrys.pdf", views.issued_pdf, name="zoning_extract_issued"),
    path("api/applications/<int:pk>/extract/", api.ExtractApi.as_view(),
         name="api-zoning-extract"),
    path("api/applications/<int:pk>/extract/issue/", api.ExtractIssueApi.as_view(),
         name="api-zoning-extract-issue"),
]

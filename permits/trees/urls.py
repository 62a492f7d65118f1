"""URLs of the tree removal, included in permits/urls.py (namespace permits) through the
kind's `urls`."""
from django.urls import path

from . import api

urlpatterns = [
    path("api/trees/assessment/", api.TreeAssessmentApi.as_view(), name="api-trees-assessment"),
]

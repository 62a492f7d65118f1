from django.urls import path

from . import api, views

app_name = "operator"
urlpatterns = [
    path("", views.operator_home, name="home"),
    path("uslugi/", views.operator_template_apply, name="template-apply"),
    path("statystyki/", views.operator_statistics, name="statistics"),
    path("statystyki.<str:fmt>", views.operator_statistics_export, name="export"),
    path("api/jednostki/", api.OperatorUnitsApi.as_view(), name="api-units"),
    path("api/statystyki/", api.OperatorStatisticsApi.as_view(), name="api-statistics"),
]

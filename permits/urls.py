from django.urls import include, path

from . import api, kinds, views

app_name = "permits"

urlpatterns = [
    path("nowy/<slug:kind>/", views.application_new, name="new"),
    path("moje/", views.my_cases, name="mine"),
    path("urzad/", views.officer_queue, name="queue"),
    path("urzad/przyjecie/", views.paper_intake, name="paper"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edycja/", views.application_edit, name="edit"),
    path("<int:pk>/usun/", views.draft_delete, name="delete"),
    path("<int:pk>/akcja/", views.application_action, name="action"),
    path("<int:pk>/przedluzenie/", views.application_extend, name="extend"),
    path("<int:pk>/zalaczniki/", views.attachment_upload, name="attach"),
    path("<int:pk>/zalaczniki/<int:att>/", views.attachment_download, name="attachment"),
    path("<int:pk>/potwierdzenie.pdf", views.application_pdf, name="pdf"),
    path("api/", include(api.urls)),
    # Each kind's own pages and API (Kind.urls).
    *(path("", include(kind.urls)) for kind in kinds.all_kinds() if kind.urls),
]

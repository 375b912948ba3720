from django.urls import path

from tian.importers import views

app_name = "importers"
urlpatterns = [
    path("legacy/", views.legacy_upload, name="legacy"),
]

from django.urls import path

from tian.importers import views

app_name = "importers"
urlpatterns = [
    path("legacy/", views.legacy_upload, name="legacy"),
    path("excel/", views.excel_upload, name="excel"),
    path("excel/<slug:kind>-template.xlsx", views.excel_template, name="excel_template"),
]

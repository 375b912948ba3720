from django.urls import path

from tian.pages.manage import views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.committee_settings, name="settings"),
    path("<slug:slug>/", views.object_list, name="list"),
    path("<slug:slug>/new/", views.object_edit, name="create"),
    path("<slug:slug>/<int:pk>/", views.object_edit, name="edit"),
]

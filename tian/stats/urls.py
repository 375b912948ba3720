from django.urls import path

from tian.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.index, name="index"),
    path("proposals/", views.behind, name="behind"),
    path("download/<slug:table>.xlsx", views.download, name="download"),
    path("awards/", views.awards, name="awards"),
]

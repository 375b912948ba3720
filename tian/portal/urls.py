from django.urls import path

from tian.portal import exports, views
from tian.portal.feeds import DisclosedFeed

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("proposals/<int:pk>/", views.detail, name="detail"),
    path("search/", views.search, name="search"),
    path("feed.atom", DisclosedFeed(), name="feed"),
    path("data/", views.data, name="data"),
    path("data/<int:session_pk>.<str:fmt>", exports.export, name="export"),
]

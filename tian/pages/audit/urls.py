from django.urls import path

from tian.pages.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("my-sign-ins/", views.my_history, name="history"),
]

from django.urls import path

from tian.search import views

app_name = "search"
urlpatterns = [
    path("", views.search, name="search"),
    path("similar/", views.similar, name="similar"),
    path("candidates/<int:pk>/", views.candidates, name="candidates"),
]

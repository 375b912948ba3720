from django.urls import path

from tian.suggest import views

app_name = "suggest"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("retrain/", views.retrain, name="retrain"),
    path("rules/new/", views.rule, name="rule_new"),
    path("rules/<int:pk>/", views.rule, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("mappings/new/", views.mapping, name="mapping_new"),
    path("mappings/<int:pk>/", views.mapping, name="mapping_edit"),
    path("mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
]

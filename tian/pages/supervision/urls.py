from django.urls import path

from tian.pages.supervision import views as pages

app_name = "supervision"
urlpatterns = [
    path("", pages.queue, name="queue"),
    path("replies/<int:pk>/", pages.review, name="review"),
    path("key/", pages.key_proposals, name="key_proposals"),
    path("key/<int:proposal_pk>/activities/", pages.record_activity, name="record_activity"),
]

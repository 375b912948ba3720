from django.urls import path

from tian.pages.handling import views as pages

app_name = "handling"
urlpatterns = [
    path("", pages.inbox, name="inbox"),
    path("proposals/<int:proposal_pk>/", pages.work, name="work"),
    path("assignments/<int:pk>/sign/", pages.sign, name="sign"),
    path("assignments/<int:pk>/reassignment/", pages.reassign, name="reassign"),
    path("assignments/<int:pk>/contact/", pages.contact, name="contact"),
    path("assignments/<int:pk>/opinion/", pages.opinion, name="opinion"),
    path("assignments/<int:pk>/reply/", pages.reply, name="reply"),
    path("assignments/<int:pk>/extension/", pages.extension, name="extension"),
    path("assignments/<int:pk>/remind/", pages.remind_assisting, name="remind_assisting"),
    path("cosignatures/<int:pk>/sign/", pages.cosign, name="cosign"),
    path("follow-ups/<int:pk>/", pages.follow_up, name="follow_up"),
]

from django.urls import path

from tian.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("replies/<int:pk>.<str:fmt>", views.reply_letter, name="reply_letter"),
    path("proposals/<int:pk>.<str:fmt>", views.proposal_form, name="proposal_form"),
    path("proposals/<int:pk>/print/", views.proposal_print, name="proposal_print"),
    path("units/<int:unit_pk>/notice.<str:fmt>", views.assignment_notice, name="assignment_notice"),
    path("sessions/<int:session_pk>/compilation.<str:fmt>", views.compilation, name="compilation"),
]

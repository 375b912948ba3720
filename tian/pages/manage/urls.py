from django.urls import path

from tian.pages.manage import calendar, views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.committee_settings, name="settings"),
    # Before the managed lists: the calendar's corrections are entered many days at a time (pages/manage/calendar.py).
    path("calendar-days/", calendar.calendar_days, name="calendar_days"),
    path("<slug:slug>/", views.object_list, name="list"),
    path("<slug:slug>/new/", views.object_edit, name="create"),
    path("<slug:slug>/<int:pk>/", views.object_edit, name="edit"),
]

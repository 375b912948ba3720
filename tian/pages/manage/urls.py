from django.urls import path

from tian.pages.manage import calendar, hand_over, views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.committee_settings, name="settings"),
    # Before the managed lists: the calendar's corrections are entered many days at a time (pages/manage/calendar.py).
    path("calendar-days/", calendar.calendar_days, name="calendar_days"),
    # 机构改革: all of a unit's open work handed over to another unit at once (pages/manage/hand_over.py).
    path("units/<int:pk>/hand-over/", hand_over.unit_hand_over, name="unit_hand_over"),
    path("units/<int:pk>/hand-over/done/", hand_over.unit_hand_over_result, name="unit_hand_over_result"),
    path("<slug:slug>/", views.object_list, name="list"),
    path("<slug:slug>/new/", views.object_edit, name="create"),
    path("<slug:slug>/<int:pk>/", views.object_edit, name="edit"),
]

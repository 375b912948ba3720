from django.urls import path

from tian.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("home/staff/", views.home_staff, name="home_staff"),
    path("home/unit/", views.home_unit, name="home_unit"),
    path("home/supervisor/", views.home_supervisor, name="home_supervisor"),
    path("home/lead-official/", views.home_lead_official, name="home_lead_official"),
    path("home/member/", views.home_member, name="home_member"),
    path("home/collective/", views.home_collective, name="home_collective"),
    path("home/admin/", views.home_admin, name="home_admin"),
    path("large-text/", views.toggle_large_text, name="toggle_large_text"),
]

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from tian.api.api import api
from tian.dashboard import views as dashboard_views
from tian.portal import views as portal_views


def front_door(request):
    """The site's address: a visitor gets the public portal (with its "Sign in" link), a signed-in person their
    home page (``dashboard:home``, which still names this address)."""
    if request.user.is_authenticated:
        return dashboard_views.home(request)
    return portal_views.index(request)


urlpatterns = [
    path("", front_door),  # unnamed: "dashboard:home" names this address
    path("", include("tian.dashboard.urls")),
    path("accounts/", include("tian.accounts.urls")),
    path("manage/", include("tian.pages.manage.urls")),
    path("proposals/", include("tian.pages.proposals.urls")),
    path("unit/", include("tian.pages.handling.urls")),
    path("supervision/", include("tian.pages.supervision.urls")),
    path("notifications/", include("tian.notifications.urls")),
    path("search/", include("tian.search.urls")),
    path("suggest/", include("tian.suggest.urls")),
    path("stats/", include("tian.stats.urls")),
    path("import/", include("tian.importers.urls")),
    path("documents/", include("tian.documents.urls")),
    path("api/v1/", api.urls),
    path("audit/", include("tian.pages.audit.urls")),
    path("public/", include("tian.portal.urls")),
    # Everyone signs in through one page, which asks for the second factor where one is needed.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]

if settings.BENCH_FLOOR:  # the framework floor for make bench: no database, no template
    urlpatterns.append(path("bench/floor/", lambda request: HttpResponse("ok")))

handler403 = "tian.dashboard.views.permission_denied"
handler404 = "tian.dashboard.views.page_not_found"

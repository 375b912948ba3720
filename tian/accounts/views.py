"""Sign-in pages and user management for office staff and administrators."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from tian.accounts import services
from tian.accounts.forms import LoginForm, UserForm
from tian.accounts.models import ApiToken, User
from tian.accounts.roles import Perm, Role
from tian.core.permissions import require_permission
from tian.organisations.selectors import current_committee


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        previous = User.objects.filter(pk=self.request.user.pk).values_list("password", flat=True).first()
        response = super().form_valid(form)
        services.password_changed_by_owner(user=self.request.user, previous_hash=previous)
        messages.success(self.request, _("Your password has been changed."))
        return response


@require_permission(Perm.MANAGE_USERS)
def user_list(request):
    users = User.objects.prefetch_related("role_grants").select_related("unit", "office", "member")
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role in Role.values:
        users = users.filter(role_grants__role=role)
    page = Paginator(users.order_by("username"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q, "role": role, "roles": Role.choices})


def _save_user_form(request, form, user=None):
    data = form.cleaned_data
    fields = {name: data[name] for name in form.Meta.fields}
    if user is None:
        fields.pop("is_active")
        user = services.user_create(password=data["password"], roles=data["roles"], must_change_password=True,
                                    **fields)
    else:
        services.user_update(user=user, roles=data["roles"], **fields)
        if data.get("password"):
            services.user_set_password(user=user, password=data["password"])
    return user


@require_permission(Perm.MANAGE_USERS)
def user_create(request):
    form = UserForm(request.POST or None, committee=current_committee(), actor=request.user)
    if request.method == "POST" and form.is_valid():
        user = _save_user_form(request, form)
        messages.success(request, _("User %(name)s was created.") % {"name": user})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


@require_permission(Perm.MANAGE_USERS)
def user_edit(request, pk):
    user = get_object_or_404(User, pk=pk)
    # Only administrators may change administrator accounts: staff must not be able to raise themselves.
    if Role.ADMIN in user.roles and Role.ADMIN not in request.user.roles:
        raise PermissionDenied
    form = UserForm(request.POST or None, instance=user, committee=current_committee(), actor=request.user)
    if request.method == "POST" and form.is_valid():
        _save_user_form(request, form, user)
        messages.success(request, _("User %(name)s was saved.") % {"name": user})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("Edit user"), "target": user})


@login_required
def token_list(request):
    new_token = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=request.user)
            services.token_revoke(token=token, by=request.user)
            messages.success(request, _("The token was revoked; it stops working at once."))
            return redirect("accounts:tokens")
        name = request.POST.get("name", "").strip()
        if not name:
            messages.error(request, _("Please give the token a name, e.g. the system that will use it."))
        else:
            _token, new_token = services.token_create(user=request.user, name=name)
    return render(request, "accounts/tokens.html", {"tokens": request.user.api_tokens.all(), "new_token": new_token})


@require_permission(Perm.MANAGE_USERS)
def user_unlock(request, pk):
    """Lift a sign-in lockout after too many wrong passwords."""
    from axes.utils import reset

    user = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        reset(username=user.username)
        messages.success(request, _("%(name)s can sign in again.") % {"name": user})
    return redirect("accounts:user_edit", pk=pk)

"""Sign-in pages and user management for office staff and administrators."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tian.accounts import services, throttling, twofactor
from tian.accounts.forms import CodeForm, LoginForm, UserForm
from tian.accounts.models import ApiToken, User
from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm, Role, may_change
from tian.audit.log import audit
from tian.audit.models import AuditEntry, Kind
from tian.core.request_limits import whole_number
from tian.organisations.selectors import current_committee, page_holding

USERS_PER_PAGE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if twofactor.needs_second_step(user):
            # Signed in with the password only: until a code is given, TwoFactorMiddleware keeps the session
            # on the set-up and check pages.
            self.request.session[twofactor.PENDING] = True
            self.request.session[twofactor.NEXT] = self.get_success_url()
            return redirect(twofactor.second_step_page(user))
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            throttling.count_failure(self.request)
        elif form.has_error(NON_FIELD_ERRORS, "inactive"):
            # The right password of a disabled account (``UserBackend`` lets the form say so): no failure to count
            # towards a lockout, but the attempt is in the audit log as a refused sign-in.
            username = str(form.data.get("username", ""))[:150]
            audit(AuditEntry.Action.LOGIN_FAILED, request=self.request, username=username,
                  detail="refused: the account is disabled", kind=Kind.SIGN_IN_FAILED,
                  data={"username": username, "reason": "inactive"})
        elif form.has_error(NON_FIELD_ERRORS, "throttled"):
            username = str(form.data.get("username", ""))[:150]
            audit(AuditEntry.Action.LOGIN_FAILED, request=self.request, username=username,
                  detail="refused: too many failed sign-ins from this address", kind=Kind.SIGN_IN_THROTTLED,
                  data={"username": username})
            response.status_code = 429
        return response


def _after_second_factor(request):
    target = request.session.pop(twofactor.NEXT, None) or reverse("dashboard:home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("dashboard:home")
    return target


@never_cache
@login_required
def two_factor_verify(request):
    """The second step of signing in: a code from the app or a recovery code."""
    if not request.session.get(twofactor.PENDING):
        return redirect("accounts:two_factor")
    if not twofactor.enabled(request.user):
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        if twofactor.throttled(request.user):
            form.add_error("code", _("Too many wrong codes. Please wait a minute and try again."))
        elif twofactor.verify(request=request, user=request.user, code=form.cleaned_data["code"]):
            if twofactor.recovery_codes_left(request.user) <= 3:
                messages.warning(request, _("You have few recovery codes left. Make new ones under "
                                            "“Two-factor sign-in”."))
            return redirect(_after_second_factor(request))
        else:
            form.add_error("code", _("This code is not right, or it has been used already. Please try again with "
                                     "the code your app shows now."))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@never_cache
@login_required
def two_factor_setup(request):
    """Connect an authenticator app: scan the QR code (or type the key), then confirm with a first code."""
    if twofactor.enabled(request.user):
        return redirect("accounts:two_factor_verify" if request.session.get(twofactor.PENDING)
                        else "accounts:two_factor")
    device = twofactor.setup_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_setup(request=request, user=request.user, device=device,
                                        code=form.cleaned_data["code"])
        if codes is not None:
            return render(request, "accounts/two_factor_codes.html", {"codes": codes,
                                                                      "next": _after_second_factor(request)})
        form.add_error("code", _("This code is not right. Check that the phone's clock is correct and type the "
                                 "code your app shows now."))
    committee = current_committee()
    uri = twofactor.provisioning_uri(device, committee.short_name if committee else settings.OTP_TOTP_ISSUER)
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "qr": twofactor.qr_svg(uri), "secret": twofactor.secret_text(device),
        "required": twofactor.required_for(request.user), "pending": request.session.get(twofactor.PENDING)})


@never_cache
@login_required
def two_factor(request):
    """The user's own two-factor page: state, new recovery codes, turning it off where it is optional."""
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if request.POST.get("action") == "disable":
            if twofactor.disable(request=request, user=user, code=code):
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("accounts:two_factor")
            form.add_error("code", _("This code is not right.") if not twofactor.required_for(user)
                           else _("Your role requires two-factor sign-in; it cannot be turned off."))
        else:
            codes = twofactor.regenerate_recovery_codes(request=request, user=user, code=code)
            if codes is not None:
                return render(request, "accounts/two_factor_codes.html",
                              {"codes": codes, "next": reverse("accounts:two_factor")})
            form.add_error("code", _("This code is not right."))
    return render(request, "accounts/two_factor.html", {
        "form": form, "enabled": twofactor.enabled(user), "required": twofactor.required_for(user),
        "codes_left": twofactor.recovery_codes_left(user)})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("dashboard:home")

    def form_valid(self, form):
        previous = User.objects.filter(pk=self.request.user.pk).values_list("password", flat=True).first()
        response = super().form_valid(form)  # keeps this session signed in (update_session_auth_hash)
        services.password_changed_by_owner(user=self.request.user, previous_hash=previous,
                                           keep_session=self.request.session.session_key)
        messages.success(self.request, _("Your password has been changed."))
        return response


NEW_LOGIN = "tian_new_login"  # the session's note of an account just made, shown once on the list it returns to


def remember_new_login(request, user: User, generated: str | None) -> None:
    """Keep, for the next page only, the account just made and its generated password (never stored elsewhere:
    the person changes it at the first sign-in)."""
    request.session[NEW_LOGIN] = {"pk": user.pk, "username": user.get_username(), "name": user.full_name,
                                  "password": generated or ""}


def pop_new_login(request) -> dict | None:
    return request.session.pop(NEW_LOGIN, None)


@never_cache  # shows a new account's initial password once: no browser keeps it
@require_permission(Perm.MANAGE_USERS)
def user_list(request):
    users = services.accounts_here(User.objects.prefetch_related("role_grants").select_related("unit", "office", "member"))
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role in Role.values:
        users = users.filter(role_grants__role=role)
    users = users.order_by("username")
    # Back from saving an account: the page that holds it, the row marked.
    saved = whole_number(request.GET.get("saved"))
    number = request.GET.get("page") or page_holding(users, saved, USERS_PER_PAGE)
    page = Paginator(users, USERS_PER_PAGE).get_page(number)
    return render(request, "accounts/user_list.html", {"page": page, "q": q, "role": role, "roles": Role.choices,
                                                       "saved": saved, "new_login": pop_new_login(request)})


def _back_to_list(user: User):
    return redirect(f"{reverse('accounts:user_list')}?saved={user.pk}#user-{user.pk}")


def _save_user_form(request, form, user=None):
    data = form.cleaned_data
    fields = {name: data[name] for name in form.Meta.fields}
    if user is None:
        fields.pop("is_active")
        generated = None if data["password"] else services.password_generate()
        user = services.user_create(password=data["password"] or generated, roles=data["roles"],
                                    must_change_password=True, by=request.user, **fields)
        remember_new_login(request, user, generated)
    else:
        services.user_update(user=user, roles=data["roles"], by=request.user, **fields)
        if data.get("password"):
            services.user_set_password(user=user, password=data["password"], by=request.user)
    return user


def _user_for(request, pk) -> User:
    """The account ``pk`` if the signed-in person may change it (``roles.may_change``), else 403."""
    user = get_object_or_404(User, pk=pk)
    if not services.account_here(user, request.user):
        raise Http404  # another committee's account, or the operator's: not one of this installation's to change
    if not may_change(request.user, user):
        raise PermissionDenied
    return user


@require_permission(Perm.MANAGE_USERS)
def user_create(request):
    form = UserForm(request.POST or None, committee=current_committee(), actor=request.user)
    if request.method == "POST" and form.is_valid():
        user = _save_user_form(request, form)
        messages.success(request, _("User %(name)s was created.") % {"name": user})
        return _back_to_list(user)
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


@require_permission(Perm.MANAGE_USERS)
def user_edit(request, pk):
    user = _user_for(request, pk)
    form = UserForm(request.POST or None, instance=user, committee=current_committee(), actor=request.user)
    if request.method == "POST" and form.is_valid():
        _save_user_form(request, form, user)
        messages.success(request, _("User %(name)s was saved.") % {"name": user})
        return _back_to_list(user)
    return render(request, "accounts/user_form.html", {"form": form, "title": _("Edit user"), "target": user,
                                                       "two_factor": twofactor.enabled(user)})


@never_cache  # shows a new token once: no browser keeps it
@login_required
def token_list(request):
    new_token = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=whole_number(request.POST["revoke"]), user=request.user)
            services.token_revoke(token=token, by=request.user)
            messages.success(request, _("The token was revoked; it stops working at once."))
            return redirect("accounts:tokens")
        name = request.POST.get("name", "").strip()
        if not name:
            messages.error(request, _("Please give the token a name, e.g. the system that will use it."))
        else:
            _token, new_token = services.token_create(user=request.user, name=name)
    return render(request, "accounts/tokens.html", {"tokens": request.user.api_tokens.all(), "new_token": new_token,
                                                    "days": settings.API_TOKEN_DAYS})


@require_permission(Perm.MANAGE_USERS)
def user_unlock(request, pk):
    """Lift a sign-in lockout after too many wrong passwords."""
    user = _user_for(request, pk)
    if request.method == "POST":
        services.user_unlock(user=user, by=request.user)
        messages.success(request, _("%(name)s can sign in again.") % {"name": user})
    return redirect("accounts:user_edit", pk=pk)


@require_permission(Perm.MANAGE_USERS)
def user_reset_two_factor(request, pk):
    """Remove a user's authenticator app and recovery codes (a lost phone), after checking who they are."""
    user = _user_for(request, pk)
    if request.method == "POST":
        twofactor.reset(request=request, user=user, by=request.user)
        messages.success(request, _("%(name)s's two-factor sign-in was reset; they set up an app again at the next "
                                    "sign-in.") % {"name": user})
    return redirect("accounts:user_edit", pk=pk)

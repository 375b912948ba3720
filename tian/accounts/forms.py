from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tian.accounts import throttling
from tian.accounts.models import User
from tian.accounts.roles import LAST_ADMIN_DISABLED, Role, role_change_refusal
from tian.organisations.models import CollectiveProposer, LeadOfficial, Member, SupervisingOffice, Unit


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is wrong. Please check and try again."),
        "inactive": _("This account has been disabled. Please contact the proposal office."),
        "throttled": _("Too many failed sign-ins from this computer's network just now. Please wait a minute and "
                       "try again."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].help_text = _("Members sign in with their name, units with the unit's short name.")
        self.fields["password"].label = _("Password")

    def clean(self):
        # Checked before the password is, so that a storm from one address gets no further guesses.
        if self.request is not None and throttling.address_throttled(self.request):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        return super().clean()


USERNAME_HELP = _("What the person types to sign in: members usually their own name in Chinese (e.g. 刘安泽), units "
                  "the unit's short name. Chinese characters, letters, digits and @ . + - _ may be used; no spaces.")
USERNAME_INVALID = _("A user name may hold Chinese characters, letters, digits and @ . + - _ only, and no spaces.")
USERNAME_TAKEN = _("This user name is taken. Please add something that tells the two apart, e.g. 刘安泽2 or "
                   "刘安泽-教育界.")
PASSWORD_GENERATED_HELP = _("Leave empty and the system makes one, shown once after saving. Either way the person "
                            "sets their own password at the first sign-in.")
ROLES_REQUIRED = _("Please choose at least one role.")


def _username_field_fixed(field) -> None:
    """The user name field as members meet it: Chinese names are welcome, and the help and the error say so."""
    field.help_text = USERNAME_HELP
    field.error_messages["invalid"] = USERNAME_INVALID
    field.error_messages["unique"] = USERNAME_TAKEN
    field.widget.attrs.update({"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})


class UserForm(forms.ModelForm):
    # Not ``required``: one star on the group would become a star on every box. The legend says it once instead,
    # and ``clean_roles`` asks for one.
    roles = forms.MultipleChoiceField(
        label=_("Roles (at least one)"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    # Kept after an error like every other input: it is the password staff give the person, who must replace it.
    password = forms.CharField(
        label=_("Initial password"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "is_active", "member", "collective", "unit", "office",
                  "lead_official"]

    def __init__(self, *args, committee=None, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if self.instance.pk:
            self.initial.setdefault("roles", list(self.instance.roles))
        else:
            self.fields["password"].help_text = PASSWORD_GENERATED_HELP
        _username_field_fixed(self.fields["username"])
        # A member has one account: only members without one (and this account's own) are offered.
        members = Member.objects.filter(committee=committee).filter(
            Q(user__isnull=True) | Q(user__pk=self.instance.pk or 0))
        scoped = {
            "member": members,
            "collective": CollectiveProposer.objects.filter(committee=committee),
            "unit": Unit.objects.filter(committee=committee),
            "office": SupervisingOffice.objects.filter(committee=committee),
            "lead_official": LeadOfficial.objects.filter(committee=committee),
        }
        for name, qs in scoped.items():
            self.fields[name].queryset = qs

    def clean_roles(self):
        roles = self.cleaned_data.get("roles") or []
        if not roles:
            raise ValidationError(ROLES_REQUIRED, code="required")
        return roles

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            validate_password(password, self.instance)
        return password

    def clean(self):
        cleaned = super().clean()
        roles = cleaned.get("roles") or []
        # Who may give whom which roles is one rule (accounts/roles.py), the same for the Excel import.
        # The last active administrator keeps the role and the account: a refusal to disable it goes next to the box.
        refusal = self.actor and role_change_refusal(self.actor, self.instance if self.instance.pk else None, roles,
                                                     is_active=cleaned.get("is_active"))
        if refusal:
            self.add_error("is_active" if refusal == str(LAST_ADMIN_DISABLED) else "roles", refusal)
        probe = User(**{f"{name}_id": getattr(cleaned.get(name), "pk", None)
                        for name in ("member", "collective", "unit", "office", "lead_official")})
        try:
            probe.check_role_bindings(roles)
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned


class HolderLoginForm(forms.Form):
    """The sign-in account of a member, collective proposer, unit, supervising office or lead official, made on the
    same page as it (``services.user_create_with_holder``). Its fields are named ``login-…``; nothing is asked
    unless "create" is ticked."""

    create = forms.BooleanField(label=_("Create a sign-in account now"), required=False)
    username = forms.CharField(label=_("User name"), max_length=150, required=False,
                               validators=[UnicodeUsernameValidator()])
    full_name = forms.CharField(label=_("Name of the person who signs in"), max_length=50, required=False)
    password = forms.CharField(label=_("Initial password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
                               help_text=PASSWORD_GENERATED_HELP)

    def __init__(self, *args, role: Role, person_named: bool, **kwargs):
        """``person_named``: the holder is a person (a member, a lead official), whose name is the account's."""
        kwargs.setdefault("prefix", "login")
        super().__init__(*args, **kwargs)
        self.role = Role(role)
        _username_field_fixed(self.fields["username"])
        self.fields["username"].help_text = _("Leave empty to use the name above. ") + str(USERNAME_HELP)
        if person_named:
            del self.fields["full_name"]
        else:
            self.fields["full_name"].help_text = _("The handler or contact person; leave empty to use the name above.")

    def account(self, holder_name: str) -> dict | None:
        """The account to create (user name, name, password), or None where none is asked for; call after
        ``is_valid`` with the name the holder's form was given."""
        if not self.cleaned_data.get("create"):
            return None
        return {"username": self.cleaned_data["username"] or holder_name,
                "full_name": self.cleaned_data.get("full_name") or holder_name,
                "password": self.cleaned_data["password"] or None}

    def check_against(self, holder_name: str) -> None:
        """Checks that need the holder's name (the user name and the person's name default to it); errors go next
        to the fields. With no name above either, that field's own error says so."""
        if not self.is_valid() or not self.cleaned_data.get("create"):
            return
        username = self.cleaned_data["username"] or holder_name
        password = self.cleaned_data["password"]
        if password:
            probe = User(username=username, full_name=self.cleaned_data.get("full_name") or holder_name)
            try:
                validate_password(password, probe)
            except ValidationError as e:
                self.add_error("password", e)
        if not username:
            return
        if not self.cleaned_data["username"]:  # the name above, checked as a user name
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                self.add_error("username", USERNAME_INVALID)
                return
        if User.objects.filter(username=username).exists():
            self.add_error("username", USERNAME_TAKEN)


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app (or, where ``recovery`` is allowed, a recovery code)."""

    code = forms.CharField(label=_("Code"), max_length=20, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True, "size": 12}))

    def __init__(self, *args, recovery=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        if recovery:
            self.fields["code"].help_text = _("The 6-digit code your authenticator app shows now. Lost your phone? "
                                              "Type one of your recovery codes instead.")
            self.fields["code"].widget.attrs["inputmode"] = "text"
        else:
            self.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if code.isdigit() and len(code) == 6:
            return code
        if self.recovery and code.isalnum() and 6 <= len(code) <= 16:
            return code
        raise ValidationError(_("Please type the 6 digits your authenticator app shows."), code="format")

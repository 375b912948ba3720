from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tian.accounts import throttling
from tian.accounts.models import User
from tian.accounts.roles import Role, role_change_refusal
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


class UserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput(render_value=False), required=False,
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
            self.fields["password"].required = True
            self.fields["password"].help_text = ""
        scoped = {
            "member": Member.objects.filter(committee=committee),
            "collective": CollectiveProposer.objects.filter(committee=committee),
            "unit": Unit.objects.filter(committee=committee),
            "office": SupervisingOffice.objects.filter(committee=committee),
            "lead_official": LeadOfficial.objects.filter(committee=committee),
        }
        for name, qs in scoped.items():
            self.fields[name].queryset = qs

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            validate_password(password, self.instance)
        return password

    def clean(self):
        cleaned = super().clean()
        roles = cleaned.get("roles") or []
        # Who may give whom which roles is one rule (accounts/roles.py), the same for the Excel import.
        refusal = self.actor and role_change_refusal(self.actor, self.instance if self.instance.pk else None, roles)
        if refusal:
            self.add_error("roles", refusal)
        probe = User(**{f"{name}_id": getattr(cleaned.get(name), "pk", None)
                        for name in ("member", "collective", "unit", "office", "lead_official")})
        try:
            probe.check_role_bindings(roles)
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned


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

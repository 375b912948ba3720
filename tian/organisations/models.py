"""Models of the committee, its calendar (terms and sessions) and the organisations it works with."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tian.core.calendar import add_working_days, months_later
from tian.organisations.numerals import chinese_numeral

DUPLICATE_NAME = _("This name already exists in the committee.")
DUPLICATE_CODE = _("This code already exists in the committee.")
SECOND_SESSION_OF_YEAR = _("%(term)s already has a session in %(year)s; a term holds one session a year.")
LONGER_THAN_EXTENSION_CAP = _("This is longer than the longest reply deadline with an extension (%(cap)s months); "
                              "please shorten it or lengthen that one.")
# A member's mobile (SMS, a password reset by text): what the member form and the Excel import both take.
mobile_validator = RegexValidator(r"^1\d{10}$", _("A mobile number has 11 digits and starts with 1."))
# Typed with a Chinese input method, the digits, plus sign, spaces, hyphens and brackets come full-width.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋\u3000－（）", "0123456789+ -()")
_MOBILE_SEPARATORS = " -()\u2010\u2011\u2012\u2013\u2014"  # dashes of every length that people type between groups


def mobile_number(text) -> str:
    """A mobile as written (137-9595-2836, 137 9595 2836, +86 13795952836, full-width digits, spaces and dashes)
    in the one form SMS takes (13795952836); anything else is left as it is, for the validator to refuse."""
    value = str(text or "").strip().translate(_FULL_WIDTH_DIGITS)
    compact = "".join(ch for ch in value if ch not in _MOBILE_SEPARATORS)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix) and len(compact) == len(prefix) + 11:
            compact = compact[len(prefix):]
    return compact if compact.isdigit() else value


class MobileField(models.CharField):
    """A member's mobile, kept in the one form SMS takes (``mobile_number``) and checked (``mobile_validator``):
    every form and import that cleans the model writes it so."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [mobile_validator])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def to_python(self, value):
        return mobile_number(super().to_python(value)) if value else value


class Committee(models.Model):
    """A CPPCC committee (政协广元市朝天区委员会) and the rules it sets for its proposal work."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.CharField(
        _("region"), max_length=50, help_text=_("The place in the committee's name, e.g. 广元市朝天区.")
    )
    short_name = models.CharField(_("short name"), max_length=30, help_text=_("e.g. 朝天政协"))
    office_phones = models.CharField(_("proposal office phones"), max_length=100, blank=True)
    body_max_chars = models.PositiveIntegerField(
        _("maximum body length"), default=2500, validators=[MinValueValidator(200), MaxValueValidator(20000)]
    )
    cosign_window_plenary_hours = models.PositiveIntegerField(
        _("co-sign window during the plenary (hours)"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    cosign_window_recess_hours = models.PositiveIntegerField(
        _("co-sign window in recess (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    reply_months = models.PositiveIntegerField(
        _("reply deadline (months)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    reply_months_plenary = models.PositiveIntegerField(
        _("reply deadline for plenary proposals (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    assisting_opinion_months = models.PositiveIntegerField(
        _("assisting opinion deadline (months)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    reassignment_window_days = models.PositiveIntegerField(
        _("reassignment request window (working days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    rehandling_months = models.PositiveIntegerField(
        _("rehandling deadline (months)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    evaluation_window_days = models.PositiveIntegerField(
        _("evaluation window (working days)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    extension_cap_months = models.PositiveIntegerField(
        _("longest reply deadline with an extension (months)"), default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    # A committee that counts these deadlines in working days sets them here; 0 means "in months, above".
    reply_working_days = models.PositiveIntegerField(
        _("reply deadline in working days (0: use months)"), default=0, validators=[MaxValueValidator(250)])
    assisting_opinion_working_days = models.PositiveIntegerField(
        _("assisting opinion deadline in working days (0: use months)"), default=0,
        validators=[MaxValueValidator(250)])
    rehandling_working_days = models.PositiveIntegerField(
        _("rehandling deadline in working days (0: use months)"), default=0, validators=[MaxValueValidator(250)])
    remind_days_before = models.PositiveIntegerField(
        _("first reminder (working days before a deadline)"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    due_soon_days = models.PositiveIntegerField(
        _("“due soon” from (working days before a deadline)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    escalate_days_after = models.PositiveIntegerField(
        _("escalate to supervisors (working days after a deadline)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    disclosure_days = models.PositiveIntegerField(
        _("disclosure within (working days of the reply)"), default=20,
        validators=[MinValueValidator(1), MaxValueValidator(250)]
    )
    # Mobile numbers are always masked where the policy hides personal data; fixed lines only if chosen.
    mask_landlines = models.BooleanField(
        _("mask fixed-line numbers too"), default=False,
        help_text=_("Where the public and people with no tie to a proposal read it, fixed-line numbers with an "
                    "area code are masked like mobile numbers (office phones in the page footer stay)."))

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self):
        return self.name

    def clean(self):
        # The services refuse a deadline later than the extension cap (an assignment's reply, a rehandling): a
        # default longer than the cap would make every assignment fail.
        cap = self.extension_cap_months
        if cap is None:
            return
        errors = {name: LONGER_THAN_EXTENSION_CAP % {"cap": cap}
                  for name in ("reply_months", "reply_months_plenary", "rehandling_months")
                  if getattr(self, name) is not None and getattr(self, name) > cap}
        if errors:
            raise ValidationError(errors)

    def deadline_after(self, day, *, months: int, working_days: int):
        """A deadline counted as the committee's rule says: in working days where set, else in months (ending on a
        working day, ``months_later``)."""
        return add_working_days(day, working_days) if working_days else months_later(day, months)


class Term(models.Model):
    """届: a five-year term of the committee, e.g. 第七届."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="terms")
    number = models.PositiveIntegerField(_("number"), validators=[MinValueValidator(1), MaxValueValidator(99)])
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["committee", "number"], name="term_unique_number",
                                                  violation_error_message=_("This term already exists."))]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"第{chinese_numeral(self.number)}届"

    def clean(self):
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": _("The term must end after it starts.")})


class Session(models.Model):
    """次会议: the yearly session of a term (七届三次全会), with its plenary window.

    A proposal submitted from ``submissions_open_on`` up to ``plenary_deadline`` is a plenary proposal
    (大会提案); later ones in the same year are recess proposals (平时提案).
    """

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("term"))
    number = models.PositiveIntegerField(_("number"), validators=[MinValueValidator(1), MaxValueValidator(99)])
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(1949), MaxValueValidator(2200)])
    submissions_open_on = models.DateField(_("submissions open on"))
    plenary_start = models.DateField(_("plenary starts"))
    plenary_end = models.DateField(_("plenary ends"))
    plenary_deadline = models.DateField(_("plenary proposal deadline"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="session_unique_number",
                                    violation_error_message=_("This session already exists in the term.")),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"{chinese_numeral(self.term.number)}届{chinese_numeral(self.number)}次全会"

    def is_plenary_date(self, day: datetime.date) -> bool:
        return self.submissions_open_on <= day <= self.plenary_deadline

    def is_plenary_window(self, day: datetime.date) -> bool:
        """During the plenary meeting itself (used for the short co-sign window)."""
        return self.plenary_start <= day <= self.plenary_end

    def clean(self):
        errors = {}
        term = self.term if self.term_id else None
        dates = [self.submissions_open_on, self.plenary_start, self.plenary_end, self.plenary_deadline]
        if all(dates):
            if self.plenary_end < self.plenary_start:
                errors["plenary_end"] = _("The plenary must end on or after its start.")
            if self.submissions_open_on > self.plenary_start:
                errors["submissions_open_on"] = _("Submissions must open on or before the plenary starts.")
            if self.plenary_deadline < self.plenary_start:
                errors["plenary_deadline"] = _("The plenary proposal deadline cannot be before the plenary.")
            if term and not (term.start_date <= self.plenary_start and self.plenary_end <= term.end_date):
                errors["plenary_start"] = _("The session must fall within its term (%(start)s to %(end)s).") % {
                    "start": term.start_date,
                    "end": term.end_date,
                }
        if self.year and self.plenary_start and self.plenary_start.year != self.year:
            errors.setdefault("year", _("The year must be the year of the plenary."))
        # A term holds one session a year: a second one of the year would take the year's proposals (their session
        # is read from the day, ``session_for_date``). Two terms' sessions share a year where the term changes.
        if term and self.year and "year" not in errors and (
                Session.objects.filter(term=term, year=self.year).exclude(pk=self.pk).exists()):
            errors["year"] = SECOND_SESSION_OF_YEAR % {"term": term.name, "year": self.year}
        if errors:
            raise ValidationError(errors)


class NamedItem(models.Model):
    """A committee-specific list entry with a name and an order (sectors, parties)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Sector(NamedItem):
    """界别: the sector a member represents (e.g. 中共, 经济界, 教育界)."""

    class Meta(NamedItem.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="sector_unique_name", violation_error_message=DUPLICATE_NAME)]


class Party(NamedItem):
    """党派: a member's party affiliation (中国共产党, 民革, …, 无党派人士)."""

    class Meta(NamedItem.Meta):
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="party_unique_name", violation_error_message=DUPLICATE_NAME)]


class Member(models.Model):
    """委员: a committee member, who may also have a user account."""

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=30)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sector"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("party"))
    mobile = MobileField(_("mobile phone"), max_length=20, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    workplace = models.CharField(_("workplace and position"), max_length=120, blank=True)
    terms = models.ManyToManyField(Term, related_name="members", blank=True, verbose_name=_("terms"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["committee", "name"])]

    def __str__(self):
        return self.name


class CollectiveProposer(models.Model):
    """集体提案单位: a party, people's organisation, special committee or sector group."""

    class Kind(models.TextChoices):
        PARTY = "party", _("Party")
        ORGANISATION = "organisation", _("People's organisation")
        SPECIAL_COMMITTEE = "special_committee", _("Special committee")
        SECTOR_GROUP = "sector_group", _("Sector group")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="collective_proposers")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=30)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("collective proposer")
        verbose_name_plural = _("collective proposers")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="collective_unique_name", violation_error_message=DUPLICATE_NAME)]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """承办单位: a government unit that handles proposals (区民政局 = 广元市朝天区民政局)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        PARTY_COMMITTEE = "party_committee", _("Party committee department")
        ORGANISATION = "organisation", _("People's organisation")
        JUDICIAL = "judicial", _("Court or procuratorate")
        TOWNSHIP = "township", _("Town or township")
        ENTERPRISE = "enterprise", _("Enterprise or institution")
        OTHER = "other", _("Other")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("short name"), max_length=50, help_text=_("e.g. 区民政局"))
    full_name = models.CharField(_("full name"), max_length=100, help_text=_("e.g. 广元市朝天区民政局"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.GOVERNMENT)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    leader = models.CharField(_("leader (signer)"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="unit_unique_name", violation_error_message=DUPLICATE_NAME)]

    def __str__(self):
        return self.name


class SupervisingOffice(models.Model):
    """督办单位: a government office that reviews replies and chases late units (区政府办公室)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="supervising_offices")
    name = models.CharField(_("short name"), max_length=50)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supervising office")
        verbose_name_plural = _("supervising offices")
        ordering = ["id"]  # the order the committee lists them in (区政府办公室 before 区委目标绩效办)
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="office_unique_name", violation_error_message=DUPLICATE_NAME)]

    def __str__(self):
        return self.name


class LeadOfficial(models.Model):
    """牵头领导: a leader who personally leads key proposals."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="lead_officials")
    name = models.CharField(_("name"), max_length=30)
    title = models.CharField(_("title"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead official")
        verbose_name_plural = _("lead officials")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="official_unique_name", violation_error_message=DUPLICATE_NAME)]

    def __str__(self):
        return self.name

"""Units (a tree), officers, role grants and API tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from casetrail.org.roles import Role, Scope


class UnitKind(models.TextChoices):
    MINISTRY = "ministry", _("ministry")
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    DISTRICT = "district", _("district / county")
    STATION = "station", _("station")
    DEPARTMENT = "department", _("department")


class Pack(models.TextChoices):
    CN = "cn", _("PRC")
    GB_ENG = "gb_eng", _("England and Wales")


class Unit(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "unit"

    code = models.CharField(max_length=16, unique=True, help_text=_("used in case numbers"))
    name = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(
        max_length=255,
        db_index=True,
        editable=False,
        help_text="/id/id/…/ from the root, for subtree queries",
    )
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    pack = models.CharField(max_length=16, choices=Pack.choices, default=Pack.CN)
    # Read on a top-level unit only (the agency): whether its officers who approve or supervise
    # (roles.SECOND_FACTOR_ROLES) must log in with a second factor. Changed by
    # org.actions.set_second_factor, which records who turned it off or on.
    second_factor_required = models.BooleanField(_("Second factor required"), default=True)
    # The issuing agency's abbreviation in document numbers (江公(东) in 江公(东)拘字〔2026〕12号).
    # A unit without one issues under the nearest unit above it that has one.
    document_prefix = models.CharField(_("Document number prefix"), max_length=24, blank=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def default_language(self) -> str:
        return "zh-hans" if self.pack == Pack.CN else "en"

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    @property
    def root_id(self) -> int:
        """The id of the unit's top-level unit (its agency), read from the path."""
        return root_of(self.path)


def root_of(path: str) -> int:
    """The first id of a materialised path (``/1/4/9/`` -> 1)."""
    return int(path.split("/")[1])


class OfficerManager(BaseUserManager["Officer"]):
    def create_user(self, username: str, password: str | None = None, **fields: object) -> Officer:
        officer = self.model(username=username, **fields)
        officer.set_password(password)
        officer.save(using=self._db)
        return officer

    def create_superuser(
        self, username: str, password: str | None = None, **fields: object
    ) -> Officer:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(username, password, **fields)


class Officer(AbstractBaseUser, PermissionsMixin):
    LEDGER_SUBJECT: ClassVar[str] = "officer"

    username = models.CharField(_("Username"), max_length=64, unique=True)
    name = models.CharField(max_length=80)
    badge_number = models.CharField(max_length=32, unique=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text=_("may use the Django admin"))
    qualification_level = models.CharField(
        max_length=16,
        blank=True,
        choices=[
            ("basic", _("basic")),
            ("intermediate", _("intermediate")),
            ("advanced", _("advanced")),
        ],
    )
    qualification_valid_until = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True, help_text=_("empty: the unit's default"))

    objects = OfficerManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name", "badge_number"]

    class Meta:
        ordering = ["badge_number"]

    def __str__(self) -> str:
        return f"{self.name} ({self.badge_number})"

    @property
    def zone(self) -> str:
        """The time zone the officer reads dates in: their unit's, UTC without one."""
        return self.unit.timezone if self.unit else "UTC"

    def qualified_on(self, day: date) -> bool:
        return bool(
            self.qualification_level
            and self.qualification_valid_until
            and self.qualification_valid_until >= day
        )


class RoleGrant(models.Model):
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="grants")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.UNIT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["officer", "unit", "role"], name="grant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.role} @ {self.unit} ({self.scope})"


class CalendarNotice(models.Model):
    """An official holiday notice loaded by an administrator (`casetrail calendar load`)."""

    LEDGER_SUBJECT: ClassVar[str] = "calendar_notice"

    calendar = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    text = models.TextField(help_text="the notice as loaded (TOML or JSON)")
    sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(
        "Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["calendar", "year", "loaded_at"]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year} ({self.source})"


class ApiToken(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "token"

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("Token name"), max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Every token lapses: chosen on creation, at most CASETRAIL_TOKEN_MAX_DAYS.
    expires_at = models.DateTimeField(_("Expires"))
    # A read-only token answers 403 to every write method (POST, PUT, PATCH, DELETE).
    read_only = models.BooleanField(_("Read-only"), default=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.officer})"

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now

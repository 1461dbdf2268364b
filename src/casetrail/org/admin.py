from django.contrib import admin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from casetrail.org.models import Officer, RoleGrant, Unit


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every write goes through an action and the ledger; the admin only reads."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class GrantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleGrant
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "pack", "timezone"]
    search_fields = ["code", "name"]


@admin.register(Officer)
class OfficerAdmin(ReadOnlyAdmin):
    list_display = ["badge_number", "name", "unit", "is_active", "qualification_valid_until"]
    search_fields = ["badge_number", "name", "username"]
    exclude = ["password"]
    inlines = [GrantInline]


# django-otp's own admin edits devices and shows their secrets; here devices are listed only,
# and a lost one is reset through org.actions.reset_second_factor (`casetrail second-factor`).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    fields = ["user", "name", "confirmed", "last_used_at"]

"""The roles of DESIGN.md, granted at a unit for that unit or its whole subtree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", _("intake officer")
    CASE_HANDLER = "case_handler", _("case handler")
    UNIT_LEADER = "unit_leader", _("unit leader")
    LEGAL_REVIEWER = "legal_reviewer", _("legal reviewer")
    AGENCY_HEAD = "agency_head", _("agency head")
    CUSTODY_OFFICER = "custody_officer", _("custody officer")
    PROPERTY_CUSTODIAN = "property_custodian", _("property custodian")
    SUPERVISOR = "supervisor", _("supervisor / auditor")
    MEDIATOR = "mediator", _("mediator")
    ADMINISTRATOR = "administrator", _("administrator")


class Scope(models.TextChoices):
    UNIT = "unit", _("this unit only")
    SUBTREE = "subtree", _("this unit and every unit below it")


# Roles that read the case files of their scope.
CASE_READERS = frozenset(
    {
        Role.CASE_HANDLER,
        Role.UNIT_LEADER,
        Role.LEGAL_REVIEWER,
        Role.AGENCY_HEAD,
        Role.SUPERVISOR,
        Role.INTAKE_OFFICER,
    }
)
# Roles that may see a sealed case (a juvenile suspect) in their scope; handlers only
# when they are assigned to that very case.
SEALED_READERS = frozenset(
    {
        Role.UNIT_LEADER,
        Role.LEGAL_REVIEWER,
        Role.AGENCY_HEAD,
        Role.SUPERVISOR,
    }
)
# Roles that change cases of their scope (supervisors read only).
CASE_WRITERS = frozenset({Role.CASE_HANDLER, Role.UNIT_LEADER, Role.AGENCY_HEAD})
INTAKE_WRITERS = frozenset({Role.INTAKE_OFFICER, Role.CASE_HANDLER, Role.UNIT_LEADER})
# Roles that change any case of their unit and approve the moves that decide a case.
CASE_LEADERS = frozenset({Role.UNIT_LEADER, Role.AGENCY_HEAD})
# Roles that read the ledger's own housekeeping entries (units, officers, keys, calendars).
LEDGER_READERS = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
# Roles that approve or supervise: an officer holding one must log in with a second factor
# (TOTP) wherever the top-level unit of the grant requires it (Unit.second_factor_required).
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.UNIT_LEADER,
        Role.AGENCY_HEAD,
        Role.LEGAL_REVIEWER,
        Role.SUPERVISOR,
        Role.ADMINISTRATOR,
    }
)


def role_label(role: str) -> str:
    """A role's name in the officer's language (the code itself for one that is no role)."""
    return str(Role(role).label) if role in Role.values else role

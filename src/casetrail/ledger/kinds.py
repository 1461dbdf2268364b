"""Ledger kinds: past-tense facts with stable values, never renamed or reused."""

from django.db import models


class LedgerKind(models.TextChoices):
    VIEWED = "viewed", "viewed"
    UNIT_CREATED = "unit.created", "unit created"
    OFFICER_CREATED = "officer.created", "officer created"
    OFFICER_UPDATED = "officer.updated", "officer updated"
    ROLE_GRANTED = "role.granted", "role granted"
    ROLE_REVOKED = "role.revoked", "role revoked"
    TOKEN_ISSUED = "token.issued", "API token issued"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    INCIDENT_RECORDED = "incident.recorded", "incident recorded"
    INCIDENT_DECIDED = "incident.decided", "incident decided"
    REPORTER_NOTIFIED = "incident.reporter_notified", "reporter notified"
    CASE_OPENED = "case.opened", "case opened"
    CASE_TRANSITIONED = "case.transitioned", "case moved to a new state"
    HANDLER_ASSIGNED = "case.handler_assigned", "handler assigned"
    HANDLER_RELEASED = "case.handler_released", "handler released"
    PARTY_ADDED = "case.party_added", "party added"
    PERSON_RECORDED = "person.recorded", "person recorded"
    CALENDAR_NOTICE_LOADED = "calendar.notice_loaded", "calendar notice loaded"

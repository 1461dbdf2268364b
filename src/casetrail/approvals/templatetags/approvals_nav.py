"""The count beside "Awaiting my approval" in the navigation bar, and a role by its name."""

from __future__ import annotations

from typing import Any

from django import template

from casetrail.approvals.inbox import count_for
from casetrail.org.access import needs_second_factor, second_factor_verified
from casetrail.org.roles import role_label

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_count(context: dict[str, Any]) -> int:
    user = context["request"].user
    if not user.is_authenticated:
        return 0
    if needs_second_factor(user) and not second_factor_verified(user):
        return 0  # nothing about the work until the code is typed
    return count_for(user)


@register.filter
def role_name(role: str) -> str:
    """A role as the officer's language names it (``agency_head`` → 机关负责人)."""
    return role_label(role) if role else ""

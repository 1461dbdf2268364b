"""The count beside "Awaiting my approval" in the navigation bar, and a role by its name."""

from __future__ import annotations

from typing import Any

from django import template

from casetrail.approvals.actions import role_label
from casetrail.approvals.inbox import count_for

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_count(context: dict[str, Any]) -> int:
    user = context["request"].user
    return count_for(user) if user.is_authenticated else 0


@register.filter
def role_name(role: str) -> str:
    """A role as the officer's language names it (``agency_head`` → 机关负责人)."""
    return role_label(role) if role else ""

"""The count beside "Awaiting my approval" in the navigation bar."""

from __future__ import annotations

from typing import Any

from django import template

from casetrail.approvals.inbox import count_for

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_count(context: dict[str, Any]) -> int:
    user = context["request"].user
    return count_for(user) if user.is_authenticated else 0

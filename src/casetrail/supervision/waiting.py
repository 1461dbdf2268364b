"""Supervision's part of every officer's "awaiting me" list: findings to rectify,
rectifications to review, and score reviews to answer. The inbox shows the same findings as
the supervision page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casetrail.approvals.inbox import Source, Waiting
from casetrail.org.models import Officer
from casetrail.supervision.queries import (
    reviews_to_answer,
    to_rectify,
    to_review,
    waiting_count,
)


def _items(officer: Officer) -> list[Waiting]:
    language = get_language() or "en"
    found: list[Waiting] = []
    for what, role, rows in (
        (_("finding to rectify"), _("responsible unit"), to_rectify(officer)),
        (_("rectification to review"), _("supervisor"), to_review(officer)),
    ):
        for finding in rows.select_related("unit", "case").order_by("due_at", "id"):
            found.append(
                Waiting(
                    what=what,
                    title=finding.title(language),
                    case_number=finding.case.number if finding.case else "",
                    unit_name=finding.unit.name,
                    role=role,
                    since=finding.opened_at,
                    due_at=finding.due_at,
                    url=reverse("supervision:finding", args=[finding.pk]),
                )
            )
    for review in reviews_to_answer(officer):
        found.append(
            Waiting(
                what=_("score review to answer"),
                title=f"{review.quarter} · {review.reasons[:60]}",
                case_number="",
                unit_name=review.unit.name,
                role=_("supervisor"),
                since=review.requested_at,
                due_at=review.answer_due_at,
                url=f"{reverse('supervision:scorecard')}?quarter={review.quarter}",
            )
        )
    return found


SOURCE = Source(_items, waiting_count)

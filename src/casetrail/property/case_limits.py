"""Property's part of a case's time limits (`casetrail.cases.panels`): each limit of the case's
items still open or missed with no account (return, disposal, transfer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from casetrail.cases.models import Case
from casetrail.cases.panels import Limit
from casetrail.custody import clocks
from casetrail.property.models import DeadlineStatus, ItemDeadline
from casetrail.web.language import pick
from casetrail.web.states import OVERDUE, pending_state


def limits(case: Case, now: datetime) -> Iterator[Limit]:
    pending = Q(status=DeadlineStatus.OPEN) | Q(
        status=DeadlineStatus.MISSED, accounted_at__isnull=True
    )
    rows = ItemDeadline.objects.filter(pending, item__case=case).select_related("item")
    for row in rows.order_by("due_at", "id"):
        missed = row.status == DeadlineStatus.MISSED
        yield Limit(
            area=gettext("property"),
            title=pick(row.title_en, row.title_zh),
            subject=f"{row.item.code} · {row.item.description}"[:120],
            due_at=row.due_at,
            state=OVERDUE if missed else pending_state(row.due_at, row.warn_at, now),
            citation=clocks.citation_shown(row.citation),
            citation_full=row.citation,
            steps=tuple(clocks.say(step) for step in row.explanation),
            url=reverse("property:item", args=[row.item_id]),
        )

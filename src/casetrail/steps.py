"""The seam through which an upper app takes part in a lower app's step.

custody does not import documents, yet proposing a detention drafts its warrant, deciding it
decides the warrant, and starting it is refused while the warrant is not issued. The lower app
names its steps and calls ``followed`` (after its write, in its transaction) and ``check``
(before it); the upper app registers what follows and what gates in its ``ready()``.
A follower or a gate that raises ``Refused`` stops the step and rolls back the transaction.

This module imports nothing of casetrail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Hook = Callable[..., None]

_FOLLOWERS: defaultdict[str, list[Hook]] = defaultdict(list)
_GATES: defaultdict[str, list[Hook]] = defaultdict(list)


def follow(step: str, hook: Hook) -> None:
    """Run ``hook(subject, **details)`` after the step's write."""
    if hook not in _FOLLOWERS[step]:
        _FOLLOWERS[step].append(hook)


def gate(step: str, hook: Hook) -> None:
    """Run ``hook(subject, **details)`` before the step; it refuses by raising."""
    if hook not in _GATES[step]:
        _GATES[step].append(hook)


def followed(step: str, subject: Any, **details: Any) -> None:
    for hook in _FOLLOWERS[step]:
        hook(subject, **details)


def check(step: str, subject: Any, **details: Any) -> None:
    for hook in _GATES[step]:
        hook(subject, **details)

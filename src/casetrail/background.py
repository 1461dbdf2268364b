"""Periodic background work (deadline sweeps, tree-head signing) in one place.

Apps register their jobs in their AppConfig.ready(). `casetrail serve` runs them in a daemon
thread beside the web server (the default for small installs); `casetrail worker` runs them
in the foreground for production, on as many machines as wanted: each job must be safe to
run concurrently (database locks or unique constraints, never in-process state).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("casetrail.background")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]


_JOBS: dict[str, Job] = {}


def register(name: str, every_seconds: float, run: Callable[[], object]) -> None:
    """Register (or replace) a periodic job."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    _JOBS[name] = Job(name, every_seconds, run)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def run_due(last_run: dict[str, float], now: float) -> list[str]:
    """Run every job whose interval has passed; a failing job is logged, never fatal."""
    ran = []
    for job in jobs():
        if now - last_run.get(job.name, float("-inf")) < job.every_seconds:
            continue
        last_run[job.name] = now
        try:
            job.run()
        except Exception:
            log.exception("background job %s failed", job.name)
        ran.append(job.name)
    return ran


def run_forever(stop: threading.Event, *, tick: float = 1.0) -> None:
    from django.db import close_old_connections

    last_run: dict[str, float] = {}
    while not stop.is_set():
        close_old_connections()
        run_due(last_run, time.monotonic())
        stop.wait(tick)


def start_thread() -> threading.Event:
    """Run the jobs in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(stop,), name="casetrail-background", daemon=True
    )
    thread.start()
    return stop

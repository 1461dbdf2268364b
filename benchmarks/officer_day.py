"""The officer's day (issue 15): a shoplifting report taken from the intake officer to an
archived case through the pages, in a real browser, counting the user's actions and reading the
server's own time of every page.

    .venv/bin/python benchmarks/officer_day.py [BASE_URL] [--runs 5]

Drives the running demo (`casetrail demo --port 8021`, the default BASE_URL
http://127.0.0.1:8021) with Playwright in headless Chromium (``CASETRAIL_CHROMIUM`` or
/usr/bin/chromium), as the officers of 东湖派出所 would: the intake officer records the report
of a shop (盗窃 of goods worth 86 yuan: an administrative case under the Public Security
Administration Punishments Law) and accepts it as an administrative case with two handlers; the
handler registers the acceptance (受案登记表), starts the investigation, adds the suspect with
their resident ID and proposes a summons (传唤证, drafted with it), which the unit leader
approves; the handler serves it, starts it, brings the person into the case-handling area,
checks them, questions them (询问, with its recording) and lets them go, which ends the summons;
the handler makes and serves the record of notice of the intended penalty (a fine of 500 yuan,
行政处罚告知笔录) and records the statement heard; the unit leader decides (a fine, which the law
allows for a theft of minor circumstances, PSAPL 2012 art. 49, and which a police station
decides itself, art. 91); the handler drafts the penalty decision (行政处罚决定书) and submits
it, a legal reviewer (legal1) and the district's agency head (dh.head) approve it, which issues
it, and the handler serves it; the case is closed (执行完毕) and archived. Only the pages: no
API, no ORM. The officer takes the shortest way the pages offer: the case page's custody links,
the measure's and the document's links back to the case, the documents page's list of types
with the chosen type's labelled fields, and the values the pages preselect left as they are.

What it counts, per step and in all: a user action is a click on a link or a button, a form
submission (the click on its button), a choice in a select (each option picked in a multiple
select), the OK of a confirmation dialog and a signature drawn on the pad, each once; typing into
a field is not an action, and the fields typed are counted apart. A select left at the value the
page already offers costs nothing. Logging in (password and, for a leader, a legal reviewer or
an agency head, the six-digit code) counts, and is reported apart; each officer works at their
own browser and logs in once a run.
The time fields have minute precision; a time in the minute of the approval or the issue it
follows is accepted, so the officer types the current minute and never waits (a version that
refused it made the script wait for the next minute; the waits are still reported).

What it times: the demo's `Server-Timing: app;dur=<ms>` header (casetrail.web.timing, the time
Django spent on the request), read from every page and every htmx answer in the browser, so the
figures are the server's, not the network's or the browser's. Baseline: the target of issue 15
(at most 20 actions in all, every page under 200 ms at p95), and the figure reported for other
systems in this field (about 50 clicks for the same case).

Each run takes a new report, so every run starts from a fresh state. A step that cannot be
done through the pages (nothing to click where it should be, a form refused, a move refused, a
state that does not come) stops the script, exit 1, with the step, what the page said and a
screenshot in the temporary directory, after printing the figures of what was done.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import random
import re
import statistics
import struct
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

PASSWORD = "casetrail-demo"  # noqa: S105 - every demo officer's, published in README.md
# The demo's one published second-factor secret (README.md; docs/decisions/0007-second-factor.md).
DEMO_TOTP_SECRET = "MNQXGZLUOJQWS3BNMRSW23ZNORXXI4BB"  # noqa: S105 - published with the demo
SHANGHAI = timezone(timedelta(hours=8))  # the cn units' zone: the time fields are typed in it
TARGET_ACTIONS = 20
TARGET_P95_MS = 200.0
OTHERS_CLICKS = 50  # "other systems in this field are reported to need about 50 clicks"

# The officers of 东湖派出所 in the demo.
INTAKE = "dh01.intake"
HANDLER = "dh01.handler1"
LEADER = "dh01.leader"
LEGAL = "legal1"  # legal reviewer of the whole city (法制支队): the decision's first approval
HEAD = "dh.head"  # agency head of 东湖分局: the decision's second approval
REVIEW_OPINION = "事实清楚，证据确实充分，定性准确，适用法律正确，程序合法，处罚适当，同意"
HANDLER_BADGES = ("JNDH0111", "JNDH0112")  # dh01.handler1 and dh01.handler2

SURNAMES = "李王张刘陈杨赵黄周吴"
GIVEN = ("小明", "建国", "海涛", "志强", "春燕", "晓东", "国华", "立伟", "文静", "永刚")


class StepFailed(Exception):
    """A step went wrong: the page refused, or what it should show did not come."""


@dataclass
class Hit:
    """One page or htmx answer, with the server's time."""

    run: int
    step: str
    method: str
    url: str
    kind: str
    status: int
    ms: float


@dataclass
class Step:
    name: str
    role: str
    # The officer's actions by kind: link, button (a submission or an htmx move), select,
    # confirm (the OK of a dialog), sign (on the pad).
    kinds: Counter[str] = field(default_factory=Counter)
    login_actions: int = 0
    fields: int = 0
    login_fields: int = 0
    waited_s: float = 0.0
    hits: list[Hit] = field(default_factory=list)

    @property
    def actions(self) -> int:
        return sum(self.kinds.values())


@dataclass
class Run:
    number: int
    case: str = ""
    steps: list[Step] = field(default_factory=list)
    failed: str = ""  # the step that failed

    @property
    def actions(self) -> int:
        return sum(s.actions + s.login_actions for s in self.steps)

    @property
    def kinds(self) -> Counter[str]:
        return sum((s.kinds for s in self.steps), Counter())

    @property
    def login_actions(self) -> int:
        return sum(s.login_actions for s in self.steps)

    @property
    def fields(self) -> int:
        return sum(s.fields for s in self.steps)


# -- the second factor ------------------------------------------------------------------------


def totp(secret: str, at: float) -> tuple[str, int]:
    """RFC 6238 (SHA-1, 30 s, six digits), as any authenticator app: the code and its step."""
    key = base64.b32decode(secret)
    step = int(at // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{number:06d}", step


# -- page kinds -------------------------------------------------------------------------------

CASE_NUMBER = re.compile(r"[A-Z0-9]+-\d{4}-\d{6}")
NUMBER = re.compile(r"/\d+(?=/|$)")


def page_kind(method: str, url: str, htmx: bool) -> str:
    """The page a request asks for, with its records left out: `GET /cases/<case>/`."""
    path = re.sub(r"^https?://[^/]+", "", url).split("?", 1)[0]
    path = NUMBER.sub("/<id>", CASE_NUMBER.sub("<case>", path))
    return f"{method} {path}" + (" (htmx)" if htmx else "")


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (the value below which q of the values fall)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil(n q), at least 1
    return ordered[int(rank) - 1]


# -- an officer at their browser ----------------------------------------------------------------


class Day:
    """One run: the officers' browsers, the step being done, the counts and the times."""

    def __init__(self, browser: Any, base: str, run: Run, *, secret: str, used: dict[str, int]):
        self.browser = browser
        self.base = base.rstrip("/")
        self.run = run
        self.secret = secret
        self.used_steps = used  # the TOTP step each officer last used (codes are single-use)
        self.pages: dict[str, Any] = {}
        self.contexts: list[Any] = []
        self.step: Step | None = None
        self.logging_in = False
        self.current: Any = None  # the page acted on last (for the screenshot of a failure)
        self.last_event = datetime.now(SHANGHAI)  # the last approval, issue or start recorded
        self.missing_timing: list[str] = []
        self.status: dict[Any, int] = {}  # each page's last document answer

    # ---- bookkeeping

    @contextmanager
    def doing(self, name: str, role: str) -> Iterator[Step]:
        step = Step(name, role)
        self.run.steps.append(step)
        self.step = step
        try:
            yield step
        finally:
            self.step = None

    def _count(self, kind: str, n: int = 1) -> None:
        assert self.step is not None
        if self.logging_in:
            self.step.login_actions += n
        else:
            self.step.kinds[kind] += n

    def _on_response(self, response: Any) -> None:
        request = response.request
        htmx = request.headers.get("hx-request") == "true"
        if request.resource_type != "document" and not htmx:
            return
        if request.resource_type == "document" and response.frame == response.frame.page.main_frame:
            self.status[response.frame.page] = response.status
        header = response.headers.get("server-timing", "")
        found = re.search(r"(?:^|,\s*)app;dur=(\d+(?:\.\d+)?)", header)
        if found is None:
            self.missing_timing.append(f"{request.method} {response.url} ({response.status})")
            return
        step = self.step
        hit = Hit(
            run=self.run.number,
            step=step.name if step else "(between steps)",
            method=request.method,
            url=response.url,
            kind=page_kind(request.method, response.url, htmx),
            status=response.status,
            ms=float(found.group(1)),
        )
        if step is not None:
            step.hits.append(hit)

    def _on_dialog(self, dialog: Any) -> None:
        # The confirmation a move that cannot be undone asks: the officer reads it and clicks OK.
        self._count("confirm")
        dialog.accept()

    def officer(self, username: str) -> Any:
        """The officer's page, logging them in (counted apart) the first time in the run."""
        if username in self.pages:
            return self.pages[username]
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("response", self._on_response)
        page.on("dialog", self._on_dialog)
        self.pages[username] = page
        self.current = page
        self.logging_in = True
        try:
            page.goto(f"{self.base}/login/")
            self.type(page, "#id_username", username)
            self.type(page, "#id_password", PASSWORD)
            self.click(page, "main button[type=submit]", kind="button")
            if "/login/second-factor/" in page.url:
                self.type(page, "#id_code", self._code(username))
                self.click(page, "main button[type=submit]", kind="button")
        finally:
            self.logging_in = False
        if "/login/" in page.url:
            raise StepFailed(f"{username} could not log in: {self._said(page)}")
        return page

    def _code(self, username: str) -> str:
        """A code from the authenticator, waiting for a fresh one if this officer's last code is
        the current one (a code is accepted once)."""
        while True:
            code, step = totp(self.secret, time.time())
            if self.used_steps.get(username) != step:
                self.used_steps[username] = step
                return code
            self._wait(30 - time.time() % 30 + 0.5)

    def _wait(self, seconds: float) -> None:
        if self.step is not None:
            self.step.waited_s += seconds
        time.sleep(seconds)

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    # ---- what the officer does

    def click(
        self, page: Any, selector: str, *, navigates: bool = True, kind: str = "link"
    ) -> None:
        """A click on a link or a button (one action); a page it loads is waited for."""
        self.current = page
        self._count(kind)
        target = page.locator(selector).first
        try:
            target.wait_for(state="visible", timeout=15_000)
        except Exception as exc:
            raise StepFailed(f"nothing to click at {selector!r} on {page.url}") from exc
        if navigates:
            with page.expect_navigation():
                target.click()
            page.wait_for_load_state()
        else:
            target.click()

    def submit(self, page: Any, selector: str) -> None:
        """A form's button, then: the page must not refuse (a 4xx/5xx or a field error)."""
        self.click(page, selector, kind="button")
        self.expect_accepted(page)

    def select(self, page: Any, selector: str, *values: str, label: bool = False) -> None:
        """Pick in a select: one action per option picked that was not already chosen."""
        current = page.eval_on_selector(
            selector, "s => Array.from(s.selectedOptions).map(o => [o.value, o.label])"
        )
        chosen = {(label and text) or value for value, text in current}
        wanted = set(values)
        if wanted == chosen:
            return
        self._count("select", len(wanted - chosen) if len(values) > 1 else 1)
        if label:
            page.select_option(selector, label=list(values))
        else:
            page.select_option(selector, list(values))

    def type(self, page: Any, selector: str, text: str) -> None:
        """Typing into a field: no action, counted apart."""
        assert self.step is not None
        if self.logging_in:
            self.step.login_fields += 1
        else:
            self.step.fields += 1
        page.fill(selector, text)

    def sign(self, page: Any) -> None:
        """The recipient signs on the pad the officer hands over: one action."""
        self._count("sign")
        pad = page.locator("canvas[data-signature-pad]").first
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        if box is None:
            raise StepFailed(f"no signature pad on {page.url}")
        page.mouse.move(box["x"] + 20, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 200, box["y"] + 90, steps=12)
        page.mouse.up()

    def move(self, page: Any, name: str, status: str) -> None:
        """A move of the case (an htmx button that asks for confirmation first)."""
        self.click(page, f"button[data-move={name}]", navigates=False, kind="button")
        try:
            page.wait_for_selector(
                f"[data-testid=case-status][data-status={status}], [data-testid=move-error]"
            )
        except Exception as exc:
            raise StepFailed(f"the move {name} did not answer on {page.url}") from exc
        error = page.query_selector("[data-testid=move-error]")
        if error is not None:
            raise StepFailed(f"the move {name} was refused: {error.inner_text()}")

    # ---- reading the page

    def expect_accepted(self, page: Any) -> None:
        """The form was taken: the page after it is no refusal (a form answered again with its
        errors is a 400) and no error page."""
        status = self.status.get(page, 0)
        if status < 400:
            return
        said = page.query_selector_all("main .errors li, main [role=alert], main .alert")
        text = "; ".join(e.inner_text().strip() for e in said) or self._said(page)
        raise StepFailed(f"refused ({status}) at {page.url}: {text}")

    @staticmethod
    def _said(page: Any) -> str:
        return (
            re.sub(r"\s+", " ", page.inner_text("main"))[:400]
            if page.query_selector("main")
            else ""
        )

    # ---- the clock

    def minute_after_last_event(self) -> str:
        """The current minute, at the earliest the minute of the last approval, issue or start
        (a time typed to the minute is not before an event recorded within that minute)."""
        floor = self.last_event.replace(second=0, microsecond=0)
        now = datetime.now(SHANGHAI)
        if now < floor:
            self._wait((floor - now).total_seconds() + 0.5)
            now = datetime.now(SHANGHAI)
        return now.strftime("%Y-%m-%dT%H:%M")

    def mark_event(self) -> None:
        self.last_event = datetime.now(SHANGHAI)

    @staticmethod
    def now_typed(minutes_ago: int = 0) -> str:
        return (datetime.now(SHANGHAI) - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


# -- the flow -----------------------------------------------------------------------------------


def resident_id(rng: random.Random) -> str:
    """A resident ID number that checks (GB 11643-1999): 南京市玄武区, an adult's birth date."""
    born = date(1975, 1, 1) + timedelta(days=rng.randrange(365 * 25))
    first17 = f"320102{born:%Y%m%d}{rng.randrange(100, 1000)}"
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    return first17 + check


def officer_ids(page: Any, selector: str, *badges: str) -> list[str]:
    """The option values of the officers with these badge numbers (their labels end with it)."""
    options = page.eval_on_selector(
        selector, "s => Array.from(s.options).map(o => [o.value, o.label])"
    )
    found = [value for value, text in options for badge in badges if f"({badge})" in text]
    if len(found) != len(badges):
        raise StepFailed(f"officers {badges} not offered in {selector} on {page.url}")
    return found


def the_day(day: Day, rng: random.Random) -> None:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    id_number = resident_id(rng)

    with day.doing("intake: record the report", "intake officer"):
        intake = day.officer(INTAKE)
        day.click(intake, "header nav a[href='/incidents/new/']")
        # The shop called 110 (the channel the form offers first); the manager is the reporter.
        day.type(intake, "#id_received_at", day.now_typed(minutes_ago=20))
        day.type(intake, "#id_reporter_name", "孙店长")
        day.type(intake, "#id_reporter_contact", "13912345678")
        day.type(intake, "#id_location", "东湖路8号华联超市")
        day.select(intake, "#id_category", "AD-THEFT")
        day.type(intake, "#id_summary", f"{name}在华联超市盗窃洗发水两瓶，价值86元，被店员当场发现")
        day.submit(intake, "main form button[type=submit]")
        if "/receipt/" not in intake.url:
            raise StepFailed(f"no receipt after recording the report: {intake.url}")

    with day.doing("decision: accept as administrative case, two handlers", "intake officer"):
        day.click(intake, "main a.button[href^='/incidents/']")
        # 受理为行政案件 is the decision the form offers first; the category came with the report.
        handlers = officer_ids(intake, "#id_handler_ids", *HANDLER_BADGES)
        day.select(intake, "#id_handler_ids", *handlers)
        day.submit(intake, "main form button[type=submit]")
        found = CASE_NUMBER.search(intake.url)
        if found is None:
            raise StepFailed(f"the decision opened no case: {intake.url}")
        case = day.run.case = found.group(0)

    with day.doing("registration: 受案登记表", "handler"):
        handler = day.officer(HANDLER)
        day.click(handler, f"#mine a[href='/cases/{case}/']")
        day.click(handler, "[data-testid=case-documents]")
        _draft(day, handler, "acceptance_register", opinion="属于治安案件，予以受理")
        day.submit(handler, "main form[action$='/submit/'] button[type=submit]")
        _expect_status(handler, "已签发", "the acceptance register")

    with day.doing("investigation: start", "handler"):
        # A document's page links to its case.
        day.click(handler, "main [data-testid=document-case]")
        day.move(handler, "investigate", "investigating")

    with day.doing("party: the suspect with resident ID", "handler"):
        # 违法犯罪嫌疑人 is the role the form offers first.
        day.type(handler, "#id_name", name)
        day.select(handler, "#id_id_type", "resident_id")
        day.type(handler, "#id_id_number", id_number)
        day.submit(handler, f"main form[action='/cases/{case}/parties/'] button[type=submit]")

    with day.doing("summons: propose (传唤证 drafted with it)", "handler"):
        # The case page's custody section; the only suspect and, on an administrative case, the
        # administrative summons are offered chosen (select() costs nothing when they are).
        if f"/cases/{case}/" not in handler.url:
            raise StepFailed(f"adding the party left the case page: {handler.url}")
        day.click(handler, "main [data-testid=propose-measure]")
        day.select(handler, "#id_person_id", name, label=True)
        day.select(handler, "#id_kind", "admin_summons")
        day.type(handler, "#id_reason", "涉嫌盗窃超市商品，依法传唤询问查证")
        day.submit(handler, "main form button[type=submit]")
        if not re.search(r"/custody/measures/\d+/$", handler.url):
            raise StepFailed(f"the proposal led to {handler.url}")

    with day.doing("summons: approve", "unit leader"):
        leader = day.officer(LEADER)
        _approve(day, leader, case, "/custody/measures/")
        day.mark_event()

    with day.doing("summons: serve on the person", "handler"):
        # The measure page lists its documents: the 传唤证, issued by the approval.
        day.click(handler, "main [data-testid=measure-documents] a:has-text('传唤证')")
        _expect_status(handler, "已签发", "the summons")
        _serve(day, handler, name)

    with day.doing("questioning: start the summons, enter the area", "handler"):
        day.click(handler, "main a[href^='/custody/measures/']")
        day.type(handler, "#id_start_started_at", day.minute_after_last_event())
        day.submit(handler, "main form[action$='/start/'] button[type=submit]")
        # The measure page links to its case, the case page into the area.
        day.click(handler, "main [data-testid=measure-case]")
        day.click(handler, "main [data-testid=bring-in]")
        # The only suspect and the only running measure are offered chosen.
        day.select(handler, "#id_person_id", name, label=True)
        measures = _options(handler, "#id_measure_id")
        if len(measures) != 1:
            raise StepFailed(f"expected the one running summons, offered {measures}")
        day.select(handler, "#id_measure_id", measures[0])
        day.type(handler, "#id_entered_at", day.now_typed())
        escorts = officer_ids(handler, "#id_escort_ids", *HANDLER_BADGES)
        day.select(handler, "#id_escort_ids", *escorts)
        day.type(handler, "#id_reason", "传唤到案，接受询问")
        day.submit(handler, "main form button[type=submit]")
        if "/custody/sessions/" not in handler.url:
            raise StepFailed(f"the entry led to {handler.url}")

    with day.doing("questioning: safety check, 询问 recorded, release", "handler"):
        day.type(handler, "#id_safety-check_at", day.now_typed())
        day.type(handler, "#id_safety-check_search_record", "未发现违禁物品")
        day.type(handler, "#id_safety-check_injuries_observed", "无")
        day.submit(handler, "main form[action$='/safety-check/'] button[type=submit]")
        # 询问 is offered chosen for anyone but a criminal suspect.
        day.select(handler, "#id_interviews_kind", "inquiry")
        day.type(handler, "#id_interviews_room", "询问室2")
        day.type(handler, "#id_interviews_started_at", day.now_typed())
        day.type(handler, "#id_interviews_ended_at", day.now_typed())
        questioners = officer_ids(handler, "#id_interviews_officer_ids", *HANDLER_BADGES)
        day.select(handler, "#id_interviews_officer_ids", *questioners)
        day.type(handler, "#id_interviews_recording_id", f"DH01-REC-{case[-6:]}")
        day.type(
            handler, "#id_interviews_recording_sha256", hashlib.sha256(case.encode()).hexdigest()
        )
        day.submit(handler, "main form[action$='/interviews/'] button[type=submit]")
        day.type(handler, "#id_exit_exited_at", day.now_typed())
        # 已释放 is the destination the form offers first; leaving released ends the summons.
        day.submit(handler, "main form[action$='/exit/'] button[type=submit]")

    with day.doing("penalty notice: move, 行政处罚告知笔录 drafted and issued", "handler"):
        # The area stay's page links to its case.
        day.click(handler, "main [data-testid=session-case]")
        # A fine of 500 yuan: no hearing (PSAPL: a hearing is for larger fines and detention).
        day.move(handler, "notify_penalty", "penalty_notice")
        day.click(handler, "[data-testid=case-documents]")
        _draft(
            day,
            handler,
            "penalty_notice_record",
            person=name,
            intended_penalty="罚款五百元",
            statement="对违法事实无异议，不要求听证",
        )
        day.submit(handler, "main form[action$='/submit/'] button[type=submit]")
        _expect_status(handler, "已签发", "the record of notice")
        day.mark_event()

    with day.doing("penalty notice: serve (the person signs the record)", "handler"):
        _serve(day, handler, name)

    with day.doing("statement and defence heard", "handler"):
        day.click(handler, "main [data-testid=document-case]")
        day.move(handler, "hear_statement", "statement_defence")

    with day.doing("penalty decision: the leader decides", "unit leader"):
        day.click(leader, "header nav a[href='/approvals/']")
        day.click(leader, f"main tr:has-text('{case}') a[href^='/cases/']")
        day.move(leader, "decide", "decided")

    with day.doing("penalty decision: draft 行政处罚决定书, submit", "handler"):
        # The handler's case page, as the statement left it.
        day.click(handler, "[data-testid=case-documents]")
        _draft(
            day,
            handler,
            "penalty_decision",
            person=name,
            penalty="罚款五百元",
            legal_basis="《中华人民共和国治安管理处罚法》第四十九条",
            fine="500",
            execution="自收到本决定书之日起十五日内到指定银行缴纳罚款",
        )
        day.submit(handler, "main form[action$='/submit/'] button[type=submit]")
        _expect_status(handler, "待审批", "the penalty decision")
        decision_url = handler.url

    with day.doing("penalty decision: legal review", "legal reviewer"):
        legal = day.officer(LEGAL)
        # The legal review is given in writing (the page refuses an approval without it).
        _approve(day, legal, case, "/documents/", opinion=REVIEW_OPINION)

    with day.doing("penalty decision: the agency head approves (issued)", "agency head"):
        head = day.officer(HEAD)
        _approve(day, head, case, "/documents/")
        _expect_status(head, "已签发", "the penalty decision")
        day.mark_event()

    with day.doing("penalty decision: serve (the person signs)", "handler"):
        # The handler's page still shows the decision as submitted: back to the case's
        # documents and into the decision again, now issued.
        day.click(handler, f"main a[href='/documents/cases/{case}/']")
        day.click(handler, f"main table a[href='{decision_url.split(day.base, 1)[-1]}']")
        _expect_status(handler, "已签发", "the penalty decision")
        _serve(day, handler, name)

    with day.doing("closure: execution recorded (执行完毕)", "handler"):
        day.click(handler, "main [data-testid=document-case]")
        day.move(handler, "execute", "executed")

    with day.doing("archive", "handler"):
        day.move(handler, "archive", "archived")


def _draft(day: Day, page: Any, type_id: str, *, person: str = "", **params: str) -> None:
    """Draft a document of one type: its link on the case's documents page, its particulars
    typed into their labelled fields (the only person concerned is offered chosen)."""
    day.click(page, f"main [data-testid=draft-types] a[href='?type={type_id}']")
    if person:
        day.select(page, "#id_person_id", person, label=True)
    for param, value in params.items():
        day.type(page, f"main [name='params.{param}']", value)
    day.submit(page, "main form[action^='/documents/cases/'] button[type=submit]")
    if not re.search(r"/documents/\d+/$", page.url):
        raise StepFailed(f"drafting {type_id} led to {page.url}: {Day._said(page)}")


def _approve(day: Day, page: Any, case: str, href: str, opinion: str = "") -> None:
    """From the approvals list to the item of the case, approved (the decision the form offers
    first), with an opinion where one is typed."""
    day.click(page, "header nav a[href='/approvals/']")
    day.click(page, f"main tr:has-text('{case}') a[href^='{href}']")
    if opinion:
        day.type(page, "main form[action$='/decision/'] [name=opinion]", opinion)
    day.submit(page, "main form[action$='/decision/'] button[type=submit]")


def _options(page: Any, selector: str) -> list[str]:
    values = page.eval_on_selector(selector, "s => Array.from(s.options).map(o => o.value)")
    return [str(v) for v in values if v]


def _expect_status(page: Any, label: str, what: str) -> None:
    if label not in page.inner_text("main"):
        raise StepFailed(f"{what} is not {label} at {page.url}: {Day._said(page)}")


def _serve(day: Day, page: Any, name: str) -> None:
    """Service in person on the document's page: the person signs on the pad."""
    # 当面 (in person) and 受送达人已签收 (signed) are what the form offers first.
    day.type(page, "#id_served_at", day.minute_after_last_event())
    day.type(page, "#id_recipient", name)
    day.type(page, "#id_relationship", "本人")
    day.sign(page)
    day.submit(page, "main form[action$='/service/'] button[type=submit]")


# -- the report -------------------------------------------------------------------------------


KINDS = ("link", "button", "select", "confirm", "sign")


def _kinds(kinds: Counter[str]) -> str:
    return ", ".join(f"{kinds[k]} {k}" for k in KINDS if kinds[k])


def _state(run: Run) -> str:
    if run.failed:
        return f"failed at '{run.failed}'"
    return "archived"


def summarise(runs: list[Run], missing_timing: list[str]) -> list[str]:
    lines: list[str] = []
    first = runs[0]
    lines.append(f"Steps of run 1 (case {first.case or '-'}; server ms: the step's pages summed):")
    lines.append(
        f"  {'role':<14} {'step':<52} {'actions':>7} {'login':>5} {'typed':>5} "
        f"{'pages':>5} {'server ms':>9} {'wait s':>6}  actions by kind"
    )
    for step in first.steps:
        server = sum(h.ms for h in step.hits)
        lines.append(
            f"  {step.role:<14} {step.name:<52} {step.actions:>7} {step.login_actions:>5} "
            f"{step.fields:>5} {len(step.hits):>5} {server:>9.1f} {step.waited_s:>6.0f}  "
            f"{_kinds(step.kinds)}"
        )
    lines.append(
        f"  {'':<14} {'in all':<52} {first.actions - first.login_actions:>7} "
        f"{first.login_actions:>5} {first.fields:>5} "
        f"{sum(len(s.hits) for s in first.steps):>5} "
        f"{sum(h.ms for s in first.steps for h in s.hits):>9.1f} "
        f"{sum(s.waited_s for s in first.steps):>6.0f}  {_kinds(first.kinds)}"
    )
    lines.append("")
    lines.append("Runs (actions in all, of which logging in; fields typed, of which logging in):")
    for run in runs:
        login_fields = sum(s.login_fields for s in run.steps)
        lines.append(
            f"  run {run.number}: {run.actions} actions ({run.login_actions} logging in), "
            f"{run.fields + login_fields} fields ({login_fields} logging in), "
            f"{run.case or '-'}: {_state(run)}"
        )
    by_step: dict[str, list[int]] = defaultdict(list)
    for run in runs:
        for step in run.steps:
            by_step[step.name].append(step.actions + step.login_actions)
    varying = {k: sorted(set(v)) for k, v in by_step.items() if len(set(v)) > 1}
    if varying:
        lines.append(
            "  the count differs between runs at: "
            + "; ".join(f"{k} {v}" for k, v in varying.items())
        )
    hits = [h for run in runs for step in run.steps for h in step.hits]
    if hits:
        lines += _times(hits)
    actions = [run.actions for run in runs]
    lines.append("")
    lines.append(
        f"Actions in all: {statistics.median(actions):.0f} a run (median of {len(runs)}), "
        f"{statistics.median(r.login_actions for r in runs):.0f} of them logging in; "
        f"target at most {TARGET_ACTIONS}; other systems are reported at about "
        f"{OTHERS_CLICKS} clicks"
    )
    if missing_timing:
        lines.append("")
        lines.append(f"{len(missing_timing)} answers carried no Server-Timing header, e.g.:")
        lines.extend(f"  {m}" for m in missing_timing[:5])
    return lines


def _times(hits: list[Hit]) -> list[str]:
    lines = [""]
    all_ms = [h.ms for h in hits]
    lines.append(
        f"Server time of {len(hits)} pages and htmx answers: median "
        f"{statistics.median(all_ms):.1f} ms, p95 {percentile(all_ms, 0.95):.1f} ms "
        f"(target: every page under {TARGET_P95_MS:.0f} ms at p95)"
    )
    rest = [h for h in hits if not h.kind.endswith(("/login/", "/login/second-factor/"))]
    if rest and len(rest) != len(hits):
        rest_ms = [h.ms for h in rest]
        lines.append(
            f"  without the login pages: median {statistics.median(rest_ms):.1f} ms, "
            f"p95 {percentile(rest_ms, 0.95):.1f} ms"
        )
    kinds: dict[str, list[float]] = defaultdict(list)
    for h in hits:
        kinds[h.kind].append(h.ms)
    lines.append("")
    lines.append(f"  {'page kind':<52} {'n':>4} {'median':>8} {'p95':>8} {'max':>8}")
    for kind, values in sorted(kinds.items(), key=lambda kv: -percentile(kv[1], 0.95)):
        over = "  over the target" if percentile(values, 0.95) >= TARGET_P95_MS else ""
        lines.append(
            f"  {kind:<52} {len(values):>4} {statistics.median(values):>8.1f} "
            f"{percentile(values, 0.95):>8.1f} {max(values):>8.1f}{over}"
        )
    lines.append("")
    slowest = max(hits, key=lambda h: h.ms)
    lines.append(f"Slowest page: {_hit(slowest)}")
    if slowest not in rest and rest:
        lines.append(f"Slowest besides logging in: {_hit(max(rest, key=lambda h: h.ms))}")
    return lines


def _hit(hit: Hit) -> str:
    return (
        f"{hit.ms:.1f} ms, {hit.method} {hit.url} ({hit.status}), run {hit.run}, step '{hit.step}'"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8021")
    parser.add_argument("--runs", type=int, default=5, help="each on a new report (default 5)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--totp-secret", default=DEMO_TOTP_SECRET)
    parser.add_argument("--headed", action="store_true", help="show the browser")
    args = parser.parse_args()
    chromium = os.environ.get("CASETRAIL_CHROMIUM") or "/usr/bin/chromium"
    from playwright.sync_api import sync_playwright

    rng = random.Random(args.seed)
    runs: list[Run] = []
    used: dict[str, int] = {}
    missing_timing: list[str] = []
    failure = ""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=not args.headed, args=["--no-sandbox"]
        )
        for number in range(1, args.runs + 1):
            run = Run(number)
            runs.append(run)
            day = Day(browser, args.base, run, secret=args.totp_secret, used=used)
            started = time.monotonic()
            try:
                the_day(day, rng)
            except Exception as exc:
                run.failed = run.steps[-1].name if run.steps else "(before the first step)"
                failure = f"run {number}: step '{run.failed}' failed: {exc}"
                shot = Path(tempfile.gettempdir()) / f"officer_day-run{number}.png"
                if day.current is not None:
                    day.current.screenshot(path=shot, full_page=True)
                    failure += f" (screenshot {shot}, {day.current.url})"
            finally:
                missing_timing += day.missing_timing
                day.close()
            print(
                f"run {number}: {run.case or '-'}, {run.actions} actions, "
                f"{time.monotonic() - started:.0f} s, {_state(run)}",
                file=sys.stderr,
            )
            if failure:
                break
        browser.close()
    print("\n".join(summarise(runs, missing_timing)))
    if missing_timing:
        failure = failure or "pages without a Server-Timing header: is casetrail.web.timing on?"
    if failure:
        print(f"\n{failure}", file=sys.stderr)
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())

"""The demo jurisdiction: one city, two districts, four stations, a legal-affairs department,
about 35 officers covering every role, and about 500 incidents and cases in every state,
all made through the real actions so the ledger holds their whole history."""

from __future__ import annotations

import random
from base64 import b32encode
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django_otp.oath import totp
from faker import Faker

from casetrail import clock
from casetrail.cases import actions
from casetrail.cases.catalogue import ensure_offence_catalogue
from casetrail.cases.identity import resident_id
from casetrail.cases.machine import MOVES, Kind, Status
from casetrail.cases.models import Case, Channel, IdType, PartyRole
from casetrail.org import actions as org
from casetrail.org.access import needs_second_factor
from casetrail.org.inputs import CodeInput
from casetrail.org.models import Officer, Unit, UnitKind
from casetrail.org.roles import Role, Scope
from casetrail.supervision import sweep as supervision_sweep

DEMO_PASSWORD = "casetrail-demo"  # noqa: S105 - published demo credential, README lists it
# The demo's officers who approve or supervise log in with a second factor, as they would in
# production; each is enrolled with this one published secret (README, `logins_text`), so a
# visitor adds it to any authenticator app once. Never a real deployment's.
DEMO_TOTP_KEY = b"casetrail-demo-totp!".hex()  # 20 bytes
DEMO_TOTP_SECRET = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode("ascii")
HISTORY_DAYS = 150  # the demo's incidents span this many days up to the day it is loaded
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Station:
    unit: Unit
    intake: Officer
    handlers: list[Officer]
    leader: Officer


@dataclass
class Jurisdiction:
    stations: list[Station] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def is_empty() -> bool:
    return not Unit.objects.exists()


def _officer(
    j: Jurisdiction,
    unit: Unit,
    username: str,
    name: str,
    badge: str,
    roles: list[tuple[str, Unit, str]],
    *,
    lapsed: bool = False,
    describe: str,
) -> Officer:
    valid_until = _lapsed_on() if lapsed else _qualified_until()
    officer = org.create_officer(
        username=username,
        name=name,
        badge_number=badge,
        unit=unit,
        password=DEMO_PASSWORD,
        qualification_level="intermediate",
        qualification_valid_until=valid_until,
        actor=None,
    )
    for role, at, scope in roles:
        org.grant_role(officer, role=role, unit=at, scope=scope, actor=None)
    if needs_second_factor(officer):
        code = f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"  # what the app shows now
        org.enrol_second_factor(CodeInput(code=code), key=DEMO_TOTP_KEY, actor=officer)
    j.logins.append((username, describe, unit.name))
    return officer


def _qualified_until() -> date:
    """Demo qualifications run three years from the day the demo is loaded, so a demo loaded
    in any year has officers who may handle cases."""
    return clock.today_in("Asia/Shanghai") + timedelta(days=3 * 365)


def _lapsed_on() -> date:
    """The lapsed handler's qualification ended before the demo's history begins."""
    return clock.today_in("Asia/Shanghai") - timedelta(days=HISTORY_DAYS + 30)


def _units_and_officers() -> Jurisdiction:
    j = Jurisdiction()
    u = org.create_unit
    city = u(
        code="JN",
        name="江宁市公安局",
        name_en="Jiangning City Public Security Bureau",
        kind=UnitKind.CITY,
        parent=None,
        timezone="Asia/Shanghai",
        pack="cn",
        document_prefix="江公",
        actor=None,
    )
    legal = u(
        code="JNFZ",
        name="江宁市公安局法制支队",
        name_en="Legal Affairs Department",
        kind=UnitKind.DEPARTMENT,
        parent=city,
        timezone="Asia/Shanghai",
        pack="cn",
        actor=None,
    )
    S, U = Scope.SUBTREE, Scope.UNIT
    for unit, username, full_name, badge, role, describe in (
        (city, "admin", "管理员", "JN0001", Role.ADMINISTRATOR, "administrator (whole city)"),
        (
            city,
            "supervisor",
            "督察 周明",
            "JN0002",
            Role.SUPERVISOR,
            "supervisor / auditor (reads the whole city)",
        ),
        (
            legal,
            "legal1",
            "法制员 林静",
            "JN0101",
            Role.LEGAL_REVIEWER,
            "legal reviewer (whole city)",
        ),
        (
            legal,
            "legal2",
            "法制员 何伟",
            "JN0102",
            Role.LEGAL_REVIEWER,
            "legal reviewer (whole city)",
        ),
        (city, "mediator", "调解员 郭芳", "JN0201", Role.MEDIATOR, "mediator"),
    ):
        _officer(j, unit, username, full_name, badge, [(role, city, S)], describe=describe)
    districts = [
        ("DH", "东湖分局", "Donghu District Branch", [("01", "东湖派出所"), ("02", "湖滨派出所")]),
        ("XL", "西岭分局", "Xiling District Branch", [("01", "西岭派出所"), ("02", "石桥派出所")]),
    ]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    given = [
        "建国",
        "晓明",
        "丽华",
        "志强",
        "海燕",
        "立新",
        "春梅",
        "国庆",
        "秀英",
        "文博",
        "建华",
        "玉兰",
        "卫东",
        "小红",
        "永刚",
        "桂芳",
        "德明",
        "淑珍",
        "伟",
        "静",
    ]
    n = 0
    for dcode, dname, dname_en, stations in districts:
        district = u(
            code=f"JN{dcode}",
            name=dname,
            name_en=dname_en,
            kind=UnitKind.DISTRICT,
            parent=city,
            timezone="Asia/Shanghai",
            pack="cn",
            document_prefix=f"江公({dname[0]})",
            actor=None,
        )
        key = dcode.lower()
        _officer(
            j,
            district,
            f"{key}.head",
            f"局长 {surnames[n]}{given[n]}",
            f"JN{dcode}00",
            [(Role.AGENCY_HEAD, district, S)],
            describe="agency head (district)",
        )
        n += 1
        _officer(
            j,
            district,
            f"{key}.property",
            f"保管员 {surnames[n]}{given[n]}",
            f"JN{dcode}90",
            [(Role.PROPERTY_CUSTODIAN, district, S)],
            describe="property custodian (district)",
        )
        n += 1
        for scode, sname in stations:
            station = u(
                code=f"JN{dcode}{scode}",
                name=sname,
                name_en=f"{sname} station",
                kind=UnitKind.STATION,
                parent=district,
                timezone="Asia/Shanghai",
                pack="cn",
                actor=None,
            )
            p = f"{key}{scode}"
            badge = f"JN{dcode}{scode}"

            def name(title: str) -> str:
                nonlocal n
                n += 1
                return f"{title} {surnames[n % len(surnames)]}{given[n % len(given)]}"

            leader = _officer(
                j,
                station,
                f"{p}.leader",
                name("所长"),
                f"{badge}01",
                [(Role.UNIT_LEADER, station, U), (Role.CASE_HANDLER, station, U)],
                describe="unit leader (station)",
            )
            intake = _officer(
                j,
                station,
                f"{p}.intake",
                name("接警员"),
                f"{badge}02",
                [(Role.INTAKE_OFFICER, station, U)],
                describe="intake officer (station)",
            )
            handlers = [
                _officer(
                    j,
                    station,
                    f"{p}.handler{i}",
                    name("民警"),
                    f"{badge}1{i}",
                    [(Role.CASE_HANDLER, station, U)],
                    describe="case handler (station)",
                )
                for i in (1, 2, 3)
            ]
            _officer(
                j,
                station,
                f"{p}.custody",
                name("看管员"),
                f"{badge}20",
                [(Role.CUSTODY_OFFICER, station, U)],
                describe="custody officer (station)",
            )
            if p == "dh01":
                _officer(
                    j,
                    station,
                    f"{p}.lapsed",
                    name("民警"),
                    f"{badge}19",
                    [(Role.CASE_HANDLER, station, U)],
                    lapsed=True,
                    describe="case handler whose qualification lapsed (refused as handler)",
                )
            j.stations.append(Station(station, intake, handlers, leader))
    force = u(
        code="WDC",
        name="Wessex Demo Constabulary",
        name_en="Wessex Demo Constabulary",
        kind=UnitKind.CITY,
        parent=None,
        timezone="Europe/London",
        pack="gb_eng",
        document_prefix="WDC",
        actor=None,
    )
    suite = u(
        code="WDCNG",
        name="Northgate Custody Suite",
        name_en="Northgate Custody Suite",
        kind=UnitKind.STATION,
        parent=force,
        timezone="Europe/London",
        pack="gb_eng",
        actor=None,
    )
    _officer(
        j,
        suite,
        "wdc.sergeant",
        "Sgt Alex Morgan",
        "WDC1001",
        [(Role.CUSTODY_OFFICER, suite, U), (Role.INTAKE_OFFICER, suite, U)],
        describe="custody officer (England and Wales, English UI)",
    )
    for number, (username, full_name) in enumerate(
        (("wdc.dc1", "DC Jordan Lee"), ("wdc.dc2", "DC Priya Shah")), start=1003
    ):
        _officer(
            j,
            suite,
            username,
            full_name,
            f"WDC{number}",
            [(Role.CASE_HANDLER, suite, U)],
            describe="case handler (England and Wales, English UI)",
        )
    _officer(
        j,
        force,
        "wdc.inspector",
        "Insp Sam Patel",
        "WDC1002",
        [(Role.UNIT_LEADER, force, S), (Role.CASE_HANDLER, force, S)],
        describe="unit leader (England and Wales)",
    )
    return j


_SUMMARIES = {
    "CR-THEFT": "{place}电动车被盗，价值约{amount}元",
    "CR-FRAUD": "被以投资理财为名骗取{amount}元",
    "CR-TELECOM-FRAUD": "接到冒充客服电话，转账{amount}元后发现被骗",
    "CR-ROBBERY": "在{place}附近被持刀抢走手机一部",
    "CR-INJURY": "在{place}因纠纷被打伤，经鉴定轻伤",
    "CR-DRUGS": "群众举报{place}有人贩卖毒品",
    "CR-DANGEROUS-DRIVING": "在{place}查获醉酒驾驶机动车",
    "CR-AFFRAY": "多人在{place}随意殴打他人",
    "CR-EMBEZZLEMENT": "公司财务人员侵占货款{amount}元",
    "AD-ASSAULT": "在{place}因口角发生推搡，致对方轻微伤",
    "AD-DISORDER": "在{place}大声喧哗、阻碍正常营业",
    "AD-THEFT": "在{place}超市盗窃商品，价值{amount}元",
    "AD-FRAUD": "以虚假理由借款{amount}元后拒不归还",
    "AD-GAMBLING": "群众举报{place}有人聚众赌博",
    "AD-DAMAGE": "在{place}故意损毁他人车辆",
    "AD-DRUG-USE": "在{place}查获吸毒人员",
    "AD-NOISE": "{place}楼上长期深夜制造噪声",
}


def _walk(case_status_target: Status, kind: Kind) -> list[str]:
    """The moves from the start to the target state along the machine."""
    path: list[str] = []
    status = Status.ACCEPTED if kind == Kind.ADMINISTRATIVE else Status.REGISTRATION_REVIEW
    for _ in range(12):
        if status == case_status_target:
            return path
        options = [m for m in MOVES[kind] if m.source == status]
        if not options:
            break
        move = next(
            (m for m in options if _reaches(m.target, case_status_target, kind)), options[0]
        )
        path.append(move.name)
        status = move.target
    return path


def _reaches(start: Status, target: Status, kind: Kind) -> bool:
    seen, todo = set(), [start]
    while todo:
        s = todo.pop()
        if s == target:
            return True
        seen.add(s)
        todo += [m.target for m in MOVES[kind] if m.source == s and m.target not in seen]
    return False


def load(*, seed: int = 2026, incidents: int = 500) -> Jurisdiction:
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    with transaction.atomic():
        ensure_offence_catalogue()
        j = _units_and_officers()
    criminal_targets = [
        Status.REGISTRATION_REVIEW,
        Status.REGISTERED,
        Status.NOT_REGISTERED,
        Status.INVESTIGATING,
        Status.CONCLUDED,
        Status.TRANSFERRED_FOR_PROSECUTION,
        Status.WITHDRAWN,
        Status.ARCHIVED,
    ]
    admin_targets = [
        Status.ACCEPTED,
        Status.INVESTIGATING,
        Status.PENALTY_NOTICE,
        Status.STATEMENT_DEFENCE,
        Status.DECIDED,
        Status.EXECUTED,
        Status.ARCHIVED,
    ]
    end = clock.now() - timedelta(hours=2)
    start = end - timedelta(days=HISTORY_DAYS)
    for i in range(incidents):
        station = j.stations[i % len(j.stations)]
        at = start + (end - start) * (i / incidents) + timedelta(minutes=rng.randint(0, 600))
        at = min(at, end)
        code = rng.choice(list(_SUMMARIES))
        summary = _SUMMARIES[code].format(place=fake.street_name(), amount=rng.randint(300, 90000))
        with clock.backdated(at), transaction.atomic():
            incident, _ = actions.record_incident(
                actions.IncidentInput(
                    unit_id=station.unit.pk,
                    channel=rng.choice(Channel.values),
                    received_at=at - timedelta(minutes=20),
                    reporter_name=fake.name(),
                    reporter_contact=fake.phone_number(),
                    location=fake.address(),
                    summary=summary,
                    category=code,
                ),
                actor=station.intake,
            )
        roll = rng.random()
        decided = at + timedelta(hours=rng.randint(1, 20))
        handlers = rng.sample(station.handlers, 2)
        if roll < 0.06:
            continue  # still waiting for a decision
        with clock.backdated(decided), transaction.atomic():
            if roll < 0.12:
                actions.decide_incident(
                    incident,
                    actions.IncidentDecisionInput(
                        decision=actions.Decision.NO_CASE,
                        reason="经核实不属于违法犯罪行为",
                        notify_method="电话告知",
                    ),
                    actor=station.intake,
                )
                continue
            if roll < 0.15:
                actions.decide_incident(
                    incident,
                    actions.IncidentDecisionInput(
                        decision=actions.Decision.MEDIATION, reason="邻里纠纷，双方同意调解"
                    ),
                    actor=station.intake,
                )
                continue
            if roll < 0.17:
                other = j.stations[(i + 1) % len(j.stations)].unit
                actions.decide_incident(
                    incident,
                    actions.IncidentDecisionInput(
                        decision=actions.Decision.TRANSFER,
                        reason="案发地属对方辖区",
                        transfer_to=other.pk,
                    ),
                    actor=station.intake,
                )
                continue
            kind = Kind.CRIMINAL if code.startswith("CR") else Kind.ADMINISTRATIVE
            case = actions.decide_incident(
                incident,
                actions.IncidentDecisionInput(
                    decision=(
                        actions.Decision.REGISTRATION_REVIEW
                        if kind == Kind.CRIMINAL
                        else actions.Decision.ADMINISTRATIVE_CASE
                    ),
                    handler_ids=tuple(h.pk for h in handlers),
                    title=summary[:40],
                ),
                actor=station.intake,
            )
            assert case is not None  # noqa: S101 - the decision opens a case
            _add_parties(case, incident.reporter_name, handlers[0], rng, fake)
        target = rng.choice(criminal_targets if kind == Kind.CRIMINAL else admin_targets)
        when = decided
        for move in _walk(target, kind):
            when += timedelta(hours=rng.randint(6, 240))
            when = min(when, end)
            actor = station.leader if move in actions.APPROVAL_MOVES else handlers[0]
            reason = (
                "证据不足，不予立案"
                if move == "refuse_registration"
                else ("经侦查不应追究刑事责任" if move == "withdraw" else "")
            )
            held = (
                when.astimezone(SHANGHAI).date()
                if move == "decide" and case.hearing_required
                else None
            )
            with clock.backdated(when):
                if move == "transfer_for_prosecution":
                    _identify_suspect(case, handlers[0], fake)
                actions.transition_case(
                    case,
                    actions.MoveInput(
                        move=move,
                        reason=reason,
                        hearing_required=(rng.random() < 0.3 if move == "notify_penalty" else None),
                        hearing_held_on=held,
                    ),
                    actor=actor,
                )
                case.refresh_from_db()
    _custody(j, rng)
    _english_suite()
    _documents(j)
    _property(j)
    # What supervision finds in this history (the server's sweep adds the custody deadlines
    # its own sweep marks missed at start).
    supervision_sweep.sweep()
    return j


def _property(j: Jurisdiction) -> None:
    """Per station: a property room with two shelves, items seized in its newest cases, most
    in the room, one handed over and waiting for the custodian's confirmation, one
    administrative seizure near the end of its thirty days, and a borrowing waiting for the
    leader's approval."""
    from casetrail.property import actions as prop
    from casetrail.property import inputs as pin

    now = clock.now()
    kinds = [
        ("device", "手机一部"),
        ("cash", "人民币现金"),
        ("other", "钥匙一串"),
        ("valuables", "金项链一条"),
        ("document", "银行卡两张"),
    ]
    for station in j.stations:
        keeper = Officer.objects.get(username=f"{station.unit.code[2:4].lower()}.property")
        shelves = [
            prop.add_location(
                station.unit,
                pin.LocationInput(
                    code=f"{station.unit.code}-{shelf}",
                    store="涉案财物保管室",
                    room="1",
                    shelf=shelf,
                ),
                actor=keeper,
            )
            for shelf in ("A", "B")
        ]
        cases = Case.objects.filter(unit=station.unit, status=Status.INVESTIGATING).order_by(
            "-opened_at"
        )[:4]
        for n, case in enumerate(cases):
            handler = case.handlers.filter(released_at__isnull=True).first()
            assert handler is not None  # noqa: S101 - every demo case has its handlers
            officer = handler.officer
            for m, (kind, text) in enumerate(kinds[n : n + 2]):
                taken = max(case.opened_at, now - timedelta(days=2, hours=m))
                with clock.backdated(taken), transaction.atomic():
                    item = prop.register_item(
                        case,
                        pin.ItemInput(
                            kind=kind,
                            basis="seized",
                            description=text,
                            amount="2600" if kind == "cash" else "",
                            currency="CNY" if kind == "cash" else "",
                            found_place="嫌疑人住处",
                            found_at=taken,
                            seal_numbers=f"{station.unit.code}-F{n}{m}",
                            legal_basis="扣押决定书",
                        ),
                        actor=officer,
                    )
                    sent = prop.send(
                        item,
                        pin.TransferInput(
                            to_kind="room",
                            location_id=shelves[m].pk,
                            purpose="入库保管",
                            condition="intact",
                            seal_intact=True,
                        ),
                        actor=officer,
                    )
                    if n or m:  # the first waits for the custodian
                        prop.answer(
                            sent,
                            pin.AnswerInput(answer="confirm", condition="intact", seal_intact=True),
                            actor=keeper,
                        )
            if n == 1:
                first = case.property_items.filter(holder_kind="room").first()
                if first is not None:
                    with transaction.atomic():
                        prop.request_borrow(
                            first,
                            pin.BorrowInput(
                                purpose="送检鉴定", due_back_at=now + timedelta(days=2)
                            ),
                            actor=officer,
                        )
        admin = (
            Case.objects.filter(unit=station.unit, kind=Kind.ADMINISTRATIVE)
            .exclude(status=Status.ARCHIVED)
            .order_by("opened_at")
            .first()
        )
        if admin is not None:
            handler = admin.handlers.filter(released_at__isnull=True).first()
            assert handler is not None  # noqa: S101
            taken = max(admin.opened_at, now - timedelta(days=27))
            with clock.backdated(taken), transaction.atomic():
                prop.register_item(
                    admin,
                    pin.ItemInput(
                        kind="vehicle",
                        basis="admin_seized",
                        description="无牌电动车一辆",
                        found_place="路口",
                        found_at=taken,
                        legal_basis="扣押决定书",
                    ),
                    actor=handler.officer,
                )


def _documents(j: Jurisdiction) -> None:
    """Per station: registration decisions issued with the head's approval, one waiting for
    the head (the "awaiting my approval" count), and a notice not to register issued a week ago
    and never served (the service sweep marks it missed within a minute of the server start)."""
    from casetrail.documents import actions as documents
    from casetrail.documents.inputs import DecisionInput, DraftInput

    now = clock.now()

    def draft(case: Case, type_id: str, params: dict[str, str]) -> Any:
        handler = case.handlers.filter(released_at__isnull=True).first()
        assert handler is not None  # noqa: S101 - every demo case has its handlers
        made = DraftInput(type_id=type_id, params=params)
        doc = documents.draft_document(case, made, actor=handler.officer)
        return documents.submit_document(doc, actor=handler.officer)

    legal = Officer.objects.get(username="legal1")
    for index, station in enumerate(j.stations):
        head = Officer.objects.get(username=f"{station.unit.code[2:4].lower()}.head")
        registered = Case.objects.filter(
            unit=station.unit, kind=Kind.CRIMINAL, status=Status.INVESTIGATING
        ).order_by("-opened_at")
        ground = {"legal_ground": "《中华人民共和国刑法》第二百六十四条"}
        for n, case in enumerate(registered[:3]):
            with clock.backdated(now - timedelta(days=3 - n, hours=2)), transaction.atomic():
                doc = draft(case, "registration_decision", ground)
                if n < 2:  # the newest waits for the head
                    approve = DecisionInput(decision="approve", opinion="同意立案")
                    documents.decide_document(doc, approve, actor=head)
        refused = Case.objects.filter(unit=station.unit, status=Status.NOT_REGISTERED)
        for n, case in enumerate(refused.order_by("pk")[:2]):
            with clock.backdated(now - timedelta(days=7 - n)), transaction.atomic():
                doc = draft(
                    case,
                    "nonregistration_notice",
                    {
                        "reason": "证据不足，不予立案",
                        "legal_ground": "《刑事诉讼法》第一百一十二条",
                    },
                )
                if index == 0 and n == 0:
                    continue  # one waits for the legal department's review (legal1, legal2)
                # The legal department reviews a refusal to register before the head decides
                # (documents/legal_review.py).
                review = DecisionInput(decision="approve", opinion="经审核，证据不足，同意不予立案")
                doc = documents.decide_document(doc, review, actor=legal)
                approve = DecisionInput(decision="approve", opinion="同意")
                documents.decide_document(doc, approve, actor=head)


def _custody(j: Jurisdiction, rng: random.Random) -> None:
    """People detained in the last days, some in the case-handling area now, so the
    whiteboard has something to show: the clocks run from the real statute, and a few of the
    obligations are already overdue, as they would be in a real station."""
    from casetrail.custody import actions as custody
    from casetrail.custody.models import Measure

    now = clock.now()
    hours_ago = [3, 9, 20, 30, 52, 70]
    for station in j.stations:
        head = Officer.objects.get(username=f"{station.unit.code[2:4].lower()}.head")
        keeper = Officer.objects.get(username=f"{station.unit.code[2:].lower()}.custody")
        recent = (
            Case.objects.filter(
                unit=station.unit,
                kind=Kind.CRIMINAL,
                status__in=[Status.REGISTERED, Status.INVESTIGATING],
                parties__role=PartyRole.SUSPECT,
                opened_at__lt=now - timedelta(days=4),
            )
            .exclude(measures__isnull=False)
            .order_by("-opened_at")
            .distinct()[:3]
        )
        for case in recent:
            handler = case.handlers.filter(released_at__isnull=True).first()
            suspect = case.parties.filter(role=PartyRole.SUSPECT).first()
            if handler is None or suspect is None:
                continue
            started = now - timedelta(hours=rng.choice(hours_ago), minutes=rng.randint(0, 59))
            with clock.backdated(started - timedelta(minutes=40)):
                measure: Measure = custody.propose_measure(
                    custody.MeasureInput(
                        case_id=case.pk,
                        person_id=suspect.person_id,
                        kind="criminal_detention",
                        reason="有证据证明有犯罪事实，可能逃跑",
                    ),
                    actor=handler.officer,
                )
                custody.decide_measure(
                    measure,
                    custody.MeasureDecisionInput(decision="approve", reason="同意拘留"),
                    actor=head,
                )
            with clock.backdated(started):
                custody.start_measure(
                    measure, custody.StartInput(started_at=started), actor=handler.officer
                )
            if now - started < timedelta(hours=20):
                entered = started + timedelta(minutes=30)
                with clock.backdated(entered):
                    custody.open_session(
                        custody.SessionInput(
                            unit_id=station.unit.pk,
                            case_id=case.pk,
                            person_id=suspect.person_id,
                            entered_at=entered,
                            escort_ids=(keeper.pk, handler.officer_id),
                            reason="刑事拘留后带入办案区",
                            measure_id=measure.pk,
                        ),
                        actor=keeper,
                    )


# The English suite's arrests: what was reported, the suspect, how many hours ago the arrest
# was, and the reviews of detention already held (hours after the custody officer authorised
# it). Arrested 3 hours ago: the first review (PACE s.40(3)(a), 6 hours after authorisation) is
# due soon; 8 hours ago: it is overdue; 20 hours ago: reviewed twice, the 24 hours of s.41 near.
_GB_ARRESTS = (
    ("CR-THEFT", "Burglary at 12 High Street: a laptop and jewellery taken", "Ryan Cole", 3, ()),
    ("CR-ROBBERY", "Mobile phone taken at knifepoint on Station Road", "Liam Turner", 8, ()),
    ("CR-INJURY", "Assault outside the Red Lion: a broken nose", "Kyle Ward", 20, (6, 15)),
)


def _english_suite() -> None:
    """The English custody suite's day: reports taken at the desk, cases opened for the two
    detective constables, and PACE detentions running, one with its review overdue."""
    from casetrail.custody import actions as custody

    sergeant = Officer.objects.get(username="wdc.sergeant")
    inspector = Officer.objects.get(username="wdc.inspector")
    dc1, dc2 = Officer.objects.get(username="wdc.dc1"), Officer.objects.get(username="wdc.dc2")
    suite = Unit.objects.get(code="WDCNG")
    now = clock.now()
    for code, summary, suspect, hours, reviews in _GB_ARRESTS:
        arrested = now - timedelta(hours=hours)
        arrived = arrested + timedelta(minutes=25)
        authorised = arrived + timedelta(minutes=10)
        with clock.backdated(arrived), transaction.atomic():
            incident, _ = actions.record_incident(
                actions.IncidentInput(
                    unit_id=suite.pk,
                    channel=Channel.CALL,
                    received_at=arrested - timedelta(minutes=40),
                    reporter_name="Control room",
                    location=summary.split(": ")[0],
                    summary=summary,
                    category=code,
                ),
                actor=sergeant,
            )
            case = actions.decide_incident(
                incident,
                actions.IncidentDecisionInput(
                    decision=actions.Decision.REGISTRATION_REVIEW,
                    handler_ids=(dc1.pk, dc2.pk),
                    title=summary.split(": ")[0],
                ),
                actor=sergeant,
            )
            assert case is not None  # noqa: S101 - the decision opens a case
            party = actions.add_party(
                case,
                actions.PartyInput(role=PartyRole.SUSPECT, name=suspect, id_type=IdType.NONE),
                actor=dc1,
            )
            measure = custody.propose_measure(
                custody.MeasureInput(
                    case_id=case.pk,
                    person_id=party.person_id,
                    kind="pace_detention",
                    reason="to secure and preserve evidence and to obtain it by questioning",
                    route="arrival",
                ),
                actor=dc1,
            )
        with clock.backdated(authorised), transaction.atomic():
            custody.decide_measure(
                measure,
                custody.MeasureDecisionInput(decision="approve", reason="grounds made out"),
                actor=sergeant,
            )
            custody.start_measure(
                measure, custody.StartInput(started_at=arrested, arrived_at=arrived), actor=dc1
            )
            custody.open_session(
                custody.SessionInput(
                    unit_id=suite.pk,
                    case_id=case.pk,
                    person_id=party.person_id,
                    measure_id=measure.pk,
                    entered_at=arrived,
                    escort_ids=(dc1.pk, dc2.pk),
                    reason="arrested and brought to the custody suite",
                ),
                actor=sergeant,
            )
        for after in reviews:
            at = authorised + timedelta(hours=after)
            with clock.backdated(at):
                custody.record_review(
                    measure,
                    custody.ReviewInput(at=at, outcome="continue", notes="detention necessary"),
                    actor=inspector,
                )


def _identify_suspect(case: Case, actor: Officer, fake: Faker) -> None:
    """The suspect the investigation found, for a case that goes to the procuratorate with no
    suspect recorded yet (CPL Art. 162: it goes with its suspect)."""
    if not case.parties.filter(role=PartyRole.SUSPECT).exists():
        _add_suspect(case, actor, fake, years=35, sequence=case.pk % 1000)


def _add_suspect(case: Case, actor: Officer, fake: Faker, *, years: int, sequence: int) -> None:
    """A suspect ``years`` old when the case opened, with a valid resident ID number."""
    born = case.opened_at - timedelta(days=365 * years)
    birthday = born.astimezone(SHANGHAI).date()
    actions.add_party(
        case,
        actions.PartyInput(
            role=PartyRole.SUSPECT,
            name=fake.name(),
            id_type=IdType.RESIDENT_ID,
            id_number=resident_id(fake.ssn()[:6], birthday, sequence),
            birth_date=birthday,
        ),
        actor=actor,
    )


def _add_parties(
    case: Case, reporter: str, actor: Officer, rng: random.Random, fake: Faker
) -> None:
    actions.add_party(
        case,
        actions.PartyInput(
            role=PartyRole.VICTIM,
            name=reporter,
            id_type=IdType.RESIDENT_ID,
            id_number=fake.ssn(),
            contact=fake.phone_number(),
        ),
        actor=actor,
    )
    if rng.random() < 0.7:
        juvenile = rng.random() < 0.06
        years = 16 if juvenile else rng.randint(19, 60)
        _add_suspect(case, actor, fake, years=years, sequence=rng.randrange(1000))
    if rng.random() < 0.3:
        actions.add_party(
            case, actions.PartyInput(role=PartyRole.WITNESS, name=fake.name()), actor=actor
        )


def logins_text() -> str:
    officers = Officer.objects.select_related("unit").order_by("unit__path", "badge_number")
    lines = ["", "Demo logins (password for all: " + DEMO_PASSWORD + "):"]
    for o in officers:
        roles = ", ".join(sorted({g.role for g in o.grants.all()}))
        mark = "*" if needs_second_factor(o) else " "
        lines.append(f" {mark}{o.username:<16} {roles:<34} {o.unit.name if o.unit else ''}")
    lines += [
        "",
        "* logs in with a second factor: add the secret " + DEMO_TOTP_SECRET,
        "  to an authenticator app (or run: oathtool --totp -b " + DEMO_TOTP_SECRET + ")",
    ]
    return "\n".join(lines)

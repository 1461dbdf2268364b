"""casetrail.procedure: statutory time limits as data, computed exactly and explained.

Framework-free: no Django and no other casetrail package. A rule pack (TOML under packs/) and a
calendar go in; a Deadline with its citation and step-by-step explanation comes out.
"""

from casetrail.procedure.calendars import (
    Calendar,
    ChinaCalendar,
    EnglandCalendar,
    Notice,
    NoticeCalendar,
    calendar_for,
    notice_from_mapping,
    parse_notice,
)
from casetrail.procedure.deadlines import (
    AppliedExtension,
    Deadline,
    ExtensionRuling,
    check_extension,
    compute,
    find_pack,
    list_extensions,
    resolve,
)
from casetrail.procedure.errors import (
    CalendarError,
    ExtensionError,
    NotInForce,
    PackError,
    ParamError,
    ProcedureError,
    TriggerError,
    UnknownRule,
)
from casetrail.procedure.model import Amount, Citation, Extension, Pack, Param, Rule
from casetrail.procedure.packs import load_pack, pack_ids, read_pack
from casetrail.procedure.said import RoleName, Said, Term

__all__ = [
    "Amount",
    "AppliedExtension",
    "Calendar",
    "CalendarError",
    "ChinaCalendar",
    "Citation",
    "Deadline",
    "EnglandCalendar",
    "Extension",
    "ExtensionError",
    "ExtensionRuling",
    "NotInForce",
    "Notice",
    "NoticeCalendar",
    "Pack",
    "PackError",
    "Param",
    "ParamError",
    "ProcedureError",
    "RoleName",
    "Rule",
    "Said",
    "Term",
    "TriggerError",
    "UnknownRule",
    "calendar_for",
    "check_extension",
    "compute",
    "find_pack",
    "list_extensions",
    "load_pack",
    "notice_from_mapping",
    "pack_ids",
    "parse_notice",
    "read_pack",
    "resolve",
]

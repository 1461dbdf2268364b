"""Every write to measures, deadlines and the case-handling area: access, validation, the
change and its ledger entry, in one transaction. Each action takes one input (custody/inputs.py)
and refuses with CustodyError naming the field (ApprovalRefused, with the citation, for an
approver the statute does not name).

By subject: `measures` (propose, decide, start, end), `duties` (what the statute requires while
a measure runs), `extensions` (extensions, missed deadlines, alerts), `area` (a stay in the
case-handling area).
"""

from casetrail.custody.actions.area import (
    close_session,
    deposit_belonging,
    open_session,
    record_care,
    record_interview,
    record_rights,
    record_safety_check,
    settle_belonging,
)
from casetrail.custody.actions.duties import (
    record_arrest_request,
    record_delivery,
    record_family_notice,
    record_interrogation,
    record_notice_exception,
    record_procuratorate_decision,
    record_review,
    record_warrant,
    record_warrant_application,
)
from casetrail.custody.actions.extensions import (
    account_for_missed,
    acknowledge_alert,
    decide_extension,
    request_extension,
)
from casetrail.custody.actions.measures import (
    decide_measure,
    end_measure,
    propose_measure,
    start_measure,
)
from casetrail.custody.errors import ApprovalRefused, CustodyError
from casetrail.custody.inputs import (
    AccountInput,
    ArrestRequestInput,
    BelongingInput,
    CareInput,
    DeliveryInput,
    EndInput,
    ExitInput,
    ExtensionDecisionInput,
    ExtensionInput,
    InterrogationInput,
    InterviewInput,
    MeasureDecisionInput,
    MeasureInput,
    NoticeExceptionInput,
    NoticeInput,
    ProcuratorateDecisionInput,
    ReviewInput,
    RightsInput,
    SafetyCheckInput,
    SessionInput,
    SettleInput,
    StartInput,
    WarrantApplicationInput,
    WarrantInput,
)

__all__ = [
    "AccountInput",
    "ApprovalRefused",
    "ArrestRequestInput",
    "BelongingInput",
    "CareInput",
    "CustodyError",
    "DeliveryInput",
    "EndInput",
    "ExitInput",
    "ExtensionDecisionInput",
    "ExtensionInput",
    "InterrogationInput",
    "InterviewInput",
    "MeasureDecisionInput",
    "MeasureInput",
    "NoticeExceptionInput",
    "NoticeInput",
    "ProcuratorateDecisionInput",
    "ReviewInput",
    "RightsInput",
    "SafetyCheckInput",
    "SessionInput",
    "SettleInput",
    "StartInput",
    "WarrantApplicationInput",
    "WarrantInput",
    "account_for_missed",
    "acknowledge_alert",
    "close_session",
    "decide_extension",
    "decide_measure",
    "deposit_belonging",
    "end_measure",
    "open_session",
    "propose_measure",
    "record_arrest_request",
    "record_care",
    "record_delivery",
    "record_family_notice",
    "record_interrogation",
    "record_interview",
    "record_notice_exception",
    "record_procuratorate_decision",
    "record_review",
    "record_rights",
    "record_safety_check",
    "record_warrant",
    "record_warrant_application",
    "request_extension",
    "settle_belonging",
    "start_measure",
]

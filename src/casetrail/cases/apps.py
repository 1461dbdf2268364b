from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "casetrail.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from casetrail.cases import waiting

        waiting.register_source()
        from casetrail.cases.access import access_case, access_incident, access_person
        from casetrail.cases.models import Case, Incident, Person
        from casetrail.ledger.access import register_state, register_subject

        # An entry about a case, an incident or a person is as visible as they are. Reading
        # a case's or a person's entry is a look at them; an incident's is the reporter's
        # receipt, read without a trace as its receipt page is.
        register_subject(Case.LEDGER_SUBJECT, access_case)
        register_subject(Incident.LEDGER_SUBJECT, access_incident, traced=False)
        register_subject(Person.LEDGER_SUBJECT, access_person)
        # Each entry carries the digest of its subject's row (invariant 5). A case's search
        # text is an index of its parties' names, refreshed by other actions; updated_at is
        # bookkeeping that moves with the status it follows.
        register_state(Case.LEDGER_SUBJECT, Case, derived=("search_text", "updated_at"))
        register_state(Incident.LEDGER_SUBJECT, Incident)
        register_state(Person.LEDGER_SUBJECT, Person)

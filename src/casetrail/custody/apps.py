from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "casetrail.custody"
    label = "custody"
    verbose_name = "Custody"

    def ready(self) -> None:
        from casetrail import background
        from casetrail.cases import panels
        from casetrail.custody import alerts, case_limits, views, waiting
        from casetrail.org.calendars import register_recomputer

        # Every minute: a warning or a missed deadline reaches the people responsible within a
        # minute of its time, and the query is an index range scan (benchmarks/custody_sweep.py).
        background.register("custody-sweep", 60, alerts.run_sweep)
        register_recomputer("custody", alerts.recompute_for_notice)
        _register_ledger_subjects()
        waiting.register_source()
        panels.register_case_limits(case_limits.limits)
        panels.register_pending(case_limits.pending)
        panels.register_case_panel(views.case_panel)


def _register_ledger_subjects() -> None:
    """Measures and custody sessions belong to their case's file: a case export carries
    their chains, and a proof of one of their entries is for those who may see them."""
    from casetrail.cases.export import register_case_subjects
    from casetrail.cases.models import Case
    from casetrail.custody.access import access_measure, access_session
    from casetrail.custody.models import CustodySession, Measure
    from casetrail.ledger.access import register_state, register_subject

    def case_subjects(case: Case) -> list[tuple[str, str]]:
        measures = Measure.objects.filter(case=case).values_list("pk", flat=True)
        sessions = CustodySession.objects.filter(case=case).values_list("pk", flat=True)
        return [(Measure.LEDGER_SUBJECT, str(pk)) for pk in measures] + [
            (CustodySession.LEDGER_SUBJECT, str(pk)) for pk in sessions
        ]

    register_case_subjects(case_subjects)
    register_subject(Measure.LEDGER_SUBJECT, access_measure)
    register_subject(CustodySession.LEDGER_SUBJECT, access_session)
    register_state(Measure.LEDGER_SUBJECT, Measure)
    # A stay's clock points at the deadline row now running the area clock, which moves when
    # its measure's deadlines are recomputed (an entry of the measure, not of the stay).
    register_state(CustodySession.LEDGER_SUBJECT, CustodySession, derived=("clock",))

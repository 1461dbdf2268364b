from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "casetrail.custody"
    label = "custody"
    verbose_name = "Custody"

    def ready(self) -> None:
        from casetrail import background
        from casetrail.custody import alerts
        from casetrail.org.calendars import register_recomputer

        # Every minute: a warning or a missed deadline reaches the people responsible within a
        # minute of its time, and the query is an index range scan (benchmarks/custody_sweep.py).
        background.register("custody-sweep", 60, alerts.run_sweep)
        register_recomputer("custody", alerts.recompute_for_notice)

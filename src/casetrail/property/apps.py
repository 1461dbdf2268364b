from collections.abc import Callable

from django.apps import AppConfig


class PropertyConfig(AppConfig):
    name = "casetrail.property"
    label = "property"
    verbose_name = "Property"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext

        from casetrail import background
        from casetrail.approvals import inbox
        from casetrail.cases import panels
        from casetrail.cases.export import register_case_files, register_case_subjects
        from casetrail.ledger.access import register_state, register_subject
        from casetrail.property import alerts, case_limits, casefile, views
        from casetrail.property.access import access_item, access_stocktake
        from casetrail.property.actions.disposal import DISPOSAL_SUBJECT
        from casetrail.property.actions.room import BORROW_SUBJECT
        from casetrail.property.models import Borrow, Disposal, Item, StockTake

        # Every minute, as custody's: a property limit near or missed, a borrowed item late.
        background.register("property-sweep", 60, alerts.run_sweep)
        register_subject(Item.LEDGER_SUBJECT, access_item)
        register_subject(StockTake.LEDGER_SUBJECT, access_stocktake, traced=False)
        register_state(Item.LEDGER_SUBJECT, Item)
        register_state(StockTake.LEDGER_SUBJECT, StockTake)
        register_case_subjects(
            lambda case: [
                (Item.LEDGER_SUBJECT, str(pk))
                for pk in Item.objects.filter(case=case).values_list("pk", flat=True)
            ]
        )
        register_case_files(casefile.case_files)
        panels.register_case_panel(views.case_panel)
        panels.register_person_panel(views.person_panel)
        panels.register_case_limits(case_limits.limits)

        def item_of(model: type[Borrow] | type[Disposal]) -> Callable[[int], str]:
            return lambda pk: reverse(
                "property:item", args=[model.objects.values_list("item_id", flat=True).get(pk=pk)]
            )

        inbox.register_subject(
            BORROW_SUBJECT, link=item_of(Borrow), what=lambda: gettext("borrowing of property")
        )
        inbox.register_subject(
            DISPOSAL_SUBJECT, link=item_of(Disposal), what=lambda: gettext("disposal of property")
        )

from django.urls import path

from casetrail.property import views

app_name = "property"
urlpatterns = [
    path("", views.index, name="index"),
    path("scan/", views.scan, name="scan"),
    path("handovers/", views.handovers, name="handovers"),
    path("cases/<str:case_ref>/", views.case_items, name="case"),
    path("cases/<str:case_ref>/labels.pdf", views.case_labels, name="case_labels"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("items/<int:item_id>/labels.pdf", views.item_label, name="item_label"),
    path("items/<int:item_id>/<slug:action>/", views.act, name="act"),
    path("files/<int:file_id>/", views.download, name="download"),
    path("copies/<int:copy_seq>/receipt/", views.receipt, name="receipt"),
    path("rooms/<int:unit_id>/", views.room, name="room"),
    path("stocktakes/<int:stocktake_id>/", views.stocktake, name="stocktake"),
]

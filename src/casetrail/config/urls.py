from django.contrib import admin
from django.urls import include, path

from casetrail.config.api import api

urlpatterns = [
    path("", include("casetrail.org.urls")),
    path("", include("casetrail.cases.urls")),
    path("custody/", include("casetrail.custody.urls")),
    path("approvals/", include("casetrail.approvals.urls")),
    path("documents/", include("casetrail.documents.urls")),
    path("property/", include("casetrail.property.urls")),
    path("supervision/", include("casetrail.supervision.urls")),
    path("verify/", include("casetrail.documents.public_urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

"""casetrail's addresses and one more whose view fails, for the 500 page's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from casetrail.config.urls import urlpatterns as casetrail_urls


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault in a view")


urlpatterns = [path("boom/", boom), *casetrail_urls]

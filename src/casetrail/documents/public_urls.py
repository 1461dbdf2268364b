"""The public verification page: no login, its own rate limit (documents/public.py)."""

from django.urls import path

from casetrail.documents import public

app_name = "verify"
urlpatterns = [
    path("", public.verify, name="document"),
]

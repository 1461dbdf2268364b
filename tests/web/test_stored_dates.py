"""Issue 16: a date already stored outside the range the inputs accept (written behind the
application, or by an older version) must not take a page down. Year 1 in UTC is a valid
``datetime``, but shifting it into a zone west of UTC (Europe/London's local mean time in
year 1 is -0:01:15) or a year 9999 instant east of UTC overflows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from casetrail.cases.models import Incident
from casetrail.org.roles import Role
from tests.conftest import PASSWORD, make_officer, make_unit

FAR = [
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
]


def login(officer) -> Client:
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("moment", FAR, ids=["year-1", "year-9999"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/London"])
def test_pages_show_an_incident_received_at_a_date_out_of_range(world, moment, zone):
    unit = make_unit("Z1", world.district, timezone=zone)
    intake = make_officer("z.intake", unit, Role.INTAKE_OFFICER)
    incident = world.incident(unit=unit.pk, actor=intake)
    Incident.objects.filter(pk=incident.pk).update(received_at=moment)
    client = login(intake)
    for path in ("/", "/incidents/", f"/incidents/{incident.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert str(moment.year) in response.content.decode(), path

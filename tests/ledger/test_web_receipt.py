"""The receipt page: the signed head and a JSON receipt the reporter can check offline."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from django.urls import reverse

from casetrail.ledger import heads
from casetrail.ledger.models import SignedHead
from casetrail.ledger.verify import check_receipt, split_receipt_file
from tests.conftest import login


def test_the_receipt_page_shows_the_signed_head_and_offers_the_file(world, signing_key):
    incident = world.incident()
    client = login(world.intake)
    html = client.get(reverse("cases:incident_receipt", args=[incident.pk])).content.decode()
    head = heads.latest_head()
    assert head is not None
    assert f'data-testid="key-id">{signing_key.key_id}<' in html
    assert head.root.hex() in html
    json_url = reverse("cases:incident_receipt_json", args=[incident.pk])
    assert json_url in html

    response = client.get(json_url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{incident.receipt_number}.receipt.json"'
    )
    receipt, keys = split_receipt_file(json.loads(response.content))
    assert keys == {signing_key.key_id: signing_key.public_key}
    assert check_receipt(receipt, keys) == []
    assert receipt["entry"]["subject"] == f"incident:{incident.pk}"
    # The receipt is the same every time it is fetched: no new head once one covers it.
    assert client.get(json_url).content == response.content
    assert SignedHead.objects.count() == 1


def test_without_a_key_the_page_says_how_to_get_one(world, key_file):
    incident = world.incident()
    client = login(world.intake)
    html = client.get(reverse("cases:incident_receipt", args=[incident.pk])).content.decode()
    assert 'data-testid="no-ledger-receipt"' in html
    assert "casetrail ledger keygen" in html
    response = client.get(reverse("cases:incident_receipt_json", args=[incident.pk]))
    assert response.status_code == 503


def test_the_receipt_file_follows_the_incidents_access_rules(client, world, signing_key):
    incident = world.incident()
    url = reverse("cases:incident_receipt_json", args=[incident.pk])
    assert client.get(url).status_code == 302  # to the login page
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.nobody).get(url).status_code == 404
    assert login(world.intake).get(url).status_code == 200


def test_a_receipts_signing_time_is_labelled_with_the_zone_it_is_shown_in(world, signing_key):
    """The receipt printed Shanghai time labelled "UTC"."""
    incident = world.incident()
    page = login(world.intake, "en").get(reverse("cases:incident_receipt", args=[incident.pk]))
    head = heads.latest_head()
    assert head is not None
    shown = head.timestamp.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert f'data-testid="head-time">{shown} (Asia/Shanghai)</dd>' in page.content.decode()

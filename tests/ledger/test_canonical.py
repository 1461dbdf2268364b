from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.ledger.canonical import CanonicalError, canonical_json, parse

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def test_keys_are_sorted_and_there_is_no_whitespace():
    assert canonical_json({"b": 1, "a": [True, None]}) == b'{"a":[true,null],"b":1}'


def test_chinese_text_is_written_as_utf8_not_escaped():
    assert canonical_json({"name": "张三"}) == '{"name":"张三"}'.encode()


def test_aware_datetimes_are_written_in_utc_with_microseconds():
    beijing = timezone(timedelta(hours=8))
    when = datetime(2026, 10, 1, 8, 0, tzinfo=beijing)
    assert canonical_json(when) == b'"2026-10-01T00:00:00.000000Z"'
    assert canonical_json(datetime(2026, 10, 1, tzinfo=UTC)) == canonical_json(
        datetime(2026, 10, 1, 8, tzinfo=beijing)
    )


def test_dates_decimals_and_uuids_have_one_text_form():
    uid = UUID("12345678-1234-5678-1234-567812345678")
    assert canonical_json([date(2026, 1, 2), Decimal("1.50"), uid]) == (
        b'["2026-01-02","1.5","12345678-1234-5678-1234-567812345678"]'
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "floats"),
        (datetime(2026, 1, 1), "naive"),  # noqa: DTZ001 - the point of the test
        ({1: "x"}, "keys must be strings"),
        (Decimal("NaN"), "finite"),
        (object(), "no canonical form"),
    ],
)
def test_values_without_a_canonical_form_are_refused_with_their_path(value, message):
    with pytest.raises(CanonicalError, match=message):
        canonical_json({"field": value})


def test_parse_refuses_non_canonical_bytes():
    with pytest.raises(CanonicalError, match="not in canonical form"):
        parse(b'{"b":1, "a":2}')
    with pytest.raises(CanonicalError, match="float"):
        parse(b"1.0")


@pytest.mark.parametrize("data", [b"", b"{", b'{"a":1}x', b"\xff", b'"\xe4\xb8"'])
def test_parse_refuses_bytes_that_are_not_json_in_utf8(data):
    with pytest.raises(CanonicalError, match=r"^not JSON: "):
        parse(data)


@given(st.binary(max_size=40) | json_values.map(canonical_json))
def test_parse_accepts_exactly_the_bytes_it_would_write(data):
    """Whatever the bytes, parse either refuses them by name or returns a value that encodes
    back to the very same bytes: two spellings of one value never both verify."""
    try:
        again = canonical_json(parse(data))
    except CanonicalError:
        again = None  # refused: a refusal is an answer too
    assert again in (None, data)


@given(json_values)
def test_encoding_round_trips_and_is_stable(value):
    data = canonical_json(value)
    assert parse(data) == value
    assert canonical_json(parse(data)) == data

"""The SDV sequential table <-> core long table conversion: datetimes and reserved names."""

import pandas as pd
import pytest

from synth_plugins.errors import InvalidDataError
from synth_plugins.sdv._long_table import POSITION_COLUMN, DatetimeColumn, LongTableCodec


def test_datetimes_round_trip_in_their_own_kind():
    aware = pd.Series(
        pd.to_datetime(["2020-01-01 10:00", "2021-06-30 23:15"]).tz_localize("Europe/Paris")
    )
    column = DatetimeColumn.learn(aware, None, "t")
    assert column.step_ns == 60 * 10**9  # whole minutes (not whole days)
    back = column.from_days(column.to_days(aware, "t"))
    assert back.dtype == aware.dtype and back.tolist() == aware.tolist()

    days = pd.Series(pd.to_datetime(["2020-01-01", "2020-03-01"]))
    daily = DatetimeColumn.learn(days, None, "d")
    assert daily.step_ns == 86_400 * 10**9
    shifted = daily.from_days(daily.to_days(days, "d") + 0.3)  # rounded to whole days
    assert (shifted == days).all()

    # dates at local midnight, on both sides of a change of clocks: whole days on the zone's
    # own clock (on the UTC clock they sit at 22:00 and 23:00), and back at local midnight
    local = pd.Series(pd.to_datetime(["2020-01-01", "2020-07-01"]).tz_localize("Europe/Paris"))
    dated = DatetimeColumn.learn(local, None, "v")
    assert dated.step_ns == 86_400 * 10**9
    assert dated.to_days(local, "v").diff().iloc[1] == 182  # whole days between midnights
    moved = dated.from_days(dated.to_days(local, "v") + 0.3)
    assert moved.dtype == local.dtype and moved.tolist() == local.tolist()

    text = pd.Series(["31/12/2019", None, "01/02/2020"])
    written = DatetimeColumn.learn(text, "%d/%m/%Y", "s")
    back = written.from_days(written.to_days(text, "s"))
    assert back[0] == "31/12/2019" and pd.isna(back[1]) and back[2] == "01/02/2020"


def test_text_dates_without_a_declared_format_are_read():
    """The format was guessed with a private rdt function that rdt 2 no longer has."""
    text = pd.Series(["2021-03-01", None, "2021-03-05"])
    column = DatetimeColumn.learn(text, None, "seen")
    assert column.datetime_format == "%Y-%m-%d"
    back = column.from_days(column.to_days(text, "seen") + 0.3)
    assert back[0] == "2021-03-01" and pd.isna(back[1]) and back[2] == "2021-03-05"


def test_bad_dates_and_reserved_names_are_named():
    column = DatetimeColumn.learn(pd.Series(["2020-01-01"]), "%Y-%m-%d", "visit")
    with pytest.raises(InvalidDataError, match="datetime column 'visit'"):
        column.to_days(pd.Series(["yesterday"]), "visit")
    codec = LongTableCodec("id", None)
    data = pd.DataFrame({"id": [1, 1], POSITION_COLUMN: [0, 1], "x": [1.0, 2.0]})
    described = {c: {"sdtype": "numerical"} for c in data.columns} | {"id": {"sdtype": "id"}}
    with pytest.raises(InvalidDataError, match="reserved"):
        codec.fit(data, described, None)

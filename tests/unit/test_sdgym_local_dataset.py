"""SDGym's local copy of a dataset: the metadata describes the CSV as written.

Writing it needs neither SDGym nor a network, so these run on both stacks.
"""

import json
import warnings
import zipfile

import pandas as pd
import pytest

from synth_plugins.datasets import Dataset
from synth_plugins.encoding import infer_roles
from synth_plugins.sdgym import write_local_dataset
from synth_plugins.sdv.compat import native

_DAYS = pd.Series(pd.to_datetime(["2019-04-03", "2020-01-31", None, "2018-12-01"]))


def _written(data: pd.DataFrame, tmp_path) -> tuple[dict, pd.DataFrame]:
    """The column descriptions and the CSV (as text) that write_local_dataset writes."""
    dataset = Dataset(name="clinic", kind="tabular", data=data, roles=infer_roles(data))
    folder = write_local_dataset(dataset, tmp_path)
    metadata = json.loads((folder / "metadata.json").read_text())
    with zipfile.ZipFile(folder / "data.zip") as archive, archive.open("clinic.csv") as csv:
        text = pd.read_csv(csv, dtype=str)
    return metadata["tables"]["clinic"]["columns"], text


@pytest.mark.parametrize(
    ("stamps", "fmt"),
    [
        (_DAYS, "%Y-%m-%d"),
        (_DAYS + pd.Timedelta(hours=10, minutes=5), "%Y-%m-%d %H:%M:%S"),
        (_DAYS + pd.Timedelta(milliseconds=250), "%Y-%m-%d %H:%M:%S.%f"),
        (_DAYS.dt.tz_localize("UTC"), "%Y-%m-%d %H:%M:%S%z"),
    ],
    ids=["dates", "times", "fractions", "zoned"],
)
def test_a_datetime64_column_is_declared_in_the_format_it_is_written_in(stamps, fmt, tmp_path):
    """A datetime64 column was written as text ('2019-04-03') but declared without a
    datetime_format, so SDV warned that none was given and guessed one."""
    data = pd.DataFrame({"age": [40, 51, 62, 73], "discharge": stamps})
    columns, text = _written(data, tmp_path)
    assert columns["discharge"] == {"sdtype": "datetime", "datetime_format": fmt}
    read = pd.to_datetime(text["discharge"], format=fmt)
    assert read.isna().tolist() == stamps.isna().tolist()
    assert (read.dropna() == stamps.dropna()).all(), (text["discharge"].tolist(), fmt)


def test_sdv_reads_the_local_dataset_without_guessing_a_date_format(tmp_path):
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    data = pd.DataFrame(
        {
            "age": [40, 51, 62, 73],
            "admit_date": ["2019-03-20", "2020-01-02", "2018-11-11", None],
            "discharge": _DAYS,
        }
    )
    dataset = Dataset(name="clinic", kind="tabular", data=data, roles=infer_roles(data))
    folder = write_local_dataset(dataset, tmp_path)
    metadata = Metadata.load_from_dict(json.loads((folder / "metadata.json").read_text()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read = native(pd.read_csv(folder / "data.zip"), metadata)  # SDV 2 takes {name: table}
        GaussianCopulaSynthesizer(metadata).validate(read)
    assert not [w for w in caught if "datetime_format" in str(w.message)]

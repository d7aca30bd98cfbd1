"""Suite datasets as Synthcity loaders: pandas categoricals must not reach Synthcity."""

import pandas as pd

from synth_plugins.datasets import Dataset, load
from synth_plugins.synthcity.loaders import to_dataloader


def _categorical_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]


def test_survival_categoricals_become_objects_and_the_loader_hashes():
    dataset = load("gbsg2")
    assert _categorical_columns(dataset.data)  # the case the conversion is for
    loader = to_dataloader(dataset, train_size=0.8, random_state=0)
    frame = loader.dataframe()
    assert _categorical_columns(frame) == []
    assert loader.hash() == to_dataloader(dataset, train_size=0.8, random_state=0).hash()
    for column in _categorical_columns(dataset.data):
        assert frame[column].dtype == object
        assert frame[column].tolist() == dataset.data[column].astype(object).tolist()
    assert _categorical_columns(dataset.data)  # the dataset itself is left alone


def test_tabular_categoricals_become_objects_with_the_given_data():
    data = pd.DataFrame(
        {
            "grade": pd.Categorical(["a", "b", "a", "c"] * 5, categories=["a", "b", "c"]),
            "age": range(20),
            "target": [0, 1] * 10,
        }
    )
    dataset = Dataset(
        name="toy",
        kind="tabular",
        data=data.iloc[:0],
        roles={"grade": "categorical", "age": "integer", "target": "binary"},
        target="target",
    )
    loader = to_dataloader(dataset, data=data)
    assert loader.dataframe()["grade"].dtype == object
    assert isinstance(loader.hash(), str)
    assert loader.info()["target_column"] == "target"

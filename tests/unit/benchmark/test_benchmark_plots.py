"""Figures of the tabular benchmark: what they compute, what they write."""

import numpy as np
import pandas as pd
import pytest

from synth_plugins.benchmark.plots import (
    DISTANCE_CAPTION,
    MAX_MARGINAL_COLUMNS,
    DistancePanel,
    association_difference,
    discrete_columns,
    distance_panel,
    plot_distances,
    plot_marginals,
    tabular_figures,
)
from synth_plugins.metrics import dcr_holdout_share
from synth_plugins.metrics.dcr import dcr_share

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(60, 10, n)
    return pd.DataFrame(
        {
            "age": age,
            "bmi": 20 + 0.1 * age + rng.normal(0, 2, n),
            "sex": rng.choice(["f", "m"], n),
            "stage": rng.choice([1, 2, 3], n),
            "event": (rng.random(n) < 0.3).astype(int),
        }
    )


CATEGORICAL = ["sex", "stage", "event"]


def _visible_axes(figure):
    return [ax for ax in figure.axes if ax.get_visible()]


def test_difference_of_identical_tables_is_zero():
    real = _table(200, 0)
    real_matrix, synthetic_matrix, difference = association_difference(
        real, real.copy(), CATEGORICAL
    )
    assert (difference.to_numpy() == 0).all()
    assert list(difference.index) == list(real.columns)
    pd.testing.assert_frame_equal(real_matrix, synthetic_matrix)
    assert real_matrix.loc["age", "bmi"] > 0.3  # the association it should show


def test_difference_is_synthetic_minus_real():
    real, synthetic = _table(200, 0), _table(200, 1)
    real_matrix, synthetic_matrix, difference = association_difference(
        real, synthetic[list(reversed(synthetic.columns))], CATEGORICAL
    )
    pd.testing.assert_frame_equal(difference, synthetic_matrix - real_matrix)
    assert np.abs(difference.to_numpy()).max() > 0


def test_distances_use_the_dcr_metric_encoding():
    train, holdout, synthetic = _table(120, 0), _table(120, 1), _table(150, 2)  # equal sizes
    panel = distance_panel(train, holdout, synthetic, CATEGORICAL)
    assert len(panel.to_train) == len(panel.to_holdout) == len(synthetic)
    expected = dcr_holdout_share(train, holdout, synthetic, categorical_columns=CATEGORICAL)
    assert panel.share == expected.share
    assert dcr_share(panel.to_train, panel.to_holdout, 0.5) == pytest.approx(expected.share)
    assert panel.to_train.mean() == pytest.approx(expected.dcr_train_mean)
    assert panel.to_holdout.mean() == pytest.approx(expected.dcr_holdout_mean)


def test_panel_title_gives_the_metric_share_and_copies_at_80_20():
    # 640 training rows, a 160-row holdout; 30 % of the synthetic rows copy training rows
    train, holdout = _table(640, 0), _table(160, 1)
    synthetic = pd.concat([train.iloc[:180], _table(420, 2)], ignore_index=True)
    panel = distance_panel(train, holdout, synthetic, CATEGORICAL)
    expected = dcr_holdout_share(train, holdout, synthetic, categorical_columns=CATEGORICAL)
    assert panel.share == expected.share and expected.share > 0.6
    assert panel.copies == expected.exact_matches_train / len(synthetic) == pytest.approx(0.3)
    figure = plot_distances({"copier": panel}, n_columns=train.shape[1])
    title = _visible_axes(figure)[0].get_title()
    assert title == f"copier: DCR share {expected.share:.2f}, copies {panel.copies:.1%}"
    assert figure.get_supxlabel() == DISTANCE_CAPTION


def test_histograms_compare_equal_size_samples_and_copies_count_every_training_row():
    train, holdout = _table(640, 0), _table(160, 1)
    panel = distance_panel(train, holdout, train.copy(), CATEGORICAL)
    assert panel.copies == 1.0 and panel.share > 0.99  # ties with a binned holdout row
    # the histogram's training sample has the holdout's 160 rows: a quarter of the copies
    assert np.mean(panel.to_train == 0) == pytest.approx(160 / 640)


def test_copies_of_training_rows_are_at_distance_zero_and_rows_are_capped():
    train, holdout = _table(100, 0), _table(100, 1)
    panel = distance_panel(train, holdout, train.copy(), CATEGORICAL)
    assert (panel.to_train == 0).all() and panel.copies == 1.0
    panel = distance_panel(train, holdout, _table(500, 3), CATEGORICAL, max_rows=50)
    assert len(panel.to_train) == len(panel.to_holdout) == 50


def test_marginal_grid_has_one_panel_per_column_up_to_the_cap():
    real = _table(100, 0)
    figure = plot_marginals(real, {"a": _table(80, 1), "b": _table(90, 2)}, CATEGORICAL)
    assert len(_visible_axes(figure)) == real.shape[1]
    wide = pd.concat([real.add_suffix(f"_{i}") for i in range(3)], axis=1)  # 15 columns
    figure = plot_marginals(wide, {"a": wide}, [f"sex_{i}" for i in range(3)])
    assert len(_visible_axes(figure)) == MAX_MARGINAL_COLUMNS
    assert f"first {MAX_MARGINAL_COLUMNS} of 15" in figure.get_suptitle()


def test_distance_figure_has_one_panel_per_generator():
    panel = DistancePanel(np.array([0, 1, 2, 2]), np.array([1, 1, 3, 2]), 0.6, 0.25)
    figure = plot_distances({name: panel for name in ("a", "b", "c", "d")}, n_columns=5)
    assert len(_visible_axes(figure)) == 4


def test_dataset_figures_are_written_and_released(tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    synthetic = {"gen_a": _table(100, 1), "gen_b": _table(100, 2), "failed": _table(0, 3)}
    paths = tabular_figures("toy", _table(100, 0), _table(50, 4), synthetic, CATEGORICAL, tmp_path)
    names = sorted(p.name for p in paths)
    assert names == [
        "associations_toy_gen_a.png",
        "associations_toy_gen_b.png",
        "distances_toy.png",
        "marginals_toy.png",
    ]
    for path in paths:
        assert path.parent == tmp_path
        assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 10_000
    assert plt.get_fignums() == before  # nothing left open in pyplot
    assert tabular_figures("toy", _table(10, 0), _table(10, 1), {}, CATEGORICAL, tmp_path) == []


def test_discrete_columns_come_from_roles_or_are_inferred():
    frame = _table(50, 0).assign(extra=lambda f: f["sex"])
    roles = {"age": "numerical", "bmi": "numerical", "sex": "binary", "stage": "ordinal"}
    assert discrete_columns(roles, frame) == ["sex", "stage", "event", "extra"]

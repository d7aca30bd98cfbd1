"""MLE-copula fits on the bundled tables: figures and numbers for ``docs/methods/mle_copula.md``.

For ``heart_failure`` and ``titanic`` this script

- fits :class:`~synth_plugins.generators.mle_copula.MLECopula` (AIC) and draws, per numeric
  column, the fitted density (truncated to the observed range; for integer columns the
  probability of each value) over the histogram of the real values:
  ``docs/methods/mle_copula_fits_<table>.png``;
- records the chosen family of every numeric column under AIC, BIC and the lowest KS
  statistic among the same candidates (the criterion of the ``copulas`` library that SDV's
  ``GaussianCopulaSynthesizer`` builds on, when it searches);
- measures how well each generator keeps the correlations: the L1 difference (sum over the
  upper triangle of ``|r_real - r_synthetic|``) of Pearson correlations of numerically
  encoded columns, mean and range over seeds, for ``mle_copula`` at level 1, at level 2
  with latent (polyserial/polychoric) correlations for discrete columns, at level 2 with
  normal scores for discrete columns (``discrete_correlation="pit"``), SDV's
  ``GaussianCopulaSynthesizer`` (defaults) and Synthcity's ``marginal_distributions``;
- measures the marginals: mean KS statistic (numeric columns) and mean total-variation
  distance (discrete columns) between real and synthetic rows.

Everything is written to ``docs/methods/mle_copula_fits.json``. Usage (repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/mle_copula_fits.py [--seeds 0 1 2 3 4]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from synth_plugins.datasets import load
from synth_plugins.encoding.roles import DISCRETE_ROLES
from synth_plugins.generators.mle_copula import MLECopula
from synth_plugins.generators.mle_copula.marginals import CountMarginal, ParametricMarginal

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "methods"
#: The columns each case study correlates (the KerusCloud decks' variables).
STUDY_COLUMNS = {
    "titanic": ["pclass", "sex", "age", "fare", "survived"],
    "heart_failure": [
        "serum_creatinine", "ejection_fraction", "age", "platelets", "serum_sodium",
        "creatinine_phosphokinase", "DEATH_EVENT",
    ],
}  # fmt: skip


def encoded(frame: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Numeric encoding for correlations: non-numeric columns as codes of the real levels."""
    out = {}
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(reference[column]):
            out[column] = pd.to_numeric(frame[column], errors="coerce")
        else:
            levels = sorted(reference[column].dropna().astype(str).unique())
            out[column] = frame[column].astype(str).map({v: i for i, v in enumerate(levels)})
    return pd.DataFrame(out)


def correlation_l1(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """Sum over the upper triangle of |Pearson(real) - Pearson(synthetic)|."""
    a = encoded(real, real).corr().to_numpy()
    b = encoded(synthetic, real).corr().to_numpy()
    upper = np.triu_indices_from(a, k=1)
    return float(np.abs(a - b)[upper].sum())


def marginal_scores(real: pd.DataFrame, synthetic: pd.DataFrame, roles: dict) -> dict:
    """Mean KS statistic over numeric columns, mean TV distance over discrete ones."""
    ks, tv = [], []
    for column in real.columns:
        if roles[column] in DISCRETE_ROLES:
            p = real[column].astype(str).value_counts(normalize=True)
            q = synthetic[column].astype(str).value_counts(normalize=True)
            tv.append(0.5 * float(p.subtract(q, fill_value=0).abs().sum()))
        else:
            x, y = real[column].dropna(), pd.to_numeric(synthetic[column]).dropna()
            ks.append(float(stats.ks_2samp(x, y).statistic))
    return {"mean_ks_numeric": float(np.mean(ks)), "mean_tv_discrete": float(np.mean(tv))}


def family_choices(model: MLECopula) -> dict[str, dict[str, str]]:
    """Per numeric column: the family chosen by AIC, BIC and the lowest KS statistic."""
    table = model.fit_table(candidates=True)
    table = table[np.isfinite(table["aic"])]
    choices = {}
    for column, rows in table.groupby("column", sort=False):
        if rows["family"].iloc[0] in ("categorical", "constant"):
            continue
        choices[str(column)] = {
            criterion: str(rows.loc[rows[key].idxmin(), "family"])
            for criterion, key in (("aic", "aic"), ("bic", "bic"), ("ks", "ks_statistic"))
        }
    return choices


def plot_fits(name: str, real: pd.DataFrame, model: MLECopula) -> Path:
    """Histogram of every numeric column with the fitted (truncated) density on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = [
        c for c, m in model.marginals_.items() if isinstance(m, ParametricMarginal | CountMarginal)
    ]
    n_cols = 3
    n_rows = -(-len(columns) // n_cols)
    figure, axes = plt.subplots(n_rows, n_cols, figsize=(4.2 * n_cols, 3.0 * n_rows))
    for axis in np.ravel(axes)[len(columns) :]:
        axis.set_visible(False)
    for axis, column in zip(np.ravel(axes), columns):
        marginal = model.marginals_[column]
        values = real[column].dropna().to_numpy(dtype=float)
        if marginal.integer and values.max() - values.min() <= 60:
            edges = np.arange(values.min() - 0.5, values.max() + 1.5)
            grid = np.arange(values.min(), values.max() + 1)
            axis.hist(values, bins=edges, density=True, color="#c6dbef", edgecolor="white")
            axis.plot(grid, marginal.pdf(grid), "o-", color="#08519c", ms=3, lw=1)
        else:
            axis.hist(values, bins=40, density=True, color="#c6dbef", edgecolor="white")
            grid = np.linspace(values.min(), values.max(), 400)
            density = marginal.pdf(grid)
            if marginal.integer:  # probability per value = density per unit
                density = marginal.pdf(np.round(grid))
            axis.plot(grid, density, color="#08519c", lw=1.5)
        ks = marginal.ks_statistic
        axis.set_title(f"{column}: {marginal.family} (KS {ks:.3f})", fontsize=9)
        axis.tick_params(labelsize=7)
    figure.suptitle(f"{name}: fitted density (AIC choice) over the real histogram", fontsize=10)
    figure.tight_layout()
    path = OUT / f"mle_copula_fits_{name}.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def generators(seed: int) -> dict[str, Any]:
    """Name -> function(real, roles) returning a synthetic frame of the same size."""

    def ours(**params: Any) -> Any:
        def run(real: pd.DataFrame, roles: dict) -> pd.DataFrame:
            model = MLECopula(roles, random_state=seed, **params).fit(real)
            return model.sample(len(real), random_state=seed)

        return run

    def sdv_gaussian_copula(real: pd.DataFrame, roles: dict) -> pd.DataFrame:
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer

        from synth_plugins.sdv import compat
        from synth_plugins.sdv.metadata import metadata_dict

        metadata = Metadata.load_from_dict(metadata_dict(real, roles))
        synthesizer = GaussianCopulaSynthesizer(metadata)
        compat.fit(synthesizer, real)
        synthesizer._set_random_state(seed)
        return compat.sample(synthesizer, len(real))

    def synthcity_marginals(real: pd.DataFrame, roles: dict) -> pd.DataFrame:
        from synthcity.plugins import Plugins

        plugin = Plugins().get("marginal_distributions", random_state=seed)
        plugin.fit(real)
        return plugin.generate(count=len(real)).dataframe()

    return {
        "mle_copula level 1": ours(level=1),
        "mle_copula level 2 (latent)": ours(level=2),
        "mle_copula level 2 (pit)": ours(level=2, discrete_correlation="pit"),
        "sdv GaussianCopula": sdv_gaussian_copula,
        "synthcity marginal_distributions": synthcity_marginals,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    results: dict[str, Any] = {"seeds": args.seeds, "tables": {}}
    for name, columns in STUDY_COLUMNS.items():
        dataset = load(name)
        real = dataset.data
        started = time.perf_counter()
        model = MLECopula(dataset.roles).fit(real)
        fit_s = time.perf_counter() - started
        figure = plot_fits(name, real, model)
        table = model.fit_table()
        entry: dict[str, Any] = {
            "rows": len(real),
            "fit_seconds": round(fit_s, 3),
            "figure": figure.name,
            "fit_table": [
                {
                    "column": str(row.column),
                    "family": row.family,
                    "parameters": {str(k): v for k, v in row.parameters.items()},
                    "aic": round(float(row.aic), 2),
                    "bic": round(float(row.bic), 2),
                    "ks_statistic": round(float(row.ks_statistic), 4),
                }
                for row in table.itertuples()
            ],
            "family_by_criterion": family_choices(model),
            "correlation_repaired": model.correlation_repaired_,
            "generators": {},
        }
        study = real[columns]
        study_roles = {c: dataset.roles[c] for c in columns}
        for seed in args.seeds:
            for label, run in generators(seed).items():
                fake = run(study, study_roles)
                record = entry["generators"].setdefault(label, {"l1": [], "marginals": []})
                record["l1"].append(correlation_l1(study, fake))
                record["marginals"].append(marginal_scores(study, fake, study_roles))
        for record in entry["generators"].values():
            l1 = record.pop("l1")
            marginals = record.pop("marginals")
            record["correlation_l1_mean"] = round(float(np.mean(l1)), 3)
            record["correlation_l1_range"] = [round(min(l1), 3), round(max(l1), 3)]
            for key in marginals[0]:
                record[key] = round(float(np.mean([m[key] for m in marginals])), 4)
        results["tables"][name] = entry
        print(name, json.dumps(entry["generators"], indent=1))
        print(name, json.dumps(entry["family_by_criterion"], indent=1))
    (OUT / "mle_copula_fits.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()

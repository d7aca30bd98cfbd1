"""Hyper-parameter tuning of any Synthcity plugin with Optuna (``synth-plugins tune``).

The search space is the plugin's own ``hyperparameter_space()``, each Synthcity
distribution mapped to an Optuna suggestion here (:func:`suggest`; Synthcity's
``suggest_all`` fails with Optuna 5); each trial fits the plugin on the training split of a
bundled dataset and scores one output of ``Metrics.evaluate`` (holdout as ``X_gt``,
training split as ``X_train``), e.g. ``stats.aml_fidelity.score``. The objective must be a
figure the benchmark ranks generators on, and the study reads it as the ranking does
(:meth:`Objective.direction`): in the figure's own direction, a score with an inner ideal
counted as the ideal below it.

Tuning that outgrows one machine needs no code of ours: give every process the same
``storage`` (an Optuna RDB URL: ``sqlite:///tune.db`` for processes on one machine, a
PostgreSQL or MySQL URL for several machines) and ``study_name``; each process adds its
trials to the shared study (``load_if_exists``), and Optuna's sampler sees all of them.
The sampler of a shared study is not seeded, so that its workers draw different trials;
the train/holdout split and every fit keep the study's ``seed`` (see :func:`make_sampler`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from synth_plugins.benchmark.tabular import TRAIN_SIZE
from synth_plugins.errors import InvalidParameterError, SynthPluginsError, UnknownNameError

#: The default objective: fast, and defined for every tabular and survival loader.
DEFAULT_OBJECTIVE = "stats.aml_fidelity.score"
_TASK_TYPES = {"tabular": "classification", "survival": "survival_analysis"}
#: The Synthcity plugin types that fit each dataset kind's loader (a survival table is a
#: table to a generic plugin).
_PLUGIN_TYPES = {
    "tabular": ("generic", "privacy", "debug"),
    "survival": ("generic", "privacy", "debug", "survival_analysis"),
}


@dataclass(frozen=True)
class Objective:
    """One output of ``Metrics.evaluate``: ``<category>.<metric>.<key>``."""

    category: str
    metric: str
    key: str

    @classmethod
    def parse(cls, text: str) -> Objective:
        """``"stats.aml_fidelity.score"`` -> Objective; ``key`` may itself contain dots."""
        parts = text.split(".", 2)
        if len(parts) != 3 or not all(parts):
            raise InvalidParameterError(
                f"objective must be '<category>.<metric>.<key>' as Metrics.evaluate names its "
                f"rows (e.g. {DEFAULT_OBJECTIVE!r}), got {text!r}"
            )
        return cls(*parts)

    @property
    def row(self) -> str:
        """The row label in ``Metrics.evaluate``'s result."""
        return f"{self.category}.{self.metric}.{self.key}"

    def direction(self) -> str:
        """``"maximize"`` or ``"minimize"``: the row's direction as the benchmark ranks it.

        The metric class gives one direction for all its rows;
        :func:`~synth_plugins.benchmark.report.score_directions` (the ranking's rule) keeps
        the rows that rank generators, each in its own direction (a Brier score is
        minimised inside a metric that maximises).

        Raises:
            UnknownNameError: no Synthcity metric has this category and name.
            InvalidParameterError: the row ranks no generator: a real-data baseline
                (``...gt...``, the same for every fit), a figure of the suite's metric other
                than its ``score``, or a signed figure (0 is best).
        """
        import synth_plugins

        synth_plugins.register(("synthcity",))
        from synthcity.metrics.eval import standard_metrics

        from synth_plugins import catalog
        from synth_plugins.benchmark.report import REAL_DATA_KEY, score_directions

        for metric in standard_metrics:
            if metric.type() == self.category and metric.name() == self.metric:
                ours = [entry.name for entry in catalog.METRICS]
                kept = score_directions({self.row: metric.direction()}, ours)
                if self.row in kept:
                    return kept[self.row]
                if self.key.split(".")[0] == REAL_DATA_KEY:
                    why = "is the score of the real data alone, the same for every fit"
                elif self.metric in ours:
                    why = f"is not the metric's score (use {self.category}.{self.metric}.score)"
                else:
                    why = "is signed (0 is best), so neither direction tunes it"
                raise InvalidParameterError(
                    f"objective {self.row!r} {why}; give a row the benchmark ranks generators on",
                    parameter="objective",
                )
        known = sorted(f"{m.type()}.{m.name()}" for m in standard_metrics)
        raise UnknownNameError("metric", f"{self.category}.{self.metric}", known)

    def ideal(self) -> float | None:
        """The row's inner ideal (a minimised score no better below it), or None.

        A trial's value is clipped at it, as the ranking reads the score
        (:func:`~synth_plugins.benchmark.report.rank_values`): without the clip Optuna would
        push the score past its ideal (a DCR holdout share below 0.5, a Hamming leakage
        coefficient below 0), which is no better.
        """
        from synth_plugins.benchmark.report import suite_ideals

        return suite_ideals().get(self.row)


def suggest(trial: Any, distribution: Any) -> Any:
    """An Optuna suggestion for one Synthcity ``Distribution``.

    Synthcity 0.2.12's own ``suggest_all`` passes ``step`` positionally, which Optuna 5
    rejects (``suggest_int() takes 4 positional arguments``), so the mapping is redone here
    with keywords.
    """
    from synthcity.plugins.core import distribution as D

    name = distribution.name
    if isinstance(distribution, D.LogDistribution):
        return trial.suggest_float(name, distribution.low, distribution.high, log=True)
    if isinstance(distribution, D.FloatDistribution):
        return trial.suggest_float(name, distribution.low, distribution.high)
    if isinstance(distribution, D.IntLogDistribution):
        return trial.suggest_int(name, distribution.low, distribution.high, log=True)
    if isinstance(distribution, D.IntegerDistribution):
        return trial.suggest_int(name, distribution.low, distribution.high, step=distribution.step)
    if isinstance(distribution, D.CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    raise InvalidParameterError(
        f"no Optuna suggestion for {name!r}: {type(distribution).__name__} is not a "
        "Synthcity float, integer or categorical distribution"
    )


def search_space(plugin: str, fixed: Mapping[str, Any]) -> list[Any]:
    """The plugin's ``hyperparameter_space()`` without the parameters fixed by the caller."""
    import synth_plugins

    synth_plugins.register(("synthcity",))
    from synthcity.plugins import Plugins

    plugins = Plugins()
    if plugin not in plugins.list():
        raise UnknownNameError("Synthcity plugin", plugin, plugins.list())
    space = plugins.get_type(plugin).hyperparameter_space()
    names = {d.name for d in space}
    if "random_state" in fixed:
        raise InvalidParameterError(
            "fixed parameter random_state is not tunable: every fit takes the study's seed "
            "(--seed, seed=) as its random_state; give --seed instead"
        )
    unknown = sorted(set(fixed) - names)
    if unknown:
        raise InvalidParameterError(
            f"fixed parameters {unknown} are not in {plugin}'s hyperparameter_space(); "
            f"it has {sorted(names)}"
        )
    return [d for d in space if d.name not in fixed]


def open_storage(url: str, option: str = "storage") -> Any:
    """The Optuna RDB storage at ``url``, opened (and its tables created) before any fit.

    Args:
        url: An SQLAlchemy URL, e.g. ``sqlite:///tune.db``.
        option: The name the caller knows the URL by, for the message (``--storage``).

    Raises:
        InvalidParameterError: the URL does not parse, names no installed database driver,
            or the database cannot be opened; one line, naming ``option``.
    """
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return optuna.storages.RDBStorage(url)
    except (ImportError, ValueError, SQLAlchemyError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InvalidParameterError(
            f"{option} {url!r} cannot be opened as an Optuna storage ({reason}); expected a "
            "database URL such as sqlite:///tune.db or postgresql://user@host/db",
            parameter="storage",
        ) from None


def default_study_name(plugin: str, dataset: str) -> str:
    """The study :func:`tune` creates or joins without a ``study_name``."""
    return f"{plugin}-{dataset}"


def make_sampler(seed: int, shared: bool) -> Any:
    """The study's sampler: seeded with ``seed`` in one process, unseeded when shared.

    Every worker of a shared study (``storage``) builds its own sampler: seeded alike, they
    would draw the same trials (TPE's first trials are random draws of its generator). Left
    unseeded, each draws its own; Optuna's ``constant_liar`` (on by default) keeps them from
    all proposing the neighbourhood of a running trial.
    """
    import optuna

    return optuna.samplers.TPESampler(seed=None if shared else seed)


def tune(
    plugin: str,
    dataset: str,
    *,
    n_trials: int = 20,
    objective: str = DEFAULT_OBJECTIVE,
    fixed: Mapping[str, Any] | None = None,
    storage: Any = None,
    study_name: str | None = None,
    timeout: float | None = None,
    seed: int = 0,
    workspace: Path | None = None,
    log: Callable[[str], None] = print,
) -> Any:
    """Run (or continue) an Optuna study over a Synthcity plugin's hyper-parameters.

    Args:
        plugin: A Synthcity plugin name (the suite's, e.g. ``"med_vae"``, or a built-in).
        dataset: A bundled tabular or survival dataset.
        n_trials: Trials this call adds to the study.
        objective: ``<category>.<metric>.<key>`` row of ``Metrics.evaluate``.
        fixed: Parameters held constant (left out of the search), e.g. ``{"n_iter": 50}``.
        storage: An Optuna storage URL shared by every worker (or a storage opened by
            :func:`open_storage`); None keeps the study in memory (single process).
        study_name: The study to create or join (default ``<plugin>-<dataset>``).
        timeout: Stop starting new trials after this many seconds (> 0).
        seed: Seed of the train/holdout split and of every fit (``random_state``), recorded
            in the study: a worker with another seed is refused. Without ``storage`` it
            seeds the sampler too; a shared study's sampler is unseeded
            (:func:`make_sampler`).
        workspace: Synthcity's cache folder for the evaluations (default: a temporary one,
            removed when the study ends).
        log: Printer of one line per finished trial.

    Returns:
        The ``optuna.Study`` (``best_params``, ``best_value``, ``trials_dataframe()``).
    """
    import optuna
    from synthcity.metrics import Metrics
    from synthcity.plugins import Plugins

    from synth_plugins.datasets import load
    from synth_plugins.synthcity.loaders import to_dataloader

    if n_trials < 1:
        raise InvalidParameterError(
            f"n_trials must be at least 1, got {n_trials}", parameter="n_trials"
        )
    if timeout is not None and not timeout > 0:
        raise InvalidParameterError(f"timeout must be a number of seconds > 0, got {timeout}")
    if isinstance(storage, str):
        storage = open_storage(storage)
    target = Objective.parse(objective)
    direction = target.direction()
    ideal = target.ideal()
    fixed = dict(fixed or {})
    space = search_space(plugin, fixed)
    data = load(dataset)
    if data.kind not in _TASK_TYPES:
        raise InvalidParameterError(
            f"dataset {dataset!r} is {data.kind}; tuning takes a tabular or survival dataset"
        )
    plugin_type = Plugins().get_type(plugin).type()
    if plugin_type not in _PLUGIN_TYPES[data.kind]:
        raise InvalidParameterError(
            f"{plugin} is a Synthcity {plugin_type!r} plugin and dataset {dataset!r} is "
            f"{data.kind}; it takes a plugin of type {' or '.join(_PLUGIN_TYPES[data.kind])}"
        )
    loader = to_dataloader(data, train_size=TRAIN_SIZE, random_state=seed)
    train, holdout = loader.train(), loader.test()
    owned = None  # a temporary workspace, removed when the study ends
    if workspace is None:
        import tempfile

        owned = tempfile.TemporaryDirectory(prefix="synth_plugins_tune_")
        workspace = Path(owned.name)

    def run_trial(trial: optuna.Trial) -> float:
        params = {d.name: suggest(trial, d) for d in space}
        params.update(fixed, random_state=seed)
        start = time.perf_counter()
        try:
            model = Plugins().get(plugin, workspace=workspace, **params).fit(train)
            synthetic = model.generate(count=len(train))
        except SynthPluginsError:
            raise
        except Exception as error:  # a fit that diverges fails its trial, not the study
            trial.set_user_attr("error", f"{type(error).__name__}: {error}"[:300])
            return float("nan")  # Optuna records a NaN objective as a failed trial
        scores = Metrics.evaluate(
            holdout,
            synthetic,
            X_train=train,
            metrics={target.category: [target.metric]},
            task_type=_TASK_TYPES[data.kind],
            random_state=seed,
            workspace=workspace,
            use_cache=False,
        )
        if target.row not in scores.index:
            raise InvalidParameterError(
                f"Metrics.evaluate gave no {target.row!r}; it gave {list(scores.index)}"
            )
        trial.set_user_attr("seconds", time.perf_counter() - start)
        value = float(scores.loc[target.row, "mean"])
        if ideal is not None and value < ideal:  # no better than the ideal (see ideal())
            trial.set_user_attr("raw_value", value)
            value = ideal
        return value

    # each finished or failed trial is one line of ``log``; Optuna's own warnings would add a
    # traceback for a trial stopped by the suite's error, which is raised as one line
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(
        study_name=study_name or default_study_name(plugin, dataset),
        storage=storage,
        load_if_exists=True,
        direction=direction,
        sampler=make_sampler(seed, shared=storage is not None),
    )
    settings = {"plugin": plugin, "dataset": dataset, "objective": target.row, "seed": seed}
    check_study(study, {**settings, "fixed": json.dumps(fixed, sort_keys=True, default=str)})

    def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        value = (
            trial.user_attrs.get("error", "failed")
            if trial.value is None
            else (f"{trial.value:.4f}")
        )
        log(f"trial {trial.number}: {target.row} = {value} {trial.params}")

    try:
        study.optimize(run_trial, n_trials=n_trials, timeout=timeout, callbacks=[report])
    finally:
        if owned is not None:
            owned.cleanup()
    return study


def check_study(study: Any, settings: Mapping[str, object]) -> None:
    """Stamp a new study with what it tunes; refuse to add trials of other settings to it.

    A study shared through ``--storage`` keeps one generator, dataset, objective (and so
    direction), seed (and so train/holdout split) and set of fixed parameters: trials of
    another would be ranked together with its own, and ``best_params`` would mix them. A
    study stamped before a setting was recorded accepts any value of it.

    Raises:
        InvalidParameterError: the study was created for other settings (the message names
            each difference).
    """
    stamped = study.user_attrs
    if not stamped and not study.trials:
        for key, value in settings.items():
            study.set_user_attr(key, value)
        return
    different = {
        key: (stamped[key], value)
        for key, value in settings.items()
        if key in stamped and stamped[key] != value
    }
    if different:
        said = "; ".join(
            f"{key} {old!r} there, {new!r} here" for key, (old, new) in different.items()
        )
        raise InvalidParameterError(
            f"study {study.study_name!r} tunes other settings ({said}); give another --study "
            "name, or the same settings"
        )


def summary(study: Any) -> pd.DataFrame:
    """The finished trials, best first, then the failed ones: value, parameters, seconds.

    A parameter held fixed is the column ``fixed_<name>``, so that the table alone says
    how each trial was fitted; ``state`` is ``COMPLETE`` or ``FAIL``, and a failed trial's
    error is in ``user_attrs_error``. A study without trials (a ``timeout`` that ran out
    before the first) gives a table without rows.
    """
    frame = study.trials_dataframe(attrs=("number", "value", "params", "user_attrs", "state"))
    if frame.empty:  # Optuna gives a frame without columns for a study without trials
        frame = pd.DataFrame(columns=["number", "value", "state"])
    frame = frame[frame["state"].isin(["COMPLETE", "FAIL"])]
    fixed = json.loads(study.user_attrs.get("fixed", "{}"))
    frame = frame.assign(**{f"fixed_{name}": value for name, value in fixed.items()})
    ascending = study.direction.name == "MINIMIZE"
    frame = frame.assign(_failed=frame["state"] == "FAIL")
    frame = frame.sort_values(["_failed", "value"], ascending=[True, ascending])
    return frame.drop(columns="_failed").reset_index(drop=True)


def all_failed(table: pd.DataFrame) -> str:
    """Why no trial of ``table`` (:func:`summary`) finished, if all failed; else ``""``."""
    if not len(table) or (table["state"] == "COMPLETE").any():
        return ""
    first = table.sort_values("number").iloc[0]
    error = first.get("user_attrs_error", "")
    return f"all {len(table)} trials failed; the first: {error if pd.notna(error) else '?'}"

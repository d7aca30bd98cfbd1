"""Optuna tuning of Synthcity plugins through ``synth-plugins tune``, with a shared storage."""

import subprocess
import sys
import tempfile

import optuna
import pandas as pd
import pytest

from synth_plugins.benchmark.tuning import Objective, search_space, summary, tune
from synth_plugins.cli import main
from synth_plugins.errors import InvalidParameterError, UnknownNameError


def test_two_workers_share_one_study_through_the_storage(tmp_path, capsys):
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    # a study name need not be a file name: the table is written as team_hf.csv
    common = ["--dataset", "heart_failure", "--storage", storage, "--study", "team/hf"]
    fixed = ["--fix", "n_iter=3", "--fix", "batch_size=64"]
    out = str(tmp_path / "out")
    # two processes would run these at the same time; they share the study either way
    assert main(["tune", "med_vae", "--trials", "2", *common, *fixed, "--output", out]) == 0
    assert main(["tune", "med_vae", "--trials", "1", *common, *fixed]) == 0
    study = optuna.load_study(study_name="team/hf", storage=storage)
    finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(finished) == 3
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE  # aml_fidelity
    for trial in finished:
        assert 0.0 <= trial.value <= 1.0
        assert "n_iter" not in trial.params and "beta" in trial.params
        assert 0.01 <= trial.params["beta"] <= 1.0
    table = pd.read_csv(tmp_path / "out" / "team_hf.csv")
    assert len(table) == 2  # the first call's table; the study now holds 3
    assert (table["fixed_n_iter"] == 3).all() and (table["fixed_batch_size"] == 64).all()
    assert "params_beta" in table and "params_n_iter" not in table
    assert "best stats.aml_fidelity.score" in capsys.readouterr().out


def test_a_shared_study_refuses_trials_of_other_settings(tmp_path):
    """Before, a study shared through the storage took trials of another dataset, generator
    or objective and reported one's best parameters with another's score."""
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    common = {"n_trials": 1, "storage": storage, "study_name": "s", "log": lambda line: None}
    tune("mle_copula", "pima", **common)
    with pytest.raises(InvalidParameterError, match=r"dataset 'pima' there, 'ckd' here"):
        tune("mle_copula", "ckd", **common)
    with pytest.raises(InvalidParameterError, match=r"objective .*correlation_l1"):
        tune("mle_copula", "pima", objective="stats.correlation_l1.score", **common)
    assert len(optuna.load_study(study_name="s", storage=storage).trials) == 1


def test_workers_of_a_shared_study_draw_different_trials_on_one_split(tmp_path):
    """Before, every worker's sampler was seeded with --seed, so workers joining one study
    ran the same trials (same parameters, same score); and a worker with another --seed
    added trials scored on another train/holdout split."""
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    common = {
        "n_trials": 1,
        "fixed": {"n_iter": 2, "batch_size": 64},
        "storage": storage,
        "study_name": "shared",
        "log": lambda line: None,
    }
    tune("med_vae", "pima", **common)
    study = tune("med_vae", "pima", **common)  # a second worker, as a second process would
    first, second = (t.params for t in study.trials)
    assert first != second
    assert study.user_attrs["seed"] == 0  # the split the study was created with
    with pytest.raises(InvalidParameterError, match=r"seed 0 there, 1 here"):
        tune("med_vae", "pima", **common, seed=1)
    assert len(optuna.load_study(study_name="shared", storage=storage).trials) == 2


def test_a_study_without_finished_trials_gives_an_empty_table():
    """Before, a study whose timeout ran out before its first trial ended with KeyError:
    'state' when its table was written."""
    table = summary(optuna.create_study())
    assert len(table) == 0 and "value" in table.columns
    with pytest.raises(InvalidParameterError, match="timeout must be a number of seconds > 0"):
        tune("med_vae", "pima", n_trials=1, timeout=0, log=lambda line: None)


def test_a_storage_that_cannot_be_opened_is_a_one_line_error(tmp_path, capsys):
    """Before, ``--storage bogus://x`` ended with SQLAlchemy's NoSuchModuleError traceback."""
    argv = ["tune", "med_vae", "--dataset", "pima", "--trials", "1", "--storage", "bogus://x"]
    assert main([*argv, "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "synth-plugins: error: --storage 'bogus://x' cannot be opened as an Optuna storage "
        "(Can't load plugin: sqlalchemy.dialects:bogus)"
    )
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(InvalidParameterError, match=r"storage 'notaurl' cannot be opened"):
        tune("med_vae", "pima", n_trials=1, storage="notaurl", log=lambda line: None)


def test_a_builtin_with_a_minimised_objective(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the workspace goes
    study = tune(
        "marginal_distributions",
        "pima",
        n_trials=1,
        objective="stats.correlation_l1.score",
        log=lambda line: None,
    )
    assert study.direction == optuna.study.StudyDirection.MINIMIZE
    assert study.best_value >= 0.0
    assert not list(tmp_path.glob("synth_plugins_tune_*"))  # the temporary workspace is gone


def test_bad_requests_name_the_problem():
    with pytest.raises(InvalidParameterError, match="<category>.<metric>.<key>"):
        Objective.parse("aml_fidelity")
    with pytest.raises(UnknownNameError, match="stats.nope"):
        Objective.parse("stats.nope.score").direction()
    with pytest.raises(UnknownNameError, match="no_such_plugin"):
        search_space("no_such_plugin", {})
    with pytest.raises(InvalidParameterError, match="not in med_vae"):
        search_space("med_vae", {"n_layers": 2})
    assert main(["tune", "med_vae", "--dataset", "ms_registry", "--trials", "1"]) == 2
    # a survival plugin on a table without outcomes: refused before any fit
    with pytest.raises(InvalidParameterError, match=r"'survival_analysis' plugin .* 'pima'"):
        tune("survae", "pima", n_trials=1, log=lambda line: None)


def test_the_command_keeps_host_import_notices_off_the_terminal(tmp_path):
    """Synthcity logs a CRITICAL line per ``Plugins()`` for its goggle plugin (no ``dgl``
    wheel) and pyKeOps prints a CPU-only notice; ``-v`` shows them, the default does not."""

    def terminal(*verbose: str) -> str:
        argv = ["tune", "mle_copula", "--dataset", "heart_failure", "--trials", "1"]
        output = tmp_path / ("verbose" if verbose else "quiet")  # each call its own table
        done = subprocess.run(
            [sys.executable, "-m", "synth_plugins.cli", *verbose, *argv, "--output", str(output)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    notices = ("CRITICAL", "KeOps")
    if not any(notice in terminal("-v") for notice in notices):
        pytest.skip("this stack's Synthcity prints no import notices")
    shown = terminal()
    assert not any(notice in shown for notice in notices), shown
    assert "trial 0: stats.aml_fidelity.score" in shown


def test_the_objective_is_read_as_the_ranking_reads_it():
    """The direction came from the metric as a whole: a Brier score (lower is better) was
    maximised, a real-data baseline (``gt``) and a signed figure were accepted."""
    assert Objective.parse("performance.linear_model.syn_id.c_index").direction() == "maximize"
    brier = Objective.parse("performance.linear_model.syn_id.brier_score")
    assert brier.direction() == "minimize"
    for row, why in (
        ("performance.linear_model.gt.c_index", "real data alone"),
        ("stats.survival_km_distance.optimism", "signed"),
        ("privacy.hamming_leakage.coefficient", "privacy.hamming_leakage.score"),
    ):
        with pytest.raises(InvalidParameterError, match=why):
            Objective.parse(row).direction()


def test_a_score_below_its_inner_ideal_counts_as_the_ideal(tmp_path, monkeypatch):
    """Optuna was handed the raw DCR holdout share and pushed it below 0.5, which the
    ranking reads as no better than 0.5."""
    from synthcity.metrics import Metrics

    row = "privacy.dcr_holdout_share.score"
    canned = pd.DataFrame({"mean": {row: 0.3}})
    monkeypatch.setattr(Metrics, "evaluate", staticmethod(lambda *a, **k: canned))
    study = tune("marginal_distributions", "pima", n_trials=1, objective=row,
                 workspace=tmp_path, log=lambda line: None)  # fmt: skip
    assert study.best_value == 0.5
    assert study.best_trial.user_attrs["raw_value"] == 0.3


def test_fixing_random_state_is_refused_naming_seed():
    """``--fix random_state=5`` was accepted, then overridden by ``--seed``."""
    with pytest.raises(InvalidParameterError, match="--seed"):
        search_space("marginal_distributions", {"random_state": 5})

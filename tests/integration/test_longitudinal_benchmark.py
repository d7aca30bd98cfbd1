"""The longitudinal suite end to end (small sizes), through the CLI and the class."""

import os
import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from synth_plugins.benchmark import longitudinal
from synth_plugins.benchmark.longitudinal import (
    Contender,
    LongitudinalBenchmark,
    rank_runs,
    real_reference,
    run_one,
)
from synth_plugins.benchmark.report import REFERENCE_ROW
from synth_plugins.datasets import load
from synth_plugins.errors import UnderTrainedWarning
from synth_plugins.generators.longitudinal_lstm import LongitudinalLSTM

TINY = {"epochs": 3, "static_epochs": 10, "hidden": 16, "num_layers": 1}


@pytest.mark.slow
def test_suite_ranks_generators_and_draws_figures(tmp_path):
    bench = LongitudinalBenchmark(
        datasets=("ms_registry",),
        repeats=2,
        output=tmp_path,
        synthcity=False,
        lstm_params=TINY,
        par_params={"epochs": 2},
        ms_patients=60,
        log=lambda line: None,
    )
    tables = bench.run()

    table = tables["longitudinal:ms_registry"]
    assert list(table.index)[-1] == REFERENCE_ROW
    assert set(table.index) == {"longitudinal_lstm", "PARSynthesizer", REFERENCE_ROW}
    ranked = table.drop(index=REFERENCE_ROW)
    assert list(ranked["rank"]) == [1, 2]
    assert ranked["Quality_Score"].is_monotonic_decreasing
    assert ranked["Quality_Score"].between(0, 1).all()
    assert (ranked["seeds"] == 2).all() and (ranked["seeds_asked"] == 2).all()
    assert (ranked["Train_Time"] > 0).all() and (ranked["Peak_Memory_MB"] >= 0).all()
    # the MS cohort's relapse counts give an event rate per patient-year for everyone
    assert table["events_per_patient_year"].notna().all()
    runs = pd.read_csv(tmp_path / "longitudinal" / "runs.csv")
    assert sorted(runs["Seed"].unique()) == [0, 1]
    for kind in ("gaps", "trajectories"):
        figure = tmp_path / "longitudinal" / f"{kind}_ms_registry.png"
        assert figure.exists() and figure.stat().st_size > 10_000
    page = (tmp_path / "longitudinal" / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2
    assert "longitudinal_lstm" in page and "PARSynthesizer" in page


def test_rank_runs_averages_seeds_and_keeps_failures_last():
    frame = pd.DataFrame(
        [
            {"Synthesizer": REFERENCE_ROW, "Seed": 0, "Quality_Score": None, "Error": None},
            {"Synthesizer": "a", "Seed": 0, "Quality_Score": 0.6, "Error": ""},
            {"Synthesizer": "a", "Seed": 1, "Quality_Score": 0.8, "Error": ""},
            {"Synthesizer": "b", "Seed": 0, "Quality_Score": 0.9, "Error": ""},
            {"Synthesizer": "c", "Seed": 0, "Quality_Score": None, "Error": "ValueError: x"},
        ]
    )
    table = rank_runs(frame)
    assert list(table.index) == ["b", "a", "c", REFERENCE_ROW]
    assert table.loc["a", "Quality_Score"] == pytest.approx(0.7)
    assert table.loc["a", "seeds"] == 2
    assert table.loc["c", "errors"] == "ValueError: x"
    assert list(table["rank"].iloc[:2]) == [1, 2]
    assert pd.isna(table.loc["c", "rank"])  # no seed produced data: not ranked


def test_a_generator_that_failed_on_a_seed_ranks_after_complete_ones():
    """B failed on seed 1; its mean over the one seed left (0.75) outranked A's mean over
    both (0.70), and its Seeds column said 2."""
    frame = pd.DataFrame(
        [
            {"Synthesizer": REFERENCE_ROW, "Seed": 0, "Quality_Score": None, "Error": None},
            {"Synthesizer": "A", "Seed": 0, "Quality_Score": 0.80, "Error": ""},
            {"Synthesizer": "A", "Seed": 1, "Quality_Score": 0.60, "Error": ""},
            {"Synthesizer": "B", "Seed": 0, "Quality_Score": 0.75, "Error": ""},
            {"Synthesizer": "B", "Seed": 1, "Quality_Score": None, "Error": "RuntimeError: x"},
        ]
    )
    table = rank_runs(frame)
    assert list(table.index) == ["A", "B", REFERENCE_ROW]
    assert list(table["rank"].iloc[:2]) == [1, 2]
    assert table.loc["B", "seeds"] == 1 and table.loc["B", "seeds_asked"] == 2
    assert table.loc["B", "Quality_Score"] == pytest.approx(0.75)


def test_cli_rejects_a_tabular_dataset_for_the_longitudinal_suite(tmp_path, capsys):
    from synth_plugins.cli import main

    code = main(["benchmark", "longitudinal", "--dataset", "pima", "--output", str(tmp_path)])
    assert code == 2
    assert "longitudinal dataset" in capsys.readouterr().err


@pytest.fixture
def first_patients(monkeypatch):
    """Every generator "generates" the first 40 PBC patients' visits (no fit)."""
    pbc = load("pbc_visits")
    ids = pbc.data["id"].unique()[:40]
    output = pbc.data[pbc.data["id"].isin(ids)].reset_index(drop=True)

    def fit_sample(contender, dataset, n, workspace):
        (workspace / "cache.bkp").write_text("a plugin's cache")  # as Synthcity's may
        used.append(workspace)
        return (
            (lambda: None),
            (lambda: output.copy()),
            SimpleNamespace(n_epochs_=1, cut_short_=False),
        )

    used: list = []
    output.attrs["workspaces"] = used

    monkeypatch.setattr(longitudinal, "_fit_sample", fit_sample)
    return output


def test_generator_rows_count_the_patients_and_visits_it_generated(first_patients):
    """Before, "Patients" and "Visits" of every generator row were the real table's (312
    patients, 1,945 visits on PBC), whatever the generator produced. The reference row
    counts the training patients (249 of PBC's 312, 1,527 of its 1,945 visits)."""
    pbc = load("pbc_visits")
    contender = Contender("longitudinal_lstm", "core")
    row = run_one(contender, pbc, log=lambda line: None).row
    assert row["Error"] == ""
    assert (row["Patients"], row["Visits"]) == (40, len(first_patients))
    assert (real_reference(pbc)["Patients"], real_reference(pbc)["Visits"]) == (249, 1527)
    # the plugin's workspace is removed after the run (each run left a folder in /tmp)
    (workspace,) = first_patients.attrs["workspaces"]
    assert not workspace.exists()


def test_pbc_visits_report_has_no_blank_event_rate_and_only_its_seeds(first_patients, tmp_path):
    """Before, the pbc_visits table had an event_rate column that was always blank (the
    suite knew only the MS cohort's relapses), and its seeds table named ms_registry, which
    did not run. The note said "no event_rate column" as if the other datasets' summary
    tables had one: only their tables of every figure do."""
    bench = LongitudinalBenchmark(
        datasets=("pbc_visits",), output=tmp_path, synthcity=False, log=lambda line: None
    )
    table = bench.run()["longitudinal:pbc_visits"]
    assert "event_rate" not in table.columns
    assert table.loc["longitudinal_lstm", "Patients"] == 40
    assert table.loc[REFERENCE_ROW, "Patients"] == 249
    (note,) = bench.reading_notes
    assert note.startswith("pbc_visits: the event-rate part is not scored (its table of every")
    assert "'status2'" in note
    assert bench.recorded_seeds().keys() == {"split", "generators"}
    hash_seed = os.environ.get("PYTHONHASHSEED", "random")
    assert f"PYTHONHASHSEED={hash_seed}" in bench.recorded_seeds()["generators"]
    page = (tmp_path / "longitudinal" / "report.html").read_text()
    assert "ms_registry" not in page
    assert "the event-rate part is not scored" in page


def test_the_event_column_is_the_datasets_own_visit_count():
    ms = load("ms_registry", n_patients=20, seed=0)
    pbc = load("pbc_visits")
    assert longitudinal.event_column(ms) == "relapses"
    assert pbc.event_column == "status2" and longitudinal.event_column(pbc) is None


def test_each_seed_samples_the_lstm_from_its_own_stream(tmp_path):
    """The LSTM's case sampled with random_state 0 whatever its seed, so repeats varied
    only the fit."""
    from synth_plugins.benchmark.longitudinal import Contender, _fit_sample

    dataset = load("ms_registry", n_patients=40, seed=0)
    params = {"epochs": 1, "static_epochs": 1, "random_state": 3}
    fit, sample, model = _fit_sample(
        Contender("longitudinal_lstm", "core", params), dataset, 5, tmp_path
    )
    fit()
    pd.testing.assert_frame_equal(sample(), model.sample(5, random_state=3))


def test_fits_cut_short_are_reading_notes_not_log_warnings(monkeypatch, tmp_path):
    """The main job's quick budget (epochs=40) cut the LSTM short on both of its tables,
    and each fit printed "raise epochs" into the job's log, pointing into the suite; the
    report did not say that those scores were an under-trained model's."""

    def warned_fit(self, data):
        warnings.warn("cut short", UnderTrainedWarning, stacklevel=2)
        self.n_epochs_, self.cut_short_ = 40, self.random_state == 1
        return self

    monkeypatch.setattr(LongitudinalLSTM, "fit", warned_fit)
    monkeypatch.setattr(LongitudinalLSTM, "sample", lambda self, n, random_state: None)
    dataset = load("ms_registry", n_patients=20, seed=0)
    rows = []
    for seed in (0, 1, 2):
        contender = Contender("longitudinal_lstm", "core", {"random_state": seed})
        fit, _, model = longitudinal._fit_sample(contender, dataset, 5, tmp_path)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UnderTrainedWarning)
            fit()
        rows.append({"Synthesizer": "longitudinal_lstm", "Seed": seed, "Epochs_Run": 40,
                     "Cut_Short": float(model.cut_short_)})  # fmt: skip
    rows.append({"Synthesizer": "PARSynthesizer", "Seed": 0})
    (note,) = longitudinal.cut_short_notes(pd.DataFrame(rows))
    assert note.startswith("longitudinal_lstm: the validation loss was still falling")
    assert "epochs=40 (seed 1)" in note and "under-trained" in note
    assert longitudinal.cut_short_notes(pd.DataFrame(rows[:1] + rows[2:])) == []

import contextlib

import pytest

from synth_plugins import catalog
from synth_plugins.cli import CELL_WIDTH, main


def test_list_shows_every_name(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for entry in (*catalog.GENERATORS, *catalog.METRICS):
        assert entry.name in out


@pytest.mark.parametrize("columns", [80, 120])
def test_printed_tables_fit_the_terminal_and_name_what_they_leave_out(columns, capsys, monkeypatch):
    """A benchmark's ranked table has dozens of columns (7,128 characters a line were
    printed), and every table was cut at 200 characters whatever the terminal: a printed
    table keeps to the terminal's width (``COLUMNS``), wraps long text and names the
    columns left out."""
    import numpy as np
    import pandas as pd

    from synth_plugins.cli import _print_table

    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= columns
    assert lines[1].split() == ["name", "synthcity", "sdv", "/", "sdmetrics", "summary"]
    assert main(["datasets"]) == 0
    assert max(map(len, capsys.readouterr().out.splitlines())) <= columns
    wide = pd.DataFrame(
        np.random.default_rng(0).normal(size=(3, 40)),
        columns=[f"figure_{i:02d}_of_a_long_name" for i in range(40)],
        index=pd.Index(["a", "b", "c"], name="generator"),
    )
    _print_table(wide)
    out = capsys.readouterr().out
    assert max(map(len, out.splitlines())) <= columns
    first, second = out.split("\n\n")  # two blocks of columns under the same row names
    assert first.startswith("generator  figure_00_of_a_long_name")
    assert second.startswith("generator  figure_0") and "figure_00" not in second
    note = " ".join(second.splitlines()[4:])
    assert note.startswith("(not shown here, ") and "figure_39_of_a_long_name)" in note


@pytest.mark.parametrize("suite", ["tabular:synthcity", "survival", "longitudinal"])
def test_a_benchmark_summary_shows_every_column_on_80_characters(suite, capsys, monkeypatch):
    """Before, on 80 columns the summary named its privacy and time columns (Hamming
    leakage, fit s) under the table instead of showing their values: the columns that do
    not fit beside the first ones now follow in a second block under the same row names."""
    import numpy as np
    import pandas as pd

    from synth_plugins.benchmark.summary import SUMMARY_COLUMNS
    from synth_plugins.cli import _print_table

    monkeypatch.setenv("COLUMNS", "80")
    headers = [column.label for column in SUMMARY_COLUMNS[suite]]
    frame = pd.DataFrame(
        np.random.default_rng(0).uniform(0, 100, size=(3, len(headers))).round(4),
        columns=headers,
        index=pd.Index(["synthcity_ctabgan_plus", "GaussianCopulaSynthesizer", "med_vae"]),
    )
    _print_table(frame)
    out = capsys.readouterr().out
    assert "not shown" not in out
    assert max(map(len, out.splitlines())) <= 80
    for value in frame.to_numpy().ravel():
        assert f"{value:.4g}" in out


def test_number_headers_wrap_at_their_words_to_keep_columns_on_screen(capsys, monkeypatch):
    """Before, a number column was never narrower than its header: on 80 columns the
    longitudinal summary showed 4 of its 10 columns ("quality vs training patients" took 28
    characters over values of 6)."""
    import pandas as pd

    from synth_plugins.cli import _print_table

    monkeypatch.setenv("COLUMNS", "80")
    headers = ["quality ↑", "visit marginals ↑", "time-order violations ↓", "fit s ↓"]
    headers += ["quality vs training patients", "sample s ↓"]
    frame = pd.DataFrame(
        [[0.8967, 0.9365, 0.0, 15.63, 0.9145, 0.3814]] * 2,
        columns=headers,
        index=pd.Index(["longitudinal_lstm", "PARSynthesizer"], name="generator"),
    )
    _print_table(frame)
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= 80 and not any("not shown" in line for line in lines)
    assert "15.63" in next(line for line in lines if line.startswith("PARSynthesizer"))
    assert not any("training patients" in line for line in lines)  # wrapped at its words
    assert any(line.endswith(" patients") for line in lines)


def test_row_names_wider_than_the_terminal_overflow_instead_of_failing(capsys, monkeypatch):
    import pandas as pd

    from synth_plugins.cli import _print_table

    monkeypatch.setenv("COLUMNS", "20")
    name = "a_row_name_of_forty_characters_at_least"
    frame = pd.DataFrame({"note": ["some words " * 3], "other": ["more words " * 3]}, index=[name])
    _print_table(frame)
    out = capsys.readouterr().out
    assert name in out and "2 more: note" in out  # nothing else fits beside the names


def test_datasets_lists_every_dataset(capsys, monkeypatch):
    from synth_plugins.datasets import names

    monkeypatch.setenv("COLUMNS", "200")  # pytest-xdist's workers set COLUMNS=80
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in names():
        assert name in out
    assert "1945" in out  # pbc_visits rows


@pytest.mark.parametrize("columns", [80, 200])
def test_datasets_shows_the_datas_licence_not_the_carriers(columns, capsys, monkeypatch):
    """Before, pima's licence read "Carrier repository Apache-2.0" (the data are CC0),
    gbsg2's "scikit-survival (GPL-3) ships the data" (the data are GPL-2), and on 80
    columns the licence column was left out."""
    from synth_plugins.datasets import load, names

    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "licence" in out.splitlines()[0]
    first_block = out.split("\n\n")[0]  # a narrow screen shows the last column in a second
    rows = {
        line.split()[0]: line for line in first_block.splitlines() if line.split()[0] in names()
    }
    assert "CC0" in rows["pima"] and "Apache" not in rows["pima"] and "GPL-2" in rows["gbsg2"]
    assert "scikit-survival" not in out and "Carrier" not in out
    for name in names():  # never cut: the whole licence is shown
        assert len(load(name).license) <= CELL_WIDTH
    assert load("gbsg2").carrier.startswith("scikit-survival (GPL-3)")


def test_unknown_dataset_is_a_one_line_error(capsys):
    assert main(["benchmark", "tabular", "--dataset", "nope", "--no-sdgym"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("synth-plugins: error: unknown dataset 'nope'; available: actg320")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("suite", "dataset", "kind"),
    [("survival", "pima", "tabular"), ("tabular", "pbc_visits", "longitudinal")],
)
def test_a_dataset_the_suite_cannot_run_on_is_a_one_line_error(suite, dataset, kind, capsys):
    """Before, the survival suite ran every generator on pima, each failed, and the reports
    were written full of NaN with exit code 0."""
    from synth_plugins.benchmark import check_suite_dataset
    from synth_plugins.errors import InvalidParameterError

    said = f"dataset '{dataset}' is {kind}; the {suite} suite needs"
    with pytest.raises(InvalidParameterError, match=said):
        check_suite_dataset(suite, dataset)
    pytest.importorskip("synthcity")  # without it the command stops on that first
    no_sdgym = ["--no-sdgym"] if suite == "tabular" else []  # refused for the others
    assert main(["benchmark", suite, "--dataset", dataset, *no_sdgym]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_bad_repeats_is_an_error(capsys):
    assert main(["benchmark", "--repeats", "0"]) == 2
    assert "--repeats must be at least 1" in capsys.readouterr().err


def test_usage_mistakes_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    "argv", [["benchmark", "tabular"], ["tune", "med_vae", "--dataset", "pima"]]
)
def test_harness_commands_without_synthcity_are_a_one_line_error(argv, capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == "synthcity" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"'synth-plugins {argv[0]}' (it runs Synthcity's harness) needs the package" in err
    assert 'pip install ".[all]" -c requirements/constraints.txt' in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["tune", "med_vae", "--dataset", "pima", "--seed", "-1"], "expected a whole number >= 0"),
        (["benchmark", "tabular", "--backend", "foo"], "invalid choice: 'foo'"),
        (["benchmark", "tabular", "--output", "{file}"], "exists and is not a folder"),
        (["tune", "med_vae", "--dataset", "pima", "--output", "{file}"], "is not a folder"),
        (["tune", "med_vae", "--dataset", "pima", "--output", "{file}/sub"], "cannot write"),
        (["benchmark", "tabular", "--output", "{file}/sub"], "cannot write to the folder"),
    ],
)
def test_bad_options_stop_before_any_fit(argv, words, tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main([a.format(file=afile) for a in argv])
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err


def test_reports_record_the_command_that_reproduces_the_run():
    from pathlib import Path

    from synth_plugins.benchmark import cli_command

    command = cli_command("survival", ["gbsg2"], False, 3, Path("out"), True, 2, None)
    assert command == (
        "synth-plugins benchmark survival --dataset gbsg2 --full --repeats 3 --n-jobs 2 "
        "--output out"
    )
    assert cli_command("tabular", None, True, 1, Path("o"), False, 1, "loky") == (
        "synth-plugins benchmark tabular --no-sdgym --backend loky --output o"
    )
    spaced = cli_command("tabular", ["my table.csv"], True, 1, Path("my dir"), True, 1, None)
    assert spaced.endswith("--dataset 'my table.csv' --output 'my dir'")


def test_benchmark_all_records_a_command_the_shell_reads_back(monkeypatch, tmp_path):
    """An argument with a space or an empty one was joined unquoted: ``--output 'my dir'``
    was recorded as ``--output my dir``, which runs with the output ``my``."""
    import shlex

    pytest.importorskip("synthcity")
    import synth_plugins.benchmark as benchmark

    recorded = {}

    def run_all(**kwargs):
        recorded["command"] = kwargs["command"]
        return []

    monkeypatch.setattr(benchmark, "run_all", run_all)
    argv = ["benchmark", "all", "--output", str(tmp_path / "my dir")]
    assert main(argv) == 0
    assert shlex.split(recorded["command"]) == ["synth-plugins", *argv]


def test_the_recorded_command_of_a_dask_run_names_its_scheduler(tmp_path, monkeypatch):
    """A Dask run's report recorded ``--backend dask`` without ``--scheduler``: run again,
    the command was refused."""
    import synth_plugins.benchmark as benchmark
    from synth_plugins import cli

    recorded = {}
    monkeypatch.setattr(cli, "_dask_client", lambda address: contextlib.nullcontext())
    monkeypatch.setattr("synth_plugins.benchmark.grid.check_backend", lambda backend: None)
    monkeypatch.setattr(cli, "_need_synthcity", lambda command: None)
    monkeypatch.setattr(cli, "_quiet_synthcity", lambda verbose: None)
    monkeypatch.setattr(benchmark, "run_suite", lambda **kw: recorded.update(kw))
    argv = ["benchmark", "survival", "--backend", "dask", "--scheduler", "tcp://h:8786"]
    argv += ["--n-jobs", "2", "--output", str(tmp_path)]
    assert main(argv) == 0
    assert recorded["command"] == "synth-plugins " + " ".join(argv)


@pytest.mark.parametrize("suite", ["survival", "longitudinal"])
def test_no_sdgym_is_refused_outside_the_tabular_suite(suite, tmp_path, capsys):
    """--no-sdgym was accepted and dropped for suites that never run SDGym."""
    code = main(["benchmark", suite, "--no-sdgym", "--output", str(tmp_path)])
    assert code == 2
    assert "--no-sdgym applies to the tabular suite only" in capsys.readouterr().err


@pytest.fixture
def no_suite_may_start(monkeypatch):
    """Fail the test if a benchmark suite starts: the refusals below come before any work."""
    import synth_plugins.benchmark as benchmark

    def started(*args, **kwargs):
        pytest.fail("a suite started although its options cannot run")

    monkeypatch.setattr(benchmark, "run_suite", started)
    monkeypatch.setattr(benchmark, "run_all", started)


def test_dask_backend_without_a_scheduler_is_refused_before_any_work(no_suite_may_start, capsys):
    """Before, the suite loaded its data and stopped at its first case with joblib's
    'To use Joblib with Dask first create a Dask Client' traceback."""
    assert main(["benchmark", "survival", "--backend", "dask"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("synth-plugins: error: --backend dask needs --scheduler")
    assert len(err.strip().splitlines()) == 1


def test_an_unreachable_scheduler_is_a_one_line_error(no_suite_may_start, capsys):
    """Before, Dask's connect timeout ended the command with an OSError traceback."""
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    argv = ["benchmark", "tabular", "--backend", "dask", "--scheduler", "tcp://127.0.0.1:1"]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("synth-plugins: error: --scheduler 'tcp://127.0.0.1:1': no Dask")
    assert len(err.strip().splitlines()) == 1


def test_ray_backend_without_ray_is_refused_at_once(no_suite_may_start, capsys):
    """Before, the suite ran until its first case, then joblib raised 'Invalid backend: ray'
    (about 40 s into the run, with a traceback)."""
    from importlib.util import find_spec

    if find_spec("ray") is not None:
        pytest.skip("Ray is installed here: its joblib backend is registered, not refused")
    assert main(["benchmark", "tabular", "--backend", "ray", "--n-jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("synth-plugins: error: backend 'ray' needs Ray, which is not installed")
    assert "pip install 'ray[default]'" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("timeout", ["0", "-5", "nan"])
def test_tune_refuses_a_timeout_that_would_start_no_trial(timeout, monkeypatch, capsys):
    """Before, ``--timeout 0`` (or less) started no trial and the table of trials failed
    with KeyError: 'state'."""
    import synth_plugins.benchmark.tuning as tuning

    monkeypatch.setattr(tuning, "tune", lambda *a, **k: pytest.fail("tuning started"))
    with pytest.raises(SystemExit) as exit_info:
        main(["tune", "med_vae", "--dataset", "pima", "--timeout", timeout])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --timeout: expected a number of seconds > 0, got '{timeout}'" in err


def test_a_reader_that_stops_early_gets_no_traceback():
    """``synth-plugins list | head -2``: the command stops quietly when the pipe closes."""
    import subprocess
    import sys

    command = [sys.executable, "-c", "from synth_plugins.cli import main; main(['list'])"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"generators:")
        process.stdout.close()  # as `head` does once it has its lines
        errors = process.stderr.read().decode()
        process.wait(timeout=120)
    assert "Traceback" not in errors and "BrokenPipeError" not in errors


def _study(values, fixed='{"n_iter": 5}'):
    """An in-memory study with one trial per value (None: a failed trial) and its stamp."""
    import optuna

    study = optuna.create_study(study_name="med_vae-pima", direction="maximize")
    study.set_user_attr("fixed", fixed)
    for value in values:
        trial = study.ask()
        trial.suggest_float("beta", 0.0, 1.0)
        if value is None:
            trial.set_user_attr("error", "RuntimeError: diverged")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(trial, value)
    return study


def test_tune_prints_the_best_trial_with_its_fixed_values_and_seed(tmp_path, monkeypatch, capsys):
    """Before, the line named only the tuned values: it did not reproduce the score."""
    import synth_plugins.benchmark.tuning as tuning

    study = _study([0.5, 0.75])
    monkeypatch.setattr(tuning, "tune", lambda *a, **k: study)
    argv = ["tune", "med_vae", "--dataset", "pima", "--fix", "n_iter=5", "--seed", "3"]
    assert main([*argv, "--output", str(tmp_path)]) == 0
    best = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("best"))
    assert "'n_iter': 5" in best and "'random_state': 3" in best
    assert f"'beta': {study.best_params['beta']}" in best


def test_tune_where_every_trial_fails_says_so_and_exits_1(tmp_path, monkeypatch, capsys):
    """Before, it exited 0 and wrote a CSV with a header only."""
    import pandas as pd

    import synth_plugins.benchmark.tuning as tuning

    monkeypatch.setattr(tuning, "tune", lambda *a, **k: _study([None, None]))
    assert main(["tune", "med_vae", "--dataset", "pima", "--output", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "all 2 trials failed; the first: RuntimeError: diverged" in err
    table = pd.read_csv(tmp_path / "med_vae-pima.csv")
    assert list(table["state"]) == ["FAIL", "FAIL"]
    assert (table["user_attrs_error"] == "RuntimeError: diverged").all()


@pytest.mark.parametrize(
    ("argv", "in_the_way"),
    [
        (["benchmark", "survival"], "survival"),
        (["benchmark"], "longitudinal"),
        (["benchmark", "longitudinal"], "longitudinal/report.md/"),
        (["benchmark", "survival"], "survival/report.html/"),
        (["benchmark", "tabular"], "tabular/environment.json/"),
        (["benchmark", "longitudinal"], "longitudinal/runs.csv/"),
        (["benchmark"], "index.md/"),
        (["benchmark"], "index.html/"),
        (["tune", "med_vae", "--dataset", "pima"], "med_vae-pima.csv/"),
        (["tune", "med_vae", "--dataset", "pima", "--study", "a/b"], "a_b.csv/"),
    ],
)
def test_output_paths_in_the_way_are_refused_before_any_fit(
    argv, in_the_way, tmp_path, monkeypatch, capsys
):
    """Before, a file <output>/survival or a folder <output>/<study>.csv raised a traceback
    (FileExistsError; IsADirectoryError after every fit), and so did a folder named as a
    report, a suite's environment.json or runs.csv, or an index page (after every fit)."""
    import synth_plugins.benchmark as benchmark
    import synth_plugins.benchmark.tuning as tuning

    monkeypatch.setattr(tuning, "tune", lambda *a, **k: pytest.fail("tuning started"))
    monkeypatch.setattr(benchmark, "run_suite_result", lambda *a, **k: pytest.fail("ran"))
    path = tmp_path / in_the_way.rstrip("/")
    path.mkdir(parents=True) if in_the_way.endswith("/") else path.write_text("")
    assert main([*argv, "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("synth-plugins: error: --output: ") and str(path) in err
    assert len(err.strip().splitlines()) == 1


def test_tune_without_storage_refuses_to_overwrite_an_earlier_table(tmp_path, monkeypatch, capsys):
    """Before, a second call replaced the first call's CSV while --help said trials add up."""
    import synth_plugins.benchmark.tuning as tuning

    monkeypatch.setattr(tuning, "tune", lambda *a, **k: _study([0.5]))
    argv = ["tune", "med_vae", "--dataset", "pima", "--output", str(tmp_path)]
    assert main(argv) == 0
    first = (tmp_path / "med_vae-pima.csv").read_text()
    capsys.readouterr()
    assert main(argv) == 2
    assert "without --storage trials do not add up" in capsys.readouterr().err
    assert (tmp_path / "med_vae-pima.csv").read_text() == first
    storage = f"sqlite:///{tmp_path / 't.db'}"
    assert main([*argv, "--storage", storage]) == 0  # the table of a shared study: all its trials


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["tune", "med_vae", "--dataset", "pima", "--trials", "-1"], "--trials must be at least 1"),
        (["benchmark", "survival", "--n-jobs", "0"], "--n-jobs must be at least 1, or -1"),
    ],
)
def test_errors_name_the_option_not_the_python_parameter(argv, words, tmp_path, capsys):
    """Before, the messages said n_trials and n_jobs, which the command line does not have."""
    assert main([*argv, "--output", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"synth-plugins: error: {words}")


def test_help_states_the_output_defaults_and_the_options_of_list_and_verbose(capsys):
    """Before, --output's help did not say where results go by default, and --host had no
    help at all."""
    from synth_plugins.cli import build_parser

    parser = build_parser()
    for argv, words in (
        (["benchmark", "--help"], "default benchmark-output"),
        (["tune", "--help"], "default tuning-output"),
        (["list", "--help"], "names in this host only"),
        (["--help"], "logs, warnings"),
    ):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
        assert words in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("suite", "in_the_way"),
    [("longitudinal", "longitudinal/report.md/"), ("all", "index.html/"), ("survival", "survival")],
)
def test_run_suite_from_python_refuses_output_paths_in_the_way_before_any_fit(
    suite, in_the_way, tmp_path, monkeypatch
):
    """The CLI refused them before any fit, but ``run_suite`` and ``run_all`` called from
    Python fitted every generator and then ended on IsADirectoryError (or FileExistsError)."""
    import synth_plugins.benchmark as benchmark
    from synth_plugins.errors import InvalidParameterError

    for harness in ("TabularBenchmark", "SurvivalBenchmark", "LongitudinalBenchmark"):
        monkeypatch.setattr(benchmark, harness, lambda *a, **k: pytest.fail("fitting started"))
    path = tmp_path / in_the_way.rstrip("/")
    path.mkdir(parents=True) if in_the_way.endswith("/") else path.write_text("")
    run = benchmark.run_all if suite == "all" else lambda **k: benchmark.run_suite(suite, **k)
    with pytest.raises(InvalidParameterError, match=r"^output: .* the run writes a") as error:
        run(output=tmp_path)
    assert str(path) in str(error.value)

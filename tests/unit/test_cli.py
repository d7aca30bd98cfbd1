import pytest

from synth_plugins import catalog
from synth_plugins.cli import main


def test_list_shows_every_name(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for entry in (*catalog.GENERATORS, *catalog.METRICS):
        assert entry.name in out


def test_datasets_lists_every_dataset(capsys):
    from synth_plugins.datasets import names

    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in names():
        assert name in out
    assert "1945" in out  # pbc_visits rows


def test_unknown_dataset_is_a_one_line_error(capsys):
    assert main(["benchmark", "tabular", "--dataset", "nope", "--no-sdgym"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("synth-plugins: error: unknown dataset 'nope'; available: actg320")
    assert "Traceback" not in err


def test_bad_repeats_is_an_error(capsys):
    assert main(["benchmark", "--repeats", "0"]) == 2
    assert "repeats must be at least 1" in capsys.readouterr().err


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
    assert "pip install 'synth-plugins[all]'" in err
    assert "Traceback" not in err

import sys
import textwrap

import pytest

import synth_plugins
from synth_plugins import _hooks, catalog
from synth_plugins.errors import InvalidParameterError, UnknownNameError


@pytest.mark.parametrize("hosts", [("bogus",), ("synthcity", "sdv"), "synthcity"])
def test_register_refuses_a_host_it_does_not_know(hosts):
    """``register(("bogus",))`` used to register nowhere and say nothing."""
    with pytest.raises(InvalidParameterError, match="hosts must be None or a tuple of"):
        synth_plugins.register(hosts)


class TestPostImportHook:
    def test_runs_after_the_module_is_imported(self, tmp_path, monkeypatch):
        (tmp_path / "sp_hook_target.py").write_text("VALUE = 41\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        seen = []
        _hooks.when_imported("sp_hook_target", lambda m: seen.append(m.VALUE + 1))
        assert seen == []
        import sp_hook_target  # noqa: F401

        assert seen == [42]
        sys.modules.pop("sp_hook_target")

    def test_runs_at_once_when_already_imported(self):
        seen = []
        _hooks.when_imported("json", lambda m: seen.append(m.__name__))
        assert seen == ["json"]

    def test_import_of_the_package_does_not_import_hosts(self, tmp_path):
        import subprocess

        code = textwrap.dedent(
            """
            import sys, synth_plugins
            heavy = [m for m in ("synthcity", "sdv", "sdmetrics", "torch") if m in sys.modules]
            print(heavy)
            """
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.stdout.strip() == "[]", out.stderr


class TestCatalog:
    def test_unknown_names_list_the_known_ones(self):
        with pytest.raises(UnknownNameError, match="unknown generator 'nope'; available"):
            catalog.generator("nope")
        with pytest.raises(UnknownNameError, match="unknown metric 'nope'"):
            catalog.metric("nope")

    def test_resolve_fails_loudly(self):
        assert catalog.resolve("synth_plugins:__version__") == synth_plugins.__version__
        with pytest.raises(ModuleNotFoundError):
            catalog.resolve("synth_plugins.no_such_module:X")
        with pytest.raises(AttributeError):
            catalog.resolve("synth_plugins:no_such_attribute")

    def test_one_name_everywhere(self):
        for entry in catalog.GENERATORS:
            stem = entry.sdv_name.removesuffix("Synthesizer").lower()
            assert stem == entry.name.replace("_", ""), entry
        for entry in catalog.METRICS:
            assert entry.sdmetrics_name.lower() == entry.name.replace("_", ""), entry
        names = [e.name for e in (*catalog.GENERATORS, *catalog.METRICS)]
        assert len(names) == len(set(names))

    def test_sdv_namespace_error_lists_synthesizers(self):
        import synth_plugins.sdv

        with pytest.raises(AttributeError, match="no synthesizer 'Nope'"):
            synth_plugins.sdv.Nope  # noqa: B018


def test_headline_figures_are_exact_names_and_few():
    """Exact keys only: a pattern such as ``*_score`` also matched figures named after a
    user's column (``sofa_score``), which then showed with the score's direction."""
    from synth_plugins.testing.metric_conformance import MAX_HEADLINE

    for entry in catalog.METRICS:
        assert all(set("*?[").isdisjoint(name) for name in entry.headline_figures), entry.name
        assert len(entry.headline_figures) < MAX_HEADLINE, entry.name
    lstm = catalog.metric("longitudinal_fidelity")
    figures = {"score": 0.9, "trajectory_score": 0.8, "sofa_score_ks": 0.1, "sofa_score": 0.2}
    assert lstm.headline(figures) == {"score": 0.9, "trajectory_score": 0.8}

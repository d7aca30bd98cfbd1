"""The tabular report's privacy-attack table, read from Synthcity's result keys."""

import numpy as np
import pandas as pd

from synth_plugins.benchmark.tabular import attack_table, attack_title
from synth_plugins.metrics.attacks import ATTACKS


def test_attack_table_shows_risk_and_interval_per_attack():
    keys = {}
    for attack in ATTACKS:
        base = f"privacy.anonymeter_risk.{attack}_risk"
        keys[base] = [0.5, np.nan]
        keys[f"{base}_ci_low"] = [0.25, np.nan]
        keys[f"{base}_ci_high"] = [0.75, 1.0]
    table = pd.DataFrame(keys, index=["copy", "failed"])
    shown = attack_table(table)
    assert list(shown.columns) == list(ATTACKS)
    assert shown.loc["copy", "linkability"] == "0.50 [0.25, 0.75]"
    assert shown.loc["failed", "inference"] == "n/a"


def test_no_attack_keys_no_table():
    assert attack_table(pd.DataFrame({"stats.x.score": [1.0]})) is None


def test_the_title_says_what_the_bounds_are_over_several_seeds():
    """With repeats > 1 Synthcity averages each bound over the seeds; the title called the
    averaged bounds a 95 % interval."""
    assert "95 % interval]" in attack_title(1)
    several = attack_title(3)
    assert "mean risk over 3 seeds" in several and "not an interval for the mean" in several

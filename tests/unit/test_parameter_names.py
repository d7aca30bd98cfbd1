"""The glossary check: one name per concept across generators, and the page that shows it."""

from dataclasses import replace
from pathlib import Path

import pytest

from synth_plugins import catalog
from synth_plugins.testing.names import (
    banned_concept,
    check_metric_parameter_names,
    check_parameter_names,
    glossary_table,
)

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


class DriftedCore:
    """A core that names four concepts the way other libraries do."""

    def __init__(
        self,
        *,
        n_epochs: int = 10,
        learning_rate: float = 1e-3,
        hidden_size: int = 8,
        cuda: bool = False,
        seed: int = 0,
    ) -> None:
        self.n_epochs = n_epochs


@pytest.mark.parametrize(
    ("name", "concept"),
    [
        ("n_epochs", "training epochs (passes over the data)"),
        ("epochs_encoder", "epochs of one part or stage"),
        ("generator_dims", "hidden layer widths"),
        ("hidden_size", "hidden layer widths"),
        ("learning_rate", "learning rate"),
        ("cuda", "torch device"),
        ("seed", "seed"),
        ("shuffle_seed", "seed"),
        ("real_test", "real rows the generator never saw (metrics)"),
    ],
)
def test_synonyms_are_refused(name: str, concept: str) -> None:
    found = banned_concept(name)
    assert found is not None and found.concept == concept


@pytest.mark.parametrize(
    "name",
    ["epochs", "encoder_epochs", "static_epochs", "hidden", "head_hidden", "decoder_hidden",
     "lr", "generator_lr", "latent_dim", "embedding_dim", "noise_dim", "batch_size",
     "sample_batch_size", "batch_norm", "device", "random_state", "validation_fraction",
     "patience", "dp_max_grad_norm", "num_layers", "seeds", "holdout", "train"],
)  # fmt: skip
def test_the_glossarys_names_pass(name: str) -> None:
    assert banned_concept(name) is None


def test_a_drifted_core_fails_naming_each_parameter() -> None:
    entry = replace(
        catalog.generator("mle_copula"), core="tests.unit.test_parameter_names:DriftedCore"
    )
    with pytest.raises(AssertionError) as raised:
        check_parameter_names(entry)
    message = str(raised.value)
    for name in ("n_epochs", "learning_rate", "hidden_size", "cuda", "seed"):
        assert f"core parameter {name!r}" in message
    assert "the glossary's names are ['lr', '<part>_lr']" in message


def drifted_metric(real: object, test: object, synthetic: object, seed: int = 0) -> None:
    """A metric core that calls its holdout ``test`` and its seed ``seed``."""


def test_a_drifted_metric_fails_naming_each_parameter() -> None:
    entry = replace(
        catalog.metric("dcr_holdout_share"), core="tests.unit.test_parameter_names:drifted_metric"
    )
    with pytest.raises(AssertionError) as raised:
        check_metric_parameter_names(entry)
    assert "parameter 'test' of metric dcr_holdout_share" in str(raised.value)
    assert "parameter 'seed' of metric dcr_holdout_share" in str(raised.value)


def test_the_architecture_page_shows_the_glossary() -> None:
    assert glossary_table() in ARCHITECTURE.read_text(encoding="utf-8")

"""Run SDGym 0.15.1 fully offline on the suite's bundled datasets and synthesizers.

SDGym reads local datasets from ``ROOT/single_table/<name>/{metadata.json, data.zip}``
when called with ``sdv_datasets=None, additional_datasets_folder=ROOT``. Version 0.15.1
then looks the dataset up relative to the *current directory* and falls back to S3 (which
fails offline); :func:`write_local_dataset` therefore also writes the files to
``ROOT/single_table/<name>/<name>/``, the second place SDGym looks, so no ``chdir`` is
needed.
"""

from __future__ import annotations

import json
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from synth_plugins import catalog
from synth_plugins.datasets import Dataset
from synth_plugins.errors import InvalidParameterError
from synth_plugins.sdv.metadata import metadata_dict


def _import_sdgym() -> ModuleType:
    """Import SDGym without the four notices its import prints.

    SDGym 0.15.1 imports SDMetrics' deprecated single- and multi-table report modules,
    and each says so with a FutureWarning (8 lines on every first use in a process) that
    no caller can act on. Exactly those are ignored, during the import only.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r"The (single|multi) table (quality|diagnostic) report is deprecated",
            category=FutureWarning,
            module=r"sdmetrics\.reports\.(single|multi)_table",
        )
        import sdgym
    return sdgym


def write_local_dataset(dataset: Dataset, root: Path) -> Path:
    """Write ``dataset`` where SDGym finds it offline; returns its folder.

    The metadata describes the CSV as written: a ``datetime64`` column of sdtype
    ``datetime`` is written as text in :func:`_csv_date_format` and declared with that
    ``datetime_format`` (as dates written as text are), so that SDV reads it in that format
    rather than guessing one and warning that none is given.
    """
    metadata = metadata_dict(dataset.data, dataset.roles, table_name=dataset.name)
    columns = metadata["tables"][dataset.name]["columns"]
    written = dataset.data.copy()
    for column in written.columns:
        values = written[column]
        if columns[str(column)]["sdtype"] == "datetime" and is_datetime64_any_dtype(values):
            fmt = _csv_date_format(values)
            written[column] = values.dt.strftime(fmt)
            columns[str(column)]["datetime_format"] = fmt
    folder = Path(root) / "single_table" / dataset.name
    for target in (folder, folder / dataset.name):
        target.mkdir(parents=True, exist_ok=True)
        (target / "metadata.json").write_text(json.dumps(metadata, indent=2))
        with zipfile.ZipFile(target / "data.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{dataset.name}.csv", written.to_csv(index=False))
    return folder


def _csv_date_format(values: pd.Series) -> str:
    """The ``strftime`` format a ``datetime64`` column is written to SDGym's CSV in.

    Dates only (``%Y-%m-%d``) when every value is at midnight and has no time zone, as
    pandas' ``to_csv`` writes such a column; else with the time, to the second, or to the
    microsecond where a value has a fraction of a second, and zone-aware values with their
    UTC offset (``%z``).
    """
    observed = values.dropna()
    zoned = getattr(values.dt, "tz", None) is not None
    if not zoned and (observed == observed.dt.normalize()).all():
        return "%Y-%m-%d"
    fraction = (observed != observed.dt.floor("s")).any()
    return "%Y-%m-%d %H:%M:%S" + (".%f" if fraction else "") + ("%z" if zoned else "")


def sdgym_synthesizer(name: str, *, label: str | None = None, **params: Any) -> type:
    """An SDGym synthesizer class for a suite generator's SDV synthesizer.

    The class fits the SDV synthesizer with ``params`` on the data and metadata SDGym
    passes in. Its name is SDGym's ``Synthesizer`` label and a folder name of SDGym's
    output: ``label`` if given, else the parameters followed by the SDV class's name
    (``MedVAESynthesizer``, ``epochs-20_MedVAESynthesizer``), so that two variants of one
    generator are told apart (SDGym finds a synthesizer's output folder by name prefix, so
    no default label starts with another; give labels with the same care). ``params``
    are checked now (see :func:`check_params`), so that a bad one is refused here rather
    than reported in SDGym's ``Error`` column after the run.

    Raises:
        InvalidParameterError: ``name`` is a sequence generator (SDGym's single-table
            benchmark cannot run it), a value of ``params`` is refused, or ``label`` is
            not a name of letters, digits, ``_``, ``-`` and ``.``.
        TypeError: ``params`` names an argument the synthesizer does not take.
    """
    _import_sdgym()
    from sdgym.synthesizers.base import BaselineSynthesizer

    entry = catalog.generator(name)
    if label is None:  # the class last: SDGym matches output folders by name prefix
        label = "_".join([*(f"{k}-{_safe(v)}" for k, v in sorted(params.items())), entry.sdv_name])
    elif not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise InvalidParameterError(
            f"label must be a name of letters, digits, '_', '-' and '.' (SDGym makes a "
            f"folder of it), got {label!r}"
        )
    if entry.synthcity_type == "time_series":
        raise InvalidParameterError(
            f"{name} generates sequences, and SDGym's single-table benchmark cannot run it; "
            "benchmark it with the suite's longitudinal benchmark (synth-plugins benchmark "
            "longitudinal)"
        )
    synthesizer_cls = catalog.resolve(entry.sdv_synthesizer)
    check_params(synthesizer_cls, params)

    def _get_trained_synthesizer(self: Any, data: pd.DataFrame, metadata: Any) -> Any:
        synthesizer = synthesizer_cls(metadata, **params)
        synthesizer.fit(data)
        return synthesizer

    def _sample_from_synthesizer(self: Any, synthesizer: Any, n_samples: int) -> pd.DataFrame:
        return synthesizer.sample(n_samples)

    return type(
        label,
        (BaselineSynthesizer,),
        {
            "_NATIVELY_SUPPORTED": False,
            "_MODALITY_FLAG": "single_table",
            "_get_trained_synthesizer": _get_trained_synthesizer,
            "_sample_from_synthesizer": _sample_from_synthesizer,
            "__doc__": f"SDGym wrapper of synth_plugins.sdv.{entry.sdv_name}.",
        },
    )


#: What an SDGym synthesizer's name may hold (it names a folder of SDGym's output).
_LABEL = re.compile(r"[A-Za-z0-9_.-]+")


def _safe(value: Any) -> str:
    """``value`` written with the characters a label may hold."""
    return re.sub(r"[^A-Za-z0-9_.-]+", ".", str(value)).strip(".") or "x"


def check_params(synthesizer_cls: type, params: dict[str, Any]) -> None:
    """Make ``synthesizer_cls(metadata, **params)`` once, on a stand-in table's metadata.

    The suite's SDV synthesizers check every argument when made. The stand-in table has a
    numerical column for every text value of ``params`` (which may name a column, as
    CK4Gen's ``duration_column`` does) and one more.
    """
    from sdv.metadata import Metadata

    named = {value for value in params.values() if isinstance(value, str)}
    columns = {column: {"sdtype": "numerical"} for column in (*sorted(named), "__stand_in__")}
    metadata = {"tables": {"table": {"columns": columns}}, "METADATA_SPEC_VERSION": "V1"}
    synthesizer_cls(Metadata.load_from_dict(metadata), **params)


def run_sdgym(
    datasets: Iterable[Dataset],
    synthesizers: Sequence[str] = ("GaussianCopulaSynthesizer",),
    custom_synthesizers: Sequence[type] = (),
    sdmetrics: Sequence[Any] = (),
    root: Path | None = None,
    compute_privacy_score: bool = False,
) -> pd.DataFrame:
    """``sdgym.benchmark_single_table`` on local copies of ``datasets``; no network used.

    ``sdmetrics`` may hold SDMetrics class names (the suite's included, e.g.
    ``"CorrelationL1"``), classes, or ``(name, options)`` pairs, whose options SDGym passes
    to the metric's ``compute``. SDGym keeps only a metric's normalised score; for
    CorrelationL1 that is exp(-L1), near 0 for any synthesizer on a wide table with the
    default sum, so pass ``("CorrelationL1", {"reduce": "mean"})`` (exp(-mean |Δρ|) in
    [0.14, 1]). Returns SDGym's result frame, one column per metric.
    """
    import synth_plugins.sdmetrics  # noqa: F401 - makes the suite's metrics findable by name

    sdgym = _import_sdgym()

    with tempfile.TemporaryDirectory(prefix="synth_plugins_sdgym_") as scratch:
        folder = Path(root) if root is not None else Path(scratch)
        for dataset in datasets:
            write_local_dataset(dataset, folder)
        return sdgym.benchmark_single_table(
            synthesizers=list(synthesizers),
            custom_synthesizers=list(custom_synthesizers) or None,
            sdv_datasets=None,
            additional_datasets_folder=str(folder),
            sdmetrics=list(sdmetrics) or None,
            compute_privacy_score=compute_privacy_score,
        )

"""Run SDGym 0.15.1 fully offline on the suite's datasets or a user's own tables.

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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from synth_plugins import catalog
from synth_plugins.datasets import Dataset
from synth_plugins.encoding import infer_roles
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.sdv.metadata import check_table, metadata_dict


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


#: What the name of an SDGym synthesizer or dataset may hold (SDGym makes a folder of it).
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


#: The name a lone DataFrame given to :func:`run_sdgym` gets (SDGym's ``Dataset`` column).
TABLE_NAME = "table"


def _own_table(name: Any, data: Any) -> Dataset:
    """A tabular suite dataset of a user's table, its roles inferred as the suite infers them.

    Raises:
        InvalidDataError: ``data`` is not a DataFrame, repeats a column name, has no rows or
            no columns, or a column's role cannot be inferred.
    """
    where = f"datasets[{name!r}]"
    check_table(data, name=where)
    if data.empty:
        raise InvalidDataError(
            f"{where} has {len(data)} rows and {len(data.columns)} columns; SDGym needs a "
            "table with both"
        )
    return Dataset(name=name, kind="tabular", data=data, roles=infer_roles(data))


def _as_datasets(datasets: Any) -> list[Dataset]:
    """The suite datasets :func:`run_sdgym` writes for SDGym, from what it was given.

    Raises:
        InvalidParameterError: ``datasets`` is none of the forms :func:`run_sdgym` takes, is
            empty, holds a DataFrame outside a mapping (it needs a name), or names two
            datasets alike or one with characters other than letters, digits, ``_``, ``-``
            and ``.``.
        InvalidDataError: a DataFrame given cannot be used (see :func:`_own_table`).
    """
    expected = (
        "a suite Dataset, a pandas DataFrame, a mapping of names to DataFrames, or an "
        "iterable of Datasets"
    )
    if isinstance(datasets, pd.DataFrame):
        datasets = {TABLE_NAME: datasets}
    elif isinstance(datasets, Dataset):
        datasets = [datasets]
    if isinstance(datasets, Mapping):
        for name in datasets:
            _check_name(name)
        made = [_own_table(name, data) for name, data in datasets.items()]
    elif isinstance(datasets, Iterable) and not isinstance(datasets, (str, bytes)):
        made = list(datasets)
        for number, dataset in enumerate(made):
            if not isinstance(dataset, Dataset):
                hint = " (a DataFrame needs a name: pass {name: DataFrame})"
                raise InvalidParameterError(
                    f"datasets[{number}] must be a suite Dataset, got "
                    f"{type(dataset).__name__}"
                    + (hint if isinstance(dataset, pd.DataFrame) else "")
                )
            _check_name(dataset.name)
        names = [dataset.name for dataset in made]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InvalidParameterError(
                f"datasets names {repeated} more than once; SDGym needs one name per dataset"
            )
    else:
        hint = f" {datasets!r} (load a bundled dataset first: load(name))"
        raise InvalidParameterError(
            f"datasets must be {expected}, got {type(datasets).__name__}"
            + (hint if isinstance(datasets, str) else "")
        )
    if not made:
        raise InvalidParameterError(f"datasets is empty; give {expected}")
    return made


def _check_name(name: Any) -> None:
    """Check that ``name`` can name an SDGym dataset (SDGym makes a folder of it).

    Raises:
        InvalidParameterError: It cannot (naming it and what a name may hold).
    """
    if not isinstance(name, str) or not _LABEL.fullmatch(name):
        raise InvalidParameterError(
            f"datasets: the name {name!r} must be a name of letters, digits, '_', '-' and '.' "
            "(SDGym makes a folder of it)"
        )


def run_sdgym(
    datasets: Dataset | pd.DataFrame | Mapping[str, pd.DataFrame] | Iterable[Dataset],
    synthesizers: Sequence[str] = ("GaussianCopulaSynthesizer",),
    custom_synthesizers: Sequence[type] = (),
    sdmetrics: Sequence[Any] = (),
    root: Path | None = None,
    compute_privacy_score: bool = False,
) -> pd.DataFrame:
    """``sdgym.benchmark_single_table`` on local copies of ``datasets``; no network used.

    ``datasets`` is a suite :class:`~synth_plugins.datasets.Dataset` (or an iterable of
    them), or the user's own table: a DataFrame (named ``"table"`` in SDGym's ``Dataset``
    column) or a mapping of names to DataFrames. A table's column roles are inferred as
    the suite infers them (:func:`~synth_plugins.encoding.infer_roles`); to give some
    roles, pass a ``Dataset`` made with ``infer_roles(data, {column: role})``. No target
    is needed: SDGym reads only the data and their metadata (a metric that needs one takes
    it as an option, e.g. ``("TabSynDex", {"target_column": "outcome"})``).

    ``sdmetrics`` may hold SDMetrics class names (the suite's included, e.g.
    ``"CorrelationL1"``), classes, or ``(name, options)`` pairs, whose options SDGym passes
    to the metric's ``compute``. SDGym keeps only a metric's normalised score; for
    CorrelationL1 that is exp(-L1), near 0 for any synthesizer on a wide table with the
    default sum, so pass ``("CorrelationL1", {"reduce": "mean"})`` (exp(-mean |Δρ|) in
    [0.14, 1]). Returns SDGym's result frame, one column per metric.

    Raises:
        InvalidParameterError: ``datasets`` is none of these forms, is empty, or names a
            dataset twice or with characters other than letters, digits, ``_``, ``-``
            and ``.``.
        InvalidDataError: a DataFrame given is not a table with rows and uniquely named
            columns whose roles can be inferred.
    """
    import synth_plugins.sdmetrics  # noqa: F401 - makes the suite's metrics findable by name

    datasets = _as_datasets(datasets)
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

"""The checks every suite plugin runs around Synthcity's own ``fit`` and ``generate``.

Synthcity validates and encodes the data inside ``Plugin.fit`` before a plugin's ``_fit``
sees it, so what must happen first happens here, once, for every plugin of the suite
(generic, survival and time series): the training data are checked (our error, naming the
problem), identifier and text-date columns of tables are held out of Synthcity's encoders
(fresh keys and generated dates, see :mod:`synth_plugins.synthcity.held_columns`),
``count`` is checked, strict constraint bounds are made inclusive (Synthcity drops them),
and a plugin that cannot honour ``cond`` says so. A plugin wrapping a suite core hands it
Synthcity's codes with missing values missing and ordered levels in order
(:mod:`synth_plugins.synthcity.core_codes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.preprocessing import LabelEncoder
from synthcity.plugins.core.constraints import Constraints
from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.distribution import (
    CategoricalDistribution,
    FloatDistribution,
    IntegerDistribution,
)
from synthcity.plugins.core.plugin import Plugin
from synthcity.plugins.core.schema import Schema

from synth_plugins.errors import InvalidParameterError
from synth_plugins.generators.privacy import one_warning_per_call
from synth_plugins.synthcity.checks import (
    check_constraint_values,
    check_count,
    inclusive_constraints,
    refuse_argument,
    training_frame,
)
from synth_plugins.synthcity.core_codes import CoreCodes
from synth_plugins.synthcity.held_columns import HeldColumns, hold_columns
from synth_plugins.synthcity.roles import synthcity_roles
from synth_plugins.validation import check_bool, check_random_state

#: Comparison rules ``(column, op, value)`` per column.
RulesByColumn = dict[str, list[tuple[str, str, Any]]]


class SuitePlugin(Plugin):
    """A Synthcity ``Plugin`` with the suite's checks around ``fit`` and ``generate``.

    Subclasses implement ``_fit``/``_generate`` as any Synthcity plugin does; they set
    ``cond_refusal`` (why ``cond`` cannot be honoured) when they do not support ``cond``,
    and override ``outcome_columns`` when their loader gives columns a meaning.

    A plugin wrapping one of the suite's tabular cores (``self.core``, with ``roles``,
    ``fit(frame)`` and ``sample(n, conditions=..., random_state=...)``) implements ``_fit``
    and ``_generate`` by calling ``_fit_core`` and ``_generate_core``; those give it
    Synthcity's ``cond`` (a training column at fit, its wanted values at generate) through
    the core's conditional sampler, described to users by ``cond_hint``.
    """

    #: why ``cond`` is refused, in the error a user reads; None: the plugin honours ``cond``
    cond_refusal: ClassVar[str | None] = None
    #: what ``cond`` must be, in the error a user reads (plugins that honour ``cond``)
    cond_hint: ClassVar[str] = "`cond` must equal one of the training columns"
    #: keywords of the core's ``sample`` for rows generated under ``cond``
    condition_options: ClassVar[Mapping[str, Any]] = {}
    #: identifier and text-date columns held out of Synthcity's encoders (set by ``fit``)
    held_columns: HeldColumns | None = None
    #: columns the user declared identifiers (``identifier_columns``), held out as keys
    #: besides those the suite's rule finds
    identifier_columns: tuple[Any, ...] = ()
    #: whether the suite's rule holds out the columns it reads as keys (``detect_identifiers``;
    #: False: only ``identifier_columns`` are held, every other column is modelled)
    detect_identifiers: bool = True
    #: why ``identifier_columns``, and ``detect_identifiers=False``, are refused, in the
    #: error a user reads; None: the plugin holds the columns they say
    identifier_refusal: ClassVar[str | None] = None
    #: the training column that ``cond`` equalled at fit (set by ``_fit_core``)
    cond_column: str | None = None
    #: the framework-free generator a core-backed plugin wraps
    core: Any = None
    #: the level order of the training frame's ordered categoricals (set by ``fit``)
    level_orders: Mapping[str, list[Any]] = {}
    #: Synthcity's codes as the core reads them (set by ``_fit_core``; a plugin saved
    #: before it gave the core the codes unchanged)
    core_codes: CoreCodes = CoreCodes()
    #: the sampling domain of each label-encoded column that the running ``generate``
    #: call's constraints name: the codes of the levels they allow (empty between calls)
    constraint_codes: Mapping[str, CategoricalDistribution] = {}
    #: the held date columns (not label-encoded) that the running ``generate`` call's
    #: constraints name: their drawn days are rounded as written (empty between calls)
    constraint_dates: frozenset[str] = frozenset()

    def __init__(
        self,
        *,
        workspace: Path | str = Path("workspace"),
        identifier_columns: Iterable[Any] | str = (),
        detect_identifiers: bool = True,
        **kwargs: Any,
    ) -> None:
        """Synthcity's ``Plugin``; ``workspace`` may be a string, as the built-ins take it.

        (Synthcity's own plugins convert it through pydantic; ``Plugin`` itself calls
        ``workspace.mkdir``.) ``random_state`` must be an integer seed (a numpy integer is
        read as one): Synthcity seeds its data schema and Python's ``random`` with it, and
        None or a numpy integer failed there, in ``fit``, naming neither.

        Synthcity's loaders name targets, outcomes and sensitive columns, never keys:
        ``identifier_columns`` and ``detect_identifiers`` are the host's way to say which
        columns are identifiers, as SDV's metadata and the cores' ``roles`` say it. The
        plugins' docstrings show these entries (:func:`~synth_plugins._docstrings.args_from`).

        Args:
            workspace: Synthcity's plugin argument, a path or a string.
            identifier_columns: column(s) generated as fresh keys (never a training value)
                and left out of the model, besides those the suite reads as keys
                (:func:`~synth_plugins.encoding.roles.infer_role`): distinct text, distinct
                whole numbers too many for a measurement or named like a key.
            detect_identifiers: whether the columns the suite reads as keys are held out
                as keys (True); False models them and holds only ``identifier_columns``,
                for columns that are data, such as the year of each row of a yearly series.
            **kwargs: Synthcity's other plugin arguments (``random_state``, ...).

        Raises:
            InvalidParameterError: ``random_state`` is not an integer seed in [0, 2**32);
                ``identifier_columns`` (or ``detect_identifiers=False``) is given to a
                plugin that refuses it; ``identifier_columns`` is not column names;
                ``detect_identifiers`` is not True or False.
        """
        if isinstance(identifier_columns, str):
            identifier_columns = (identifier_columns,)
        if not isinstance(identifier_columns, Iterable):
            raise InvalidParameterError(
                f"identifier_columns must be a column name or a list of them, got "
                f"{identifier_columns!r}"
            )
        identifier_columns = tuple(identifier_columns)
        detect_identifiers = check_bool("detect_identifiers", detect_identifiers)
        if self.identifier_refusal is not None:
            if identifier_columns:
                refuse_argument(
                    self.name(), "identifier_columns", identifier_columns, self.identifier_refusal
                )
            if not detect_identifiers:
                refuse_argument(self.name(), "detect_identifiers", False, self.identifier_refusal)
        if "random_state" in kwargs:  # (Synthcity seeds its data schema with it: no None)
            kwargs["random_state"] = check_random_state(
                "random_state", kwargs["random_state"], none=False
            )
        super().__init__(workspace=Path(workspace), **kwargs)
        self.identifier_columns = identifier_columns
        self.detect_identifiers = detect_identifiers

    def schema_includes(self, other: DataLoader | pd.DataFrame) -> bool:
        """Synthcity's check, on ``other`` as the plugin trains on data (held columns out).

        The stored schema describes the training data without its identifier columns and
        with dates and numbers written as text parsed; generated rows hold them again.
        """
        held = self.held_columns
        if held is None:
            return super().schema_includes(other)
        if isinstance(other, pd.DataFrame):
            from synthcity.plugins.core.dataloader import GenericDataLoader

            other = GenericDataLoader(other)
        try:
            other = held.hold(other)
        except (ValueError, TypeError):  # a text date or number that does not parse
            return False
        return super().schema_includes(other)

    def outcome_columns(self, X: DataLoader | pd.DataFrame) -> tuple[str, ...]:
        """Columns the loader gives a meaning (duration, event): never held."""
        return ()

    def _refuse_cond(self, cond: Any) -> None:
        if self.cond_refusal is not None:
            refuse_argument(self.name(), "cond", cond, self.cond_refusal)

    def _training_frame(self, X: DataLoader | pd.DataFrame) -> pd.DataFrame:
        """The training frame of ``X``, checked (see :func:`training_frame`).

        A plugin with rules of its own (a loader type, outcome columns) extends this.
        """
        return training_frame(self.name(), X)

    def named_columns(self) -> dict[str, list[str]]:
        """The columns the plugin's options name, by option (none here).

        A plugin whose options name columns (a target, per-column overrides) lists them, so
        that ``fit`` can say when one names a column held out as an identifier.
        """
        return {}

    def fit(self, X: DataLoader | pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        """Check the training data, hold identifier and text-date columns, then ``fit``.

        The level order of ordered categoricals is noted first: Synthcity's encoder loses it.

        Raises:
            InvalidParameterError: An option names a column held out as an identifier.
        """
        self._refuse_cond(kwargs.get("cond"))
        frame = self._training_frame(X)
        self.level_orders = {
            str(column): list(frame[column].cat.categories)
            for column in frame.columns
            if isinstance(frame[column].dtype, pd.CategoricalDtype) and frame[column].cat.ordered
        }
        X, self.held_columns = self._hold(X)
        self._refuse_held_keys()
        return super().fit(X, *args, **kwargs)

    def _refuse_held_keys(self) -> None:
        """Refuse options naming an identifier column: it is held out, never modelled."""
        held = self.held_columns
        keys = set() if held is None else {spec.name for spec in held.keys}
        for option, columns in self.named_columns().items():
            named = [column for column in columns if column in keys]
            if not named:
                continue
            detected = set(named) - set(self.identifier_columns)
            switch = (
                " (or pass detect_identifiers=False to model the columns the rule read as keys)"
                if detected
                else ""
            )
            raise InvalidParameterError(
                f"{self.name()}: {option} names {', '.join(map(repr, named))}, held out "
                "as identifier column(s) (columns declared in identifier_columns, and "
                "distinct values that read as record keys, get fresh keys and are not "
                f"modelled); name other columns in {option}{switch}"
            )

    def _hold(self, X: DataLoader | pd.DataFrame) -> tuple[Any, HeldColumns | None]:
        """``X`` with its identifier and text-date columns held out of Synthcity's encoders.

        The identifiers are the columns the suite's rule reads as keys (unless
        ``detect_identifiers`` is False) and those ``identifier_columns`` declares.
        """
        return hold_columns(
            X, self.outcome_columns(X), self.identifier_columns, self.detect_identifiers
        )

    def generate(
        self,
        count: int | None = None,
        constraints: Constraints | None = None,
        random_state: int | None = None,
        **kwargs: Any,
    ) -> DataLoader:
        """Synthcity's ``generate``, after checking ``count`` (None or an integer >= 1).

        A rule on a date column compares dates (``pd.Timestamp``; :meth:`_rules_in_days`).
        A constraint that compares a column with text is refused (see
        :func:`synth_plugins.synthcity.checks.check_constraint_values`); strict bounds in
        ``constraints`` are made inclusive (see
        :func:`synth_plugins.synthcity.checks.inclusive_constraints`); a rule on a column
        Synthcity label-encoded is applied to its levels, not to their codes (see
        :meth:`_constraint_codes`); held columns are generated afresh. Synthcity draws
        again until enough rows meet the constraints; the copy warnings come once per call,
        with its totals over the draws
        (:func:`~synth_plugins.generators.privacy.one_warning_per_call`).

        Raises:
            InvalidParameterError: the plugin is ``strict`` and fewer than ``count`` rows met
                the constraints in ``sampling_patience`` draws (Synthcity would return the
                rows it has, without a word).
        """
        check_count(count)
        self._refuse_cond(kwargs.get("cond"))
        constraints = self._rules_in_days(constraints)
        check_constraint_values(constraints)
        self._check_in_range(constraints)
        self.constraint_codes = {  # the rules as given
            **self._constraint_codes(constraints),
            **self._listed_values(constraints),
        }
        self.constraint_dates = self._constraint_dates(constraints)
        constraints = inclusive_constraints(constraints, self._integer_columns())
        try:
            with one_warning_per_call():  # Synthcity's _safe_generate draws until enough rows
                generated = super().generate(count, constraints, random_state, **kwargs)
        finally:
            self.constraint_codes = {}
            self.constraint_dates = frozenset()
        self._check_complete(generated, count)
        held = self.held_columns
        return generated if held is None else held.restore(generated)

    def _rules_in_days(self, constraints: Constraints | None) -> Constraints | None:
        """``constraints`` with the dates of rules on held date columns as days.

        The plugin models a date column as days since 1970-01-01 (the held form), and
        Synthcity compares its rules with the rows in that form: a ``pd.Timestamp`` failed
        inside the range check ("float() argument must be ... not 'Timestamp'"), and a
        number is days (:meth:`~synth_plugins.synthcity.held_columns.HeldColumns.
        rules_in_days`).

        Raises:
            InvalidParameterError: a rule compares a date column with text, or with a date
                whose time zone (or lack of one) is not the column's.
        """
        held = self.held_columns
        if constraints is None or held is None or not held.dates:
            return constraints
        return Constraints(rules=held.rules_in_days(constraints.rules))

    def _constraint_dates(self, constraints: Constraints | None) -> frozenset[str]:
        """The held date columns, not label-encoded, that ``constraints`` name.

        Their drawn days are rounded as they will be written before Synthcity compares the
        rows with the rules (see :meth:`~synth_plugins.synthcity.held_columns.HeldColumns.
        as_written`); a label-encoded column's codes stand for training dates already.
        """
        held = self.held_columns
        if constraints is None or held is None or not self.fitted:
            return frozenset()
        return frozenset(set(self._rules_by_column(constraints)[1]) & set(held.dates))

    def _check_complete(self, generated: DataLoader, count: int | None) -> None:
        """Refuse a short table: what a ``strict`` plugin returns must have ``count`` rows.

        Only tabular output is counted here; the time-series plugin counts whole sequences
        as it draws them.
        """
        wanted = self.data_info["len"] if count is None else count
        if not self.strict or not generated.is_tabular() or len(generated) >= wanted:
            return
        raise InvalidParameterError(
            f"{self.name()}: {len(generated)} of {wanted} rows met the constraints in "
            f"{self.sampling_patience} draws; loosen the constraints or raise "
            "sampling_patience"
        )

    def _integer_columns(self) -> set[str]:
        """The columns the data schema holds as integers (none before the fit).

        The schema of the data as given, not Synthcity's training schema: there every
        label-encoded column is an integer code, and rounding a bound on a column of a few
        decimal values (``dose >= 1.2`` to ``dose >= 2``) would drop levels (1.5).
        """
        if self._schema is None:
            return set()
        domain = self.schema().domain
        return {name for name, dist in domain.items() if isinstance(dist, IntegerDistribution)}

    def _rules_by_column(self, constraints: Constraints) -> tuple[RulesByColumn, RulesByColumn]:
        """The comparison rules (not ``dtype``) per column, in two groups.

        First the label-encoded columns' (their rules apply to the levels,
        :meth:`_constraint_codes`), then the other numeric columns' (their rules apply to
        the schema's range, :meth:`_check_in_range` and :meth:`_listed_values`); rules on
        other columns are left to Synthcity.
        """
        encoders = self._data_encoders or {}
        domain = self.schema().domain if self.fitted else {}
        encoded: RulesByColumn = {}
        numeric: RulesByColumn = {}
        for rule in constraints.rules:
            feature, op, _ = rule
            if op == "dtype":
                continue
            if isinstance(encoders.get(feature), LabelEncoder):
                encoded.setdefault(feature, []).append(tuple(rule))
            elif isinstance(domain.get(feature), FloatDistribution | IntegerDistribution):
                numeric.setdefault(feature, []).append(tuple(rule))
        return encoded, numeric

    def _constraint_codes(
        self, constraints: Constraints | None
    ) -> dict[str, CategoricalDistribution]:
        """The codes of the levels that ``constraints`` allow, per label-encoded column.

        Synthcity label-encodes every column with fewer than 15 distinct values, numbers
        too, and its ``_safe_generate`` filters the generated codes by the rules while its
        final check reads the decoded values (an upstream bug; its own plugins fail alike):
        on levels 1..4, ``stage == 4`` sought code 4 and gave no rows, ``stage >= 3`` kept
        code 3 (level 4) only, ``stage in [1, 2]`` (dropped by ``Schema.from_constraints``)
        failed "to meet the synthetic constraints". The rules are applied to the column's
        levels here, with Synthcity's own ``Constraints.filter`` (so every operator, and a
        missing value passing, as in the final check); the plugin samples the allowed codes
        (:meth:`_constrained_schema`) and Synthcity's final check keeps the rules as given.

        Raises:
            InvalidParameterError: a column's rules allow none of its levels, or compare
                them with a value they cannot be compared with; the message names the
                column, its rules and its levels.
        """
        if constraints is None:
            return {}
        encoded, _ = self._rules_by_column(constraints)
        codes = {}
        for column, column_rules in encoded.items():
            levels = self._data_encoders[column].classes_
            try:
                allowed = Constraints(rules=column_rules).filter(pd.DataFrame({column: levels}))
            except TypeError as error:  # e.g. text levels compared with a number by "<"
                raise self._levels_error(column, column_rules, levels, str(error)) from None
            if not allowed.any():
                raise self._levels_error(column, column_rules, levels, "none of them is allowed")
            codes[column] = CategoricalDistribution(
                name=column, choices=np.flatnonzero(allowed.to_numpy()).tolist()
            )
        return codes

    def _listed_values(self, constraints: Constraints | None) -> dict[str, CategoricalDistribution]:
        """The values an ``in`` rule on a numeric (not label-encoded) column allows.

        ``Schema.from_constraints`` drops ``in`` on a numeric column, so Synthcity's
        ``_safe_generate`` did not filter on it and its final check then failed "to meet
        the synthetic constraints" (``n in [3, 4, 5]`` on counts 0 to 40; its own plugins
        too). The listed values that meet all of the column's rules become the column's
        choices in the sampling schema (:meth:`_constrained_schema`), so the rows are
        filtered on them while they are drawn.
        """
        if constraints is None or not self.fitted:
            return {}
        listed = {}
        for column, column_rules in self._rules_by_column(constraints)[1].items():
            values = [v for _, op, value in column_rules if op == "in" for v in np.ravel(value)]
            if not values:
                continue
            kept = Constraints(rules=column_rules).filter(pd.DataFrame({column: values}))
            choices = list(dict.fromkeys(np.asarray(values)[kept.to_numpy()].tolist()))
            listed[column] = CategoricalDistribution(name=column, choices=choices)
        return listed

    def _check_in_range(self, constraints: Constraints | None) -> None:
        """Refuse rules on a numeric column that no value of its training range meets.

        Synthcity generates every numeric column within its training range (the data
        schema), so ``age > 100`` on ages 40 to 95 cannot be met: Synthcity then failed
        inside pydantic ("Invalid range for 'age': low (100.00000000000001) cannot be greater
        than high (95.0)"), and ``age == 100`` drew ``sampling_patience`` times in vain. The
        column's rules are tried together, with Synthcity's own ``Constraints.filter``, on
        the range's ends, the rules' values inside it and the midpoints between them: the
        values where a conjunction of comparisons can first hold.

        Raises:
            InvalidParameterError: no value of the range meets a column's rules; the message
                names the column, its rules and its training range.
        """
        if constraints is None or not self.fitted:
            return
        domain = self.schema().domain
        for column, column_rules in self._rules_by_column(constraints)[1].items():
            low, high = float(domain[column].low), float(domain[column].high)
            if not np.isfinite([low, high]).all():
                continue
            values = [v for *_, value in column_rules for v in np.ravel(value)]
            points = np.unique(np.clip([low, high, *map(float, values)], low, high))
            points = np.concatenate([points, (points[1:] + points[:-1]) / 2])
            if not Constraints(rules=column_rules).filter(pd.DataFrame({column: points})).any():
                raise InvalidParameterError(
                    f"{self.name()}: constraint(s) {', '.join(map(repr, column_rules))} on "
                    f"column {column!r} cannot be met: Synthcity generates it within its "
                    f"training range {self._shown_range(column, low, high)}"
                )

    def _shown_range(self, column: str, low: float, high: float) -> str:
        """A numeric column's training range as an error shows it; a date column's as dates.

        A held date column is days since 1970-01-01 to Synthcity, and so are the dates of
        its rules by then (:meth:`_rules_in_days`).
        """
        held = self.held_columns
        date = None if held is None else held.dates.get(column)
        if date is None:
            return f"[{low:g}, {high:g}]"
        first, last = date.written(pd.Series([low, high]))
        return f"{first} to {last} (the rules' dates as days since 1970-01-01: {low:g} to {high:g})"

    def _levels_error(
        self, column: str, rules: list[tuple[str, str, Any]], levels: np.ndarray, why: str
    ) -> InvalidParameterError:
        """The error for rules on a label-encoded column that no generated row can meet."""
        shown = ", ".join(map(repr, list(levels)[:20])) + (", ..." if len(levels) > 20 else "")
        return InvalidParameterError(
            f"{self.name()}: constraint(s) {', '.join(map(repr, rules))} on column {column!r} "
            f"cannot be met: Synthcity label-encodes it (text, or fewer than 15 distinct "
            f"values), so it generates only its training values [{shown}], and {why}"
        )

    def _constrained_schema(self, syn_schema: Schema) -> Schema:
        """``syn_schema`` with each constrained label-encoded column's allowed codes.

        A numeric column under an ``in`` rule gets the listed values it allows
        (:meth:`_listed_values`).

        Every plugin samples through this (``_generate_core``, the time-series plugin), so
        that Synthcity's ``_safe_generate`` filters the codes of the levels the running
        ``generate`` call's constraints allow (see :meth:`_constraint_codes`).
        """
        if not self.constraint_codes:
            return syn_schema
        domain = {**syn_schema.domain, **self.constraint_codes}
        return syn_schema.model_copy(update={"domain": domain})

    def _fit_core(self, X: DataLoader, cond: Any) -> None:
        """Fit ``self.core`` on the encoded frame; remember the column ``cond`` equals.

        The core reads Synthcity's codes with the missing class as missing values (so its
        ``missing`` policy applies), ordered levels numbered in their order and the outcome
        columns' values as they are
        (:class:`~synth_plugins.synthcity.core_codes.CoreCodes`).
        """
        frame = X.dataframe()
        if cond is not None:
            self.cond_column = self._matching_column(frame, cond)
        self.core_codes = CoreCodes.of(
            self._data_encoders, self.level_orders, self.outcome_columns(X)
        )
        frame = self.core_codes.to_core(frame)
        self.core.roles = self.core_codes.roles(synthcity_roles(frame, self._data_encoders))
        self.core.fit(frame)

    def _generate_core(self, count: int, syn_schema: Schema, cond: Any) -> DataLoader:
        """Sample ``count`` rows from ``self.core`` (following ``cond`` when given).

        Synthcity seeds numpy's global generator from ``random_state``; one draw from it
        seeds a stream, which seeds each of the core's calls (Synthcity may call several
        times to fill ``count`` under constraints). The rows are coded back into
        Synthcity's codes (a missing value into the missing class) before it decodes them,
        and the date columns the constraints name are rounded as they will be written
        (:attr:`constraint_dates`).
        """
        stream = np.random.default_rng(np.random.randint(0, 2**31 - 1))  # noqa: NPY002
        wanted = None if cond is None else self._checked_cond(np.asarray(cond).ravel(), count)

        def sample(n: int) -> pd.DataFrame:
            seed = int(stream.integers(2**31 - 1))
            if wanted is None:
                rows = self.core_codes.from_core(self.core.sample(n, random_state=seed))
            else:
                rows = self.core_codes.from_core(self._sample_conditioned(n, wanted, seed))
            if self.held_columns is not None:
                rows = self.held_columns.as_written(rows, self.constraint_dates)
            return rows

        return self._safe_generate(sample, count, self._constrained_schema(syn_schema))

    def _encoded(self, column: str, values: np.ndarray) -> np.ndarray:
        """``values`` in the label-encoded space Synthcity trained the core in."""
        encoder = (self._data_encoders or {}).get(column)
        # (isin, not set(): a missing value is one of the classes when the classes hold one)
        if isinstance(encoder, LabelEncoder) and pd.Index(values).isin(encoder.classes_).all():
            return encoder.transform(values)
        return values

    def _matching_column(self, frame: pd.DataFrame, cond: Any) -> str:
        """The training column whose values equal ``cond`` row by row (missing equals missing)."""
        values = np.asarray(cond).ravel()
        if len(values) == len(frame):
            for column in frame.columns:
                mine, theirs = frame[column].to_numpy(), self._encoded(column, values)
                if ((mine == theirs) | (pd.isna(mine) & pd.isna(theirs))).all():
                    return str(column)
        raise InvalidParameterError(
            f"{self.name()}: {self.cond_hint} (e.g. cond=X['sex']); no training column "
            "equals the given cond"
        )

    def _checked_cond(self, cond: np.ndarray, count: int) -> np.ndarray:
        """``generate``'s ``cond``: one value, or one per generated row, of the training levels.

        Raises:
            InvalidParameterError: the plugin was fitted without ``cond``, ``cond`` has
                neither 1 nor ``count`` values, or a value is not a level of the column
                (the message lists the levels as the user wrote them).
        """
        if self.cond_column is None:
            raise InvalidParameterError(
                f"{self.name()}: generate(cond=...) needs a plugin fitted with "
                "cond=<a training column>"
            )
        if len(cond) not in (1, count):
            raise InvalidParameterError(
                f"{self.name()}: cond has {len(cond)} values; give one value for every row or "
                f"one value per generated row (count={count})"
            )
        encoder = (self._data_encoders or {}).get(self.cond_column)
        if isinstance(encoder, LabelEncoder):
            levels = set(encoder.classes_)
            unknown = sorted({str(v) for v in cond if v not in levels})
            if unknown:
                raise InvalidParameterError(
                    f"{self.name()}: cond holds {unknown[:5]}, never seen in training column "
                    f"{self.cond_column!r}; its levels are {list(encoder.classes_)[:20]}"
                )
        return cond

    def _sample_conditioned(self, n: int, cond: np.ndarray, seed: int) -> pd.DataFrame:
        """Rows whose condition values follow ``cond``: one value, or one per row, in order.

        The core samples the rows of each value at once; they are put back at that value's
        positions in ``cond``. The values are cycled when Synthcity asks for more rows than
        ``count`` to fill it under constraints.
        """
        assert self.cond_column is not None
        wanted = self._encoded(self.cond_column, np.resize(cond, n))
        values = pd.unique(wanted)
        parts = [
            self.core.sample(
                int((wanted == value).sum()),
                conditions={self.cond_column: self.core_codes.values(self.cond_column, value)},
                random_state=seed + i,
                **self.condition_options,
            )
            for i, value in enumerate(values)
        ]
        rows = pd.concat(parts, ignore_index=True)
        rows.index = np.concatenate([np.flatnonzero(wanted == value) for value in values])
        return rows.sort_index().reset_index(drop=True)

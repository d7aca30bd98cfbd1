"""Column roles of the frames Synthcity hands to a plugin's ``_fit``."""

from __future__ import annotations

import pandas as pd
from sklearn.preprocessing import LabelEncoder

from synth_plugins.encoding.roles import is_whole

#: Synthcity label-encodes every column with fewer distinct values than this.
SYNTHCITY_MAX_LEVELS = 15


def synthcity_roles(frame: pd.DataFrame, encoders: dict | None) -> dict[str, str]:
    """Column roles of a frame Synthcity has label-encoded before ``_fit``.

    Synthcity label-encodes strings, booleans and every column with fewer than 15 distinct
    values, and leaves alone integer columns that already hold codes ``0..k-1``; both kinds
    are modelled as ``binary`` (two levels) or ``categorical``. Other columns are
    ``integer`` when whole-valued (:func:`~synth_plugins.encoding.roles.is_whole`), else
    ``numerical`` (dates arrive as days since 1970-01-01:
    :mod:`synth_plugins.synthcity.held_columns`).
    """
    label_encoded = {c for c, e in (encoders or {}).items() if isinstance(e, LabelEncoder)}
    roles: dict[str, str] = {}
    for column in frame.columns:
        observed = frame[column].dropna()
        levels = observed.nunique()
        whole = is_whole(observed)
        codes = whole and levels < SYNTHCITY_MAX_LEVELS and observed.max() == levels - 1
        if column in label_encoded or (codes and observed.min() == 0):
            roles[column] = "binary" if levels <= 2 else "categorical"
        else:
            roles[column] = "integer" if whole else "numerical"
    return roles

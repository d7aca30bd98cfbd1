"""Every catalog plugin module imports first in a fresh interpreter, and registers everything.

Each module is imported first alone and after ``import synth_plugins``; the kit forks one
interpreter per case from a parent that imported only Synthcity's heavy dependencies (see
:func:`synth_plugins.testing.synthcity_conventions.check_plugin_modules_import_first`).
A module that cannot be imported rides along, so the check is seen to report a failure,
and to report it for that module only.
"""

from dataclasses import replace

import pytest

from synth_plugins import catalog
from synth_plugins.testing import synthcity_conventions as kit


def test_every_plugin_module_imports_first_in_both_orders():
    broken = replace(
        catalog.GENERATORS[0],
        name="broken_plugin",
        synthcity_plugin="synth_plugins.catalog:NoSuchPlugin",
    )
    with pytest.raises(AssertionError) as raised:
        kit.check_plugin_modules_import_first([*catalog.GENERATORS, broken])
    message = str(raised.value)
    for order in ("nothing", "import synth_plugins"):
        assert f"broken_plugin: importing synth_plugins.catalog first (after {order})" in (message)
    assert "NoSuchPlugin" in message
    for entry in catalog.GENERATORS:
        assert f"{entry.name}: importing" not in message, message[:3000]

"""Every catalog plugin module imports first in a fresh interpreter, and registers everything."""

import pytest

from synth_plugins import catalog
from synth_plugins.testing import synthcity_conventions as kit


@pytest.mark.parametrize("prelude", list(kit.IMPORT_ORDERS.values()), ids=list(kit.IMPORT_ORDERS))
@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in catalog.GENERATORS])
def test_plugin_module_imports_first(entry, prelude):
    kit.check_plugin_module_imports_first(entry, prelude)

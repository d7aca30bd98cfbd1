"""Every catalog plugin module imports first in a fresh interpreter, and registers everything.

One interpreter per module and import order (alone, and after ``import synth_plugins``), run
side by side by the kit.
"""

from synth_plugins import catalog
from synth_plugins.testing import synthcity_conventions as kit


def test_every_plugin_module_imports_first_in_both_orders():
    kit.check_plugin_modules_import_first(catalog.GENERATORS)

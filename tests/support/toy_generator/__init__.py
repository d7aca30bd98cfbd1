"""A toy generator written by following "Adding a generator" in docs/architecture.md.

``core`` is step 1, ``plugin_toy_marginals`` step 2 (Synthcity), ``synthesizer`` step 3 (SDV); the
catalog entry (step 4) and the tests (step 5) are in
``tests/integration/test_add_a_generator.py``. In the suite these files would be
``generators/toy_marginals.py``, ``synthcity/plugins/generic/plugin_toy_marginals.py`` and
``sdv/toy_marginals.py``.
"""

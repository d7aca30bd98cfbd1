"""Synthcity metric evaluators for the suite's metrics (one module per Synthcity type)."""

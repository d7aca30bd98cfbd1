"""Reusable checks that every generator and metric of the suite must pass in every host."""

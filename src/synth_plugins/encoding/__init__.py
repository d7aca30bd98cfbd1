"""Shared tabular encoding: column roles and the encoder every generator uses."""

from synth_plugins.encoding.roles import ROLES, Role, infer_role, infer_roles
from synth_plugins.encoding.tabular import Block, ColumnSpec, TabularEncoder

__all__ = ["ROLES", "Block", "ColumnSpec", "Role", "TabularEncoder", "infer_role", "infer_roles"]

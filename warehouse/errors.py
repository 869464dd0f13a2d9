"""Warehouse exceptions; each message says what to do."""

from __future__ import annotations


class WarehouseError(Exception):
    """A warehouse directory that cannot be used as asked."""


class NoWarehouse(WarehouseError):
    """No published version exists yet."""


class SchemaMismatch(WarehouseError):
    """The published file was written with another schema version."""

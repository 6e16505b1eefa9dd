"""Connections to the systems that hold personal data: one module per kind of store."""

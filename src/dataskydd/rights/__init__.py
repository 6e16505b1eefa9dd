"""Data subject rights: resolving a person across systems, and each right on top of it."""

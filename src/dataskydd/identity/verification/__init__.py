"""Verifying who sent a rights request: a one-time code by e-mail, or BankID."""

"""Identities of people and companies: Swedish identifiers, e-mail, phone; matching in text."""

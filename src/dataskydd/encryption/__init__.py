"""Encryption at rest of personal data in the app store (AES-256-GCM, keys outside the database)."""

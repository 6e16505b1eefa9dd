"""Consent records, the direct-marketing suppression list and the permission check."""

"""Retention: which rule keeps a record, from what date, until when; legal holds."""

"""dataskydd: GDPR privacy operations, with the privacy programme kept as data."""

__version__ = "0.1.0"

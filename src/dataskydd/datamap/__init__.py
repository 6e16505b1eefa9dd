"""The data map: which systems hold personal data, in which tables and columns."""

"""The access answer laid out for people and machines: JSON, CSV in a zip, HTML, PDF.

Use :mod:`dataskydd.rights.answer_formats`; the modules here are one format each.
"""

"""The privacy programme: schema, loading, validation, register and notice."""

from dataskydd.programme.errors import ProgrammeError, ProgrammeInvalid
from dataskydd.programme.loader import load_programme, load_template
from dataskydd.programme.schema import Programme

__all__ = ["Programme", "ProgrammeError", "ProgrammeInvalid", "load_programme", "load_template"]

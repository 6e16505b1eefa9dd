"""Schemathesis over the whole OpenAPI document: no input makes any endpoint fail with a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from dataskydd.programme import load_template
from dataskydd.settings import Settings
from dataskydd.web.app import create_app

# Schemathesis needs the app when the tests are collected, so it gets a store of its own.
_STORE = Path(tempfile.mkdtemp(prefix="dataskydd-fuzz-"))
_APP = create_app(Settings(data_dir=_STORE, jobs_in_process=False), load_template("swedish-lender"))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", _APP)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])

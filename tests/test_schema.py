"""The OpenAPI schema matches the server: schemathesis generates requests from it (a bounded,
derandomized number per operation, valid and invalid) against the app with fake models, and every response must be
documented (status, content type, body schema) and never a server error.

(schemathesis' own pytest plugin does not run under pytest 9, so each operation's strategy is
driven by hypothesis directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qa.api import create_app
from tests.conftest import FakeChat
from tests.test_api import scripted

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = [
    ("GET", "/api/health"),
    ("POST", "/api/answer"),
    ("POST", "/api/answer/stream"),
    ("GET", "/api/sources"),
    ("GET", "/api/sources/{sid}"),
    ("GET", "/v1/models"),
    ("GET", "/v1/models/{model_id}"),
    ("POST", "/v1/chat/completions"),
]


@pytest.fixture
def api_schema(indexed, make_answerer):
    app = create_app(indexed, answerer=make_answerer(FakeChat(scripted)), ui=False)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_operation_is_fuzzed(api_schema):
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


WITH_INPUT = [op for op in OPERATIONS if op[0] == "POST" or "{" in op[1]]  # only these can get invalid input
CASES = [(*op, GenerationMode.POSITIVE) for op in OPERATIONS] + [(*op, GenerationMode.NEGATIVE) for op in WITH_INPUT]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_responses_match_the_schema(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()

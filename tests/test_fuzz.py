"""Schemathesis against our own OpenAPI document: no 5xx, and every answer matches the schema."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = 1000  # per operation; parameterless operations stop once their (tiny) space is covered


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_fuzzed(app):
    assert {op.path for op in _operations(app)} == {"/api/v1/lookup", "/api/v1/regions",
                                                    "/api/v1/regions/{code}", "/healthz",
                                                    "/api/v1/coverage", "/api/v1/coverage/{code}"}


@pytest.mark.parametrize("path", ["/api/v1/lookup", "/api/v1/regions/{code}", "/api/v1/regions", "/healthz",
                                  "/api/v1/coverage", "/api/v1/coverage/{code}"])
def test_api_conforms_to_its_schema(app, path):
    operation = next(op for op in _operations(app) if op.path == path)
    seen = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        seen.append(1)
        response = case.call()
        assert response.status_code < 500, response.text
        case.validate_response(response)

    check()
    if operation.path == "/api/v1/lookup":
        assert len(seen) >= EXAMPLES

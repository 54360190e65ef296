"""Schema-driven fuzzing: schemathesis generates requests from /api/openapi.json
and checks every answer: no 500, and status codes, content types and bodies as
the document describes them.

One check is left out: "schema-valid data is accepted".  ``page × size <=
max_results`` ties two parameters together, which OpenAPI cannot state, so a
valid-looking page far past the last result rightly gets its documented 400."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import count_fuzzed


def test_api_matches_its_openapi_document(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            count_fuzzed()
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        check()

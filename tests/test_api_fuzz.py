"""Schemathesis drives every API operation with generated input (a bounded number of examples): no server
error, and every response matches the published schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tian.accounts.services import token_create
from tian.wsgi import application

EXAMPLES = 4


@pytest.fixture
def keep_test_connection():
    """The WSGI app is called directly (not through Django's test client), so keep Django from closing the
    test's database connection at the end of each request, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_server_errors_and_responses_match_the_schema(world, keep_test_connection):
    token = token_create(user=world.staff, name="fuzz")[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            # A schema cannot say that an id must name an existing object of the committee (a category, a unit …):
            # a schema-valid request naming none is rightly refused with 422, so Schemathesis's check that
            # schema-valid data is accepted does not apply; every other check does.
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                   excluded_checks=[positive_data_acceptance])

        try:
            run()
        except Exception as e:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(e)[:400]}")
    assert not failures, "\n".join(failures)

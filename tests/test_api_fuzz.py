"""Schemathesis drives every API operation with generated input (a bounded number of examples): no server
error, and every response matches the published schema."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from tian.accounts.services import token_create
from tian.wsgi import application

EXAMPLES = 4


def test_no_server_errors_and_responses_match_the_schema(world):
    token = token_create(user=world.staff, name="fuzz")[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 25
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

        try:
            run()
        except Exception as e:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(e)[:400]}")
    assert not failures, "\n".join(failures)

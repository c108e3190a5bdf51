"""The control API keeps to the OpenAPI document it ships: schemathesis checks every route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from kmsmock.server import KmsServer
from kmsmock.server.control import HANDLERS
from kmsmock.server.openapi import document
from kmsmock.server.schema import KEYWORDS, openapi_document


def test_the_shipped_document_is_the_one_the_code_builds() -> None:
    # Regenerate with: python -m kmsmock.server.openapi > kmsmock/server/openapi.json
    assert openapi_document() == json.loads(json.dumps(document()))


def test_every_route_has_a_handler_and_every_handler_a_route() -> None:
    operation_ids = {
        route["operationId"]
        for routes in openapi_document()["paths"].values()
        for route in routes.values()
    }
    assert operation_ids == set(HANDLERS)


def _keywords(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        yield from schema
        for name, value in schema.items():
            if name == "properties":
                for member in value.values():
                    yield from _keywords(member)
            elif name in ("items",):
                yield from _keywords(value)
            elif name == "oneOf":
                for option in value:
                    yield from _keywords(option)


def _request_schema(route: dict[str, Any]) -> Any:
    return route.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")


def test_the_body_check_knows_every_keyword_the_request_schemas_use() -> None:
    used = {
        keyword
        for routes in openapi_document()["paths"].values()
        for route in routes.values()
        for keyword in _keywords(_request_schema(route))
    }
    assert used and used <= KEYWORDS, used - KEYWORDS


@pytest.fixture(scope="module")
def served() -> Iterator[KmsServer]:
    with KmsServer() as server:
        yield server


def _loaded_schema() -> Any:
    schema = schemathesis.openapi.from_dict(openapi_document())
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return schema


schema = _loaded_schema()


@schema.parametrize()
@hypothesis.settings(
    max_examples=60,
    # The model's patterns and lengths together make hypothesis filter many strings.
    suppress_health_check=[hypothesis.HealthCheck.filter_too_much],
)
def test_every_answer_matches_the_document_and_none_is_a_5xx(
    case: schemathesis.Case, served: KmsServer
) -> None:
    case.call_and_validate(
        base_url=served.url,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
    )

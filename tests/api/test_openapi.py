"""The OpenAPI document tells the truth: request bodies, the bearer scheme, the envelope, binary file links."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.support.fake_engine import FakeEngine

from tunesmith.api.app import create_app
from tunesmith.api.deps import BodyDep
from tunesmith.api.errors import envelope, ok
from tunesmith.api.openapi import BEARER, Envelope, UploadEnvelope, body_model
from tunesmith.api.operations import OPERATIONS
from tunesmith.api.schemas.generate import GenerateBody
from tunesmith.api.schemas.lyrics import LyricsBody
from tunesmith.api.schemas.persona import PersonaBody
from tunesmith.api.schemas.style import StyleBody
from tunesmith.api.submit import parse
from tunesmith.config import Settings

FILE_ROUTES = ("/files/{key}", "/stream/{key}")


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The document as served (the app is never started: the document needs no database)."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("openapi") / "data"), engine=FakeEngine)
    served: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    return served


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in doc["paths"].items() for method, op in item.items()]


def _body_schema(op: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = op["requestBody"]["content"]["application/json"]["schema"]
    return schema


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    name = schema["$ref"].removeprefix("#/components/schemas/")
    found: dict[str, Any] = doc["components"]["schemas"][name]
    return found


def test_every_post_declares_a_required_request_body(doc: dict[str, Any]) -> None:
    posts = [(path, op) for method, path, op in _operations(doc) if method == "post"]
    assert len(posts) >= 17
    for path, op in posts:
        assert op.get("requestBody", {}).get("required") is True, path
        assert set(op["requestBody"]["content"]) <= {"application/json", "multipart/form-data"}, path


def test_every_registered_operation_body_is_a_documented_request_body(doc: dict[str, Any]) -> None:
    bodies = {_body_schema(op).get("$ref") for method, _, op in _operations(doc)
              if method == "post" and "application/json" in op["requestBody"]["content"]}
    for name, operation in OPERATIONS.items():
        assert f"#/components/schemas/{operation.body.__name__}" in bodies, name


def test_the_body_is_the_model_the_route_validates_with(doc: dict[str, Any]) -> None:
    ops = doc["paths"]
    assert _body_schema(ops["/api/v1/generate"]["post"])["$ref"].endswith("/GenerateBody")
    assert _body_schema(ops["/api/v1/generate/generate-persona"]["post"])["$ref"].endswith("/PersonaBody")
    assert _body_schema(ops["/api/v1/style/generate"]["post"])["$ref"].endswith("/StyleBody")
    generate = _resolve(doc, _body_schema(ops["/api/v1/generate"]["post"]))
    assert {"customMode", "instrumental", "model", "callBackUrl"} <= set(generate["required"])
    assert generate["properties"]["customMode"]["type"] == "boolean"


def test_model_limits_and_enums_reach_the_document(doc: dict[str, Any]) -> None:
    separation = _resolve(doc, _body_schema(doc["paths"]["/api/v1/vocal-removal/generate"]["post"]))
    assert set(separation["properties"]["type"]["enum"]) == {"separate_vocal", "split_stem"}
    sounds = _resolve(doc, _body_schema(doc["paths"]["/api/v1/generate/sounds"]["post"]))
    tempo = next(s for s in sounds["properties"]["soundTempo"]["anyOf"] if s["type"] == "integer")
    assert (tempo["minimum"], tempo["maximum"]) == (1, 300)


def test_bearer_scheme_on_every_api_operation_and_none_on_signed_links(doc: dict[str, Any]) -> None:
    assert doc["components"]["securitySchemes"][BEARER] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "API Key",
        "description": "The API key, sent as `Authorization: Bearer <key>`"}
    for _, path, op in _operations(doc):
        if path.startswith("/api/"):
            assert op["security"] == [{BEARER: []}], path
        else:
            assert path in FILE_ROUTES and "security" not in op, path


def test_json_answers_are_the_envelope(doc: dict[str, Any]) -> None:
    for _, path, op in _operations(doc):
        expected = "UploadEnvelope" if path.startswith("/api/file-") else "Envelope"
        statuses = ("default",) if path in FILE_ROUTES else ("200", "default")
        for status in statuses:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": f"#/components/schemas/{expected}"}, (path, status)
        assert "422" not in op["responses"], path
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert set(schemas["Envelope"]["required"]) == {"code", "msg", "data"}
    assert set(schemas["UploadEnvelope"]["required"]) == {"success", "code", "msg", "data"}


def test_the_envelope_models_accept_what_the_api_answers() -> None:
    Envelope.model_validate(ok({"taskId": "t"}))
    Envelope.model_validate(envelope(404, "Not found", None))
    UploadEnvelope.model_validate({"success": False, **envelope(401, "Authentication failed", None)})


def test_file_routes_answer_binary_or_audio(doc: dict[str, Any]) -> None:
    download = doc["paths"]["/files/{key}"]["get"]["responses"]
    stream = doc["paths"]["/stream/{key}"]["get"]["responses"]
    assert set(stream["200"]["content"]) == {"audio/mpeg"}
    assert {"audio/*", "application/octet-stream"} <= set(download["200"]["content"])
    for responses in (download, stream):
        for media in responses["200"]["content"].values():
            assert media["schema"] == {"type": "string", "format": "binary"}
        assert {"403", "404", "410"} <= set(responses)


def test_every_reference_resolves(doc: dict[str, Any]) -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    names = set(doc["components"]["schemas"])
    assert refs and {r.removeprefix("#/components/schemas/") for r in refs} <= names


def _route(endpoint: Any) -> APIRoute:
    router = APIRouter()
    router.post("/x")(endpoint)
    route = router.routes[0]
    assert isinstance(route, APIRoute)
    return route


def test_body_model_follows_parse_and_parser_return_types() -> None:
    def direct(body: BodyDep) -> None:
        parse(LyricsBody, body)

    def nested(body: BodyDep) -> None:
        str(parse(StyleBody, body))

    assert body_model(_route(direct)) is LyricsBody
    assert body_model(_route(nested)) is StyleBody
    assert body_model(_route(_parses_persona)) is PersonaBody


def _parses_persona(body: BodyDep) -> None:
    _persona(body)


def _persona(body: dict[str, Any]) -> PersonaBody:
    return PersonaBody.model_validate(body)


def test_a_route_whose_body_model_cannot_be_told_fails_loudly() -> None:
    def unparsed(body: BodyDep) -> None:
        del body

    def ambiguous(body: BodyDep) -> None:
        parse(GenerateBody, body)
        parse(LyricsBody, body)

    for endpoint in (unparsed, ambiguous):
        with pytest.raises(LookupError, match="cannot tell the body model"):
            body_model(_route(endpoint))


def test_a_route_without_a_json_body_has_no_body_model() -> None:
    def plain() -> None:
        return None

    assert body_model(_route(plain)) is None

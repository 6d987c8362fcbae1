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
from tunesmith.api.schemas.audio_in import AUDIO_IN_MODELS, AddVocalsBody
from tunesmith.api.schemas.generate import GenerateBody
from tunesmith.api.schemas.lyrics import LyricsBody
from tunesmith.api.schemas.persona import PersonaBody
from tunesmith.api.schemas.replace_section import ReplaceSectionBody
from tunesmith.api.schemas.sounds import SOUND_KEYS, SOUND_MODELS
from tunesmith.api.schemas.style import StyleBody
from tunesmith.api.submit import parse
from tunesmith.config import Settings
from tunesmith.tasks.catalog import MODELS

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


def _body(doc: dict[str, Any], path: str) -> dict[str, Any]:
    properties: dict[str, Any] = _resolve(doc, _body_schema(doc["paths"][path]["post"]))["properties"]
    return properties


def _declared(prop: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with its ``anyOf [X, null]`` (an optional field) reduced to ``X``."""
    branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    assert len(branches) == 1, prop
    return {**prop, **branches[0]}


def test_generate_declares_the_model_enum_the_tuning_ranges_and_the_largest_limits(doc: dict[str, Any]) -> None:
    generate = _body(doc, "/api/v1/generate")
    assert generate["model"]["enum"] == list(MODELS)
    assert _declared(generate["vocalGender"])["enum"] == ["m", "f"]
    assert _declared(generate["personaModel"])["enum"] == ["style_persona", "voice_persona"]
    for name in ("styleWeight", "weirdnessConstraint", "audioWeight"):
        weight = _declared(generate[name])
        assert (weight["type"], weight["minimum"], weight["maximum"], weight["multipleOf"]) == ("number", 0, 1, 0.01)
    variety = _declared(generate["variety"])
    assert (variety["type"], variety["minimum"], variety["maximum"]) == ("integer", 0, 4)
    duration = _declared(generate["duration"])
    assert (duration["minimum"], duration["maximum"]) == (10, 360)
    for name, attribute in (("title", "title_max"), ("style", "style_max"), ("lyrics", "lyrics_max"),
                            ("prompt", "lyrics_max")):
        limits = {getattr(spec, attribute) for spec in MODELS.values()}
        declared = _declared(generate[name])
        assert declared["maxLength"] == max(limits), name
        assert all(str(limit) in declared["description"] for limit in limits), name
    assert _declared(generate["negativeTags"])["maxLength"] == 1000
    assert {"type": "null"} in generate["vocalGender"]["anyOf"]  # a declared optional field stays nullable


def test_audio_in_operations_declare_their_model_enum_and_defaults(doc: dict[str, Any]) -> None:
    vocals = _body(doc, "/api/v1/generate/add-vocals")
    backing = _body(doc, "/api/v1/generate/add-instrumental")
    assert vocals["model"]["enum"] == backing["model"]["enum"] == list(AUDIO_IN_MODELS)
    assert (vocals["model"]["default"], backing["model"]["default"]) == ("V6", "V4_5PLUS")
    assert backing["tags"]["minLength"] == vocals["style"]["minLength"] == 1
    assert backing["tags"]["maxLength"] == vocals["style"]["maxLength"] == 1000
    assert vocals["title"]["maxLength"] == max(MODELS[m].title_max for m in AUDIO_IN_MODELS)
    assert _declared(vocals["variety"])["maximum"] == 4


def test_other_operations_declare_their_documented_enums_and_limits(doc: dict[str, Any]) -> None:
    sounds = _body(doc, "/api/v1/generate/sounds")
    assert sounds["model"]["enum"] == list(SOUND_MODELS) and sounds["soundKey"]["enum"] == list(SOUND_KEYS)
    assert (sounds["prompt"]["minLength"], sounds["prompt"]["maxLength"]) == (1, 500)
    timestamps = _body(doc, "/api/v1/generate/get-timestamped-lyrics")
    music_index = _declared(timestamps["musicIndex"])
    assert (music_index["type"], music_index["enum"]) == ("integer", [0, 1])
    section = _body(doc, "/api/v1/generate/replace-section")
    assert section["infillStartS"]["minimum"] == 0 and section["infillEndS"]["multipleOf"] == 0.01
    assert _declared(section["fullLyrics"])["maxLength"] == 5000
    persona = _body(doc, "/api/v1/generate/generate-persona")
    assert (persona["name"]["maxLength"], persona["description"]["maxLength"]) == (200, 2000)
    assert persona["vocalStart"]["minimum"] == persona["vocalEnd"]["minimum"] == 0
    assert _body(doc, "/api/v1/style/generate")["content"]["maxLength"] == 1000
    assert _body(doc, "/api/v1/lyrics")["prompt"]["maxLength"] == 3000


def test_every_callback_url_says_what_it_accepts(doc: dict[str, Any]) -> None:
    for method, path, op in _operations(doc):
        if method != "post" or "$ref" not in op["requestBody"]["content"].get("application/json", {}).get("schema", {}):
            continue
        callback = _body(doc, path).get("callBackUrl")
        if callback is not None:
            declared = _declared(callback)
            required = path == "/api/v1/lyrics"
            assert ("Required, not blank." if required else "Blank: no callback.") in declared["description"], path
            assert declared.get("minLength", 0) == int(required), path


def test_declarations_do_not_validate_so_the_code_answers_with_its_own_codes() -> None:
    """Values outside the declared enums and limits still parse: the route's checks refuse them with the
    documented code and message (400 naming the field, 413 naming the model's limit, 422 on some pages)."""
    GenerateBody.model_validate({"customMode": True, "instrumental": False, "model": "V9", "callBackUrl": "",
                                 "title": "t" * 500, "vocalGender": "x", "styleWeight": 1.5, "variety": 9})
    AddVocalsBody.model_validate({"uploadUrl": "", "title": "", "negativeTags": "", "callBackUrl": "",
                                  "style": "", "model": "V3_5"})
    ReplaceSectionBody.model_validate({"prompt": "", "tags": "", "title": "", "infillStartS": -1.005,
                                       "infillEndS": 0.001, "variety": 7, "personaModel": "x"})


def test_envelope_answers_of_the_api_declare_retry_after(doc: dict[str, Any]) -> None:
    for _, path, op in _operations(doc):
        for status in ("200", "default"):
            headers = op["responses"][status].get("headers", {})
            if path.startswith("/api/"):
                assert headers["Retry-After"]["schema"] == {"type": "integer", "minimum": 0}, (path, status)
            else:
                assert "Retry-After" not in headers, (path, status)


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

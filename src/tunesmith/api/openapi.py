"""The OpenAPI document, made to tell the truth about the wire.

FastAPI describes what it can see in a route's signature, and most of the wire is not there: the routes
read their JSON body as a plain dict (:data:`~tunesmith.api.deps.BodyDep`, so that one capped reader and one
error mapping handle every malformed body) and validate it themselves against the wire model; the key is
read from the ``Authorization`` header by hand; every JSON answer is the ``{code, msg, data}`` envelope,
errors included (HTTP 200 unless ``server.mirror_http_status``), never FastAPI's 422 ``detail`` list.
:func:`document` starts from FastAPI's document and corrects it, from the code rather than from a list:

- **Request bodies.** The body model of a route is the one its endpoint validates the ``BodyDep`` argument
  with — ``parse(GenerateBody, body)``, or a parser whose return annotation is the model
  (``parse_persona(body) -> PersonaBody``) — found by reading the endpoint's source
  (:func:`body_model`). A new route written the same way is described without an edit here; a route
  whose model cannot be told apart fails the document's build (and ``tests/api/test_openapi.py``).
  The models are rendered by pydantic, so every limit and enum they declare is in the document.
- **Security.** The http bearer scheme (``bearerFormat: API Key``, hosted API §1.1) on every ``/api/...``
  operation; signed file links (``/files``, ``/stream``) carry their authorisation in the query string.
- **Responses.** ``200`` and ``default`` are the envelope (the upload routes' adds ``success``, §3.23);
  a route that declares its own ``200`` (the file routes: binary or audio) keeps it. The envelope answers
  of ``/api/...`` declare the optional ``Retry-After`` header that the per-key limits (430, 405) and the
  455 refusal send (an error's envelope comes in an HTTP 200 unless statuses are mirrored, so both carry it).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from tunesmith.api.deps import json_body
from tunesmith.api.routes import routers
from tunesmith.api.routes.uploads import UploadRoute

BEARER = "bearerAuth"
"""Name of the security scheme in ``components.securitySchemes``."""
REF = "#/components/schemas/{model}"
RETRY_AFTER = {"description": "Whole seconds after which the same call may succeed: sent with code 430 (call "
                             "frequency), 405 (too many unfinished tasks) and 455 (server cannot take paid work now)",
               "schema": {"type": "integer", "minimum": 0}}
FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")
"""FastAPI's 422 shapes: the app answers validation errors with the envelope, so they are dropped."""


class Envelope(BaseModel):
    """Every JSON answer of the API, success and error alike (hosted API §1.2)."""

    code: int = Field(description="200 on success, otherwise the error code of the hosted API's tables (§1.3)")
    msg: str = Field(description="'success', or what went wrong")
    data: Any = Field(description="The operation's answer; null on most errors")


class UploadEnvelope(Envelope):
    """The File Upload API's answer (§3.23): the envelope plus ``success``."""

    success: bool = Field(description="true exactly when code is 200")


def envelope_response(description: str) -> dict[str, Any]:
    """A response entry whose body is the :class:`Envelope` (for a route's ``responses=``)."""
    return {"description": description, "content": {"application/json": {"schema": {"$ref": _ref(Envelope)}}}}


def install(app: FastAPI) -> None:
    """Serve :func:`document` as the app's ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if not app.openapi_schema:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document of ``app``, corrected as the module docstring describes."""
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                      tags=app.openapi_tags, servers=app.servers)
    components = doc.setdefault("components", {})
    components["securitySchemes"] = {BEARER: {
        "type": "http", "scheme": "bearer", "bearerFormat": "API Key",
        "description": "The API key, sent as `Authorization: Bearer <key>`"}}
    routes = {(method.lower(), route.path_format): route for route in _api_routes(app)
              for method in route.methods or ()}
    operations = [(path, method, op, routes.get((method, path))) for path, item in doc["paths"].items()
                  for method, op in item.items()]
    bodies = {id(op): body_model(route) for _, _, op, route in operations if route is not None}
    refs, schemas = _component_schemas({m for m in bodies.values() if m is not None} | {Envelope, UploadEnvelope})
    for path, _, op, route in operations:
        model = bodies.get(id(op))
        if model is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": refs[model]}}}
        if path.startswith("/api/"):
            op["security"] = [{BEARER: []}]
        answer = refs[UploadEnvelope if isinstance(route, UploadRoute) else Envelope]
        _responses(op, answer, keep_ok=_declares_ok(route), throttled=path.startswith("/api/"))
    kept = {k: v for k, v in components.get("schemas", {}).items() if k not in FASTAPI_ERRORS}
    components["schemas"] = {**kept, **schemas}
    return doc


def _declares_ok(route: APIRoute | None) -> bool:
    return route is not None and any(str(status) == "200" for status in route.responses)


def _responses(op: dict[str, Any], answer: dict[str, Any], *, keep_ok: bool, throttled: bool) -> None:
    """``answer`` (the envelope's schema) as ``200`` unless ``keep_ok`` (the route declared its own), and as
    ``default``, each with the optional ``Retry-After`` header if ``throttled``; FastAPI's 422 goes (validation
    errors are answered with the envelope)."""
    responses: dict[str, Any] = op["responses"]
    responses.pop("422", None)
    headers = {"headers": {"Retry-After": RETRY_AFTER}} if throttled else {}
    if not keep_ok:
        responses["200"] = {"description": responses.get("200", {}).get("description") or "Successful Response",
                            "content": {"application/json": {"schema": answer}}, **headers}
    responses["default"] = {
        "description": "An error: the envelope's code is the error (HTTP 200 unless server.mirror_http_status "
                       "is set; the file routes always answer with the error's HTTP status)",
        "content": {"application/json": {"schema": answer}}, **headers}


def _ref(model: type[BaseModel]) -> str:
    return REF.format(model=model.__name__)


def _component_schemas(models: set[type[BaseModel]]) -> tuple[dict[type[BaseModel], Any], dict[str, Any]]:
    """Each model's ``$ref`` and the component schemas of ``models`` and the models they nest (validation
    mode: what a request may hold)."""
    ordered = sorted(models, key=lambda m: m.__name__)
    mapping, found = models_json_schema([(m, "validation") for m in ordered], ref_template=REF)
    defs: dict[str, Any] = found.get("$defs", {})
    return {model: mapping[(model, "validation")] for model in ordered}, defs


def _api_routes(app: FastAPI) -> Iterator[APIRoute]:
    """The app's own routes and those of every route module (the app includes each module's router)."""
    yield from (r for r in app.routes if isinstance(r, APIRoute))
    for router in routers():
        yield from (r for r in router.routes if isinstance(r, APIRoute))


def body_model(route: APIRoute) -> type[BaseModel] | None:
    """The wire model ``route`` validates its JSON body with; None for a route that reads no ``BodyDep``.

    Raises LookupError when the endpoint passes the body to no call that names exactly one model."""
    name = _body_parameter(route.dependant)
    if name is None:
        return None
    tree = ast.parse(textwrap.dedent(inspect.getsource(route.endpoint)))
    namespace = route.endpoint.__globals__
    found = {model for call in ast.walk(tree) if isinstance(call, ast.Call) and _passes(call, name)
             for model in _models_of(call, namespace)}
    if len(found) != 1:
        named = ", ".join(sorted(m.__name__ for m in found)) or "none"
        raise LookupError(f"{route.path}: cannot tell the body model of {route.endpoint.__qualname__} "
                          f"(models found: {named}); validate the body with parse(Model, {name})")
    return found.pop()


def _body_parameter(dependant: Dependant) -> str | None:
    """The endpoint parameter that receives :func:`~tunesmith.api.deps.json_body`."""
    return next((d.name for d in dependant.dependencies if d.call is json_body), None)


def _passes(call: ast.Call, name: str) -> bool:
    return any(isinstance(arg, ast.Name) and arg.id == name for arg in call.args)


def _models_of(call: ast.Call, namespace: dict[str, Any]) -> Iterator[type[BaseModel]]:
    """Models a call validates with: a model passed as an argument, else the callee's return annotation."""
    given = [_resolve(arg, namespace) for arg in call.args]
    models = [m for m in given if _is_model(m)]
    if models:
        yield from models
        return
    callee = _resolve(call.func, namespace)
    if callable(callee) and not _is_model(callee):
        returned = _return_type(callee)
        if _is_model(returned):
            yield returned


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> Any:
    """The object a ``name`` or ``module.name`` expression refers to in ``namespace``; None otherwise."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(node.value, namespace), node.attr, None)
    return None


def _return_type(function: Any) -> Any:
    try:
        return typing.get_type_hints(function).get("return")
    except (NameError, TypeError):
        return None


def _is_model(value: Any) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(value, type) and issubclass(value, BaseModel)

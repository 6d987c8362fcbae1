"""Style boost (hosted API §3.14): ``POST /api/v1/style/generate`` expands a short style ("Pop, Mysterious",
"欢快的国风") into a rich description from the style knowledge base, in the request's language.

Synchronous, as hosted: the description is written first, then the cost (``credits.costs.style`` or the registry's,
may be 0) is debited and the call is stored as a finished task in one transaction, so the ledger stays
auditable; a short balance answers 429 and stores nothing.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.operations import cost_of
from tunesmith.api.schemas.style import StyleBody, check_style_body, style_result
from tunesmith.api.submit import parse
from tunesmith.music.styles import boost_style
from tunesmith.tasks import instant
from tunesmith.tasks.service import Submission

router = APIRouter(prefix="/api/v1/style", tags=["style"])


@router.post("/generate", summary="Boost a music style into a detailed description")
def boost(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    content = check_style_body(parse(StyleBody, body))
    result = boost_style(content)
    cost = cost_of(c.settings, "style")
    sub = Submission(key_id=key.id, operation="style", model="", param=body, cost=cost, callback_url=None,
                     request_json=json.dumps({"content": content}, ensure_ascii=False))
    receipt = instant.record_finished(c.db, sub, {"result": result})
    return ok(style_result(task_id=receipt.task_id, param=receipt.param_json, result=result, consumed=cost,
                           remaining=receipt.balance, created=receipt.created_at))

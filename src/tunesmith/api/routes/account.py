"""Credits (hosted API §3.13) and the aliases seen in client code."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.tasks import accounts

router = APIRouter(tags=["account"])


@router.get("/api/v1/generate/credit", summary="Remaining credits of the calling key")
def credit(key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    return ok(accounts.balance(c.db, key.id))


@router.get("/api/v1/chat/credit", summary="Remaining credits (kie.ai alias)", include_in_schema=False)
def chat_credit(key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    return ok(accounts.balance(c.db, key.id))


@router.get("/api/v1/get-credits", summary="Remaining credits (quickstart-sample alias)",
            include_in_schema=False)
def get_credits(key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    return ok({"credits": accounts.balance(c.db, key.id)})

"""The music task state machine of the hosted API (``shared/reference/suno-api.md`` §3.2).

    PENDING ──▶ TEXT_SUCCESS ──▶ FIRST_SUCCESS ──▶ SUCCESS
       │              │                │
       └──────────────┴────────────────┴──▶ CREATE_TASK_FAILED | GENERATE_AUDIO_FAILED
                                            | CALLBACK_EXCEPTION | SENSITIVE_WORD_ERROR

Every transition is a conditional UPDATE from one of the allowed source states, so a duplicate or late
report from a worker that lost its lease changes nothing.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    PENDING = "PENDING"
    TEXT_SUCCESS = "TEXT_SUCCESS"
    FIRST_SUCCESS = "FIRST_SUCCESS"
    SUCCESS = "SUCCESS"
    CREATE_TASK_FAILED = "CREATE_TASK_FAILED"
    GENERATE_AUDIO_FAILED = "GENERATE_AUDIO_FAILED"
    CALLBACK_EXCEPTION = "CALLBACK_EXCEPTION"
    SENSITIVE_WORD_ERROR = "SENSITIVE_WORD_ERROR"


ACTIVE: frozenset[Status] = frozenset({Status.PENDING, Status.TEXT_SUCCESS, Status.FIRST_SUCCESS})
FAILED: frozenset[Status] = frozenset({
    Status.CREATE_TASK_FAILED, Status.GENERATE_AUDIO_FAILED, Status.CALLBACK_EXCEPTION,
    Status.SENSITIVE_WORD_ERROR,
})
TERMINAL: frozenset[Status] = FAILED | {Status.SUCCESS}

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.TEXT_SUCCESS: frozenset({Status.PENDING}),
    Status.FIRST_SUCCESS: frozenset({Status.PENDING, Status.TEXT_SUCCESS}),
    Status.SUCCESS: frozenset({Status.PENDING, Status.TEXT_SUCCESS, Status.FIRST_SUCCESS}),
    **{failed: ACTIVE for failed in FAILED},
}


def sources(target: Status) -> list[str]:
    """The states a task may be in to move to ``target``."""
    return [s.value for s in ALLOWED.get(target, frozenset())]


def rank(status: Status) -> int:
    """Progress order of the success path; failures rank last."""
    order = [Status.PENDING, Status.TEXT_SUCCESS, Status.FIRST_SUCCESS, Status.SUCCESS]
    return order.index(status) if status in order else len(order)

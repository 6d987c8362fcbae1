"""Which instrument plays each role: named instruments first, then the genre's candidates, with the
style weight deciding how often the genre's first choice is kept (see
:mod:`tunesmith.music.styles.controls`)."""

from __future__ import annotations

import random

from tunesmith.music.styles import ROLES, Controls, Instrument, ResolvedStyle


def choose_instrument(style: ResolvedStyle, role: str, controls: Controls, rng: random.Random) -> Instrument | None:
    """The instrument for ``role`` or ``None`` (no allowed candidate). A named instrument always wins;
    otherwise the first candidate with probability :attr:`Controls.first_choice_probability`."""
    candidates = style.candidates(role)
    if not candidates:
        return None
    named = [i for i in candidates if i in style.named]
    if named:
        return named[0]
    draw = rng.random()
    if draw < controls.first_choice_probability or len(candidates) == 1:
        return candidates[0]
    return rng.choice(candidates[1:])


def orchestrate(style: ResolvedStyle, controls: Controls, rng: random.Random) -> dict[str, Instrument]:
    """Role → instrument for every role that has one (roles without an allowed candidate are left out)."""
    chosen = {role: choose_instrument(style, role, controls, rng) for role in ROLES}
    return {role: inst for role, inst in chosen.items() if inst is not None}

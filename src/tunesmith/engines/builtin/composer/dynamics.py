"""The dynamic arc: a velocity factor per section that rises through the song to the last chorus and
falls away in the outro, plus which roles play where (arrangements build up on repeats)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tunesmith.engines.builtin.composer.arrangement import arrangement_for
from tunesmith.engines.builtin.composer.form import SectionPlan

ARC_RISE = 0.12
"""How much louder (fraction) the last section before the outro is than the first, all else equal."""
REPEAT_LIFT = 0.04
"""Extra energy per earlier occurrence of the same section kind."""
ENERGY_LIMITS = (0.55, 1.15)


@dataclass(frozen=True, slots=True)
class SectionDynamics:
    """Per section: how many earlier sections share its kind, whether it is the kind's last, its
    velocity factor (``energy``) and the kind of the section after it."""

    occurrence: int
    last_of_kind: bool
    energy: float
    next_kind: str


def section_dynamics(form: Sequence[SectionPlan], mood_energy: float = 1.0) -> list[SectionDynamics]:
    """The arc for ``form``: arrangement energy × position ramp × repeat lift × ``mood_energy``."""
    counts: dict[str, int] = {}
    last_index = {s.kind: i for i, s in enumerate(form)}
    out = []
    span = max(len(form) - 2, 1)
    for i, section in enumerate(form):
        occurrence = counts.get(section.kind, 0)
        counts[section.kind] = occurrence + 1
        ramp = 1.0 + ARC_RISE * min(i / span, 1.0)
        energy = arrangement_for(section.kind).energy * ramp * (1 + REPEAT_LIFT * occurrence) * mood_energy
        next_kind = form[i + 1].kind if i + 1 < len(form) else ""
        low, high = ENERGY_LIMITS
        out.append(SectionDynamics(occurrence, last_index[section.kind] == i, min(max(energy, low), high), next_kind))
    return out

"""The model names of all documentation eras and their limits (``suno-api.md`` §1.7), as data.

Where eras disagree the more permissive limit is used, so every documented client is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    eras: str  # documentation eras the name appears in: "A", "B", "C"
    label: str  # the modelName reported in results
    lyrics_max: int  # custom-mode prompt / lyrics, characters
    idea_max: int  # non-custom prompt, characters
    style_max: int
    title_max: int
    max_duration_s: float
    upload_max_s: float = 480.0
    """Longest ``uploadUrl`` audio the audio-in endpoints take for this model, in seconds (§1.7: 8 minutes,
    1 minute for ``V4_5ALL``); ``uploads.max_audio_s`` caps it further."""


MODELS: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        ModelSpec("V3_5", "A", "chirp-v3-5", 3000, 500, 200, 80, 240),
        ModelSpec("V4", "ABC", "chirp-v4", 3000, 500, 200, 80, 240),
        ModelSpec("V4_5", "ABC", "chirp-v4-5", 5000, 500, 1000, 100, 480),
        ModelSpec("V4_5PLUS", "ABC", "chirp-bluejay", 5000, 500, 1000, 100, 480),
        ModelSpec("V4_5ALL", "BC", "chirp-auk", 5000, 500, 1000, 80, 480, upload_max_s=60),
        ModelSpec("V5", "ABC", "chirp-crow", 5000, 500, 1000, 100, 480),
        ModelSpec("V5_5", "BC", "chirp-fenix", 5000, 3000, 1000, 80, 480),
        ModelSpec("V6", "C", "chirp-v6", 5000, 3000, 1000, 80, 480),
        ModelSpec("V6_WILD", "C", "chirp-v6-wild", 5000, 3000, 1000, 80, 480),
        ModelSpec("V6_MINI", "C", "chirp-v6-mini", 5000, 3000, 1000, 80, 480),
    )
}

ERA_C_ONLY = {"V6", "V6_WILD", "V6_MINI"}
DURATION_MODELS = {"V5_5", "V6", "V6_WILD", "V6_MINI"}


def model_name(model: str) -> str:
    spec = MODELS.get(model)
    return spec.label if spec else model.lower()

import pytest

from tunesmith.music.styles import Controls


def test_defaults_and_clamping() -> None:
    assert Controls.of(None, None) == Controls()
    assert Controls.of(2.0, -1.0) == Controls(1.0, 0.0)


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_tempo_window_narrows_with_style_weight(weight: float) -> None:
    low, high = Controls(weight, 0.3).tempo_window(100, 140)
    assert (low + high) / 2 == 120
    assert high - low == pytest.approx(40 * (1.5 - weight))


def test_weirdness_formulas() -> None:
    tame, wild = Controls(0.65, 0.0), Controls(0.65, 1.0)
    assert tame.substitution_probability == 0 and wild.substitution_probability == pytest.approx(0.4)
    assert tame.dotted_probability < wild.dotted_probability
    assert tame.span_change < 0 < wild.span_change
    assert not tame.adds_break and wild.adds_break and wild.adds_bridge
    assert Controls(1.0, 0.3).first_choice_probability == 1.0
    assert Controls(1.0, 0.3).section_specific_loops and Controls(0.1, 0.3).fallback_loops

"""The master bus as one common gain: glue compression, loudness normalisation and a true-peak limiter.

Every stage is computed as a gain curve from the pre-master mix and the curves are multiplied, so
``mastered = gain × premaster`` sample for sample. Applying the same curve to each pre-master stem gives
mastered stems that still sum to the mastered mix — the property that lets a user's downloaded stems
recombine into the song. :func:`plan_master` fixes the bus's settings for a song, :func:`master_curve`
turns them into the curve, and :class:`StreamingMaster` applies them piece by piece to a mix still being
made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.limiter import Gain, apply_gain, compressor_gain, gain_for_peaks
from tunesmith.dsp.loudness import integrated_from_power, k_weighted_power, oversampled_peaks, true_peak_dbtp
from tunesmith.dsp.types import Audio, db_to_gain

REFERENCE_LUFS = -20.0  # the bus compressor always sees the mix at this loudness, whatever came in
TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
LUFS_TOLERANCE = 0.1
MAX_PASSES = 6
_AIM_MARGIN_DB = 0.2  # the limiter aims a little under the ceiling; the measured result is then checked
FOLLOW_MAX_DB = 1.5
"""The most :class:`StreamingMaster`'s follower moves the plan's make-up gain, either way."""
FOLLOW_CATCH_UP_DB = 0.5
"""The most of that correction spent making up for the part already out (the rest matches the plan's
miss going forward): near the end little song is left to make up with."""
FOLLOW_RATE_DB_S = 0.25
"""How fast the follower's correction may move, in dB per second of audio (0.5 dB over a 2 s piece)."""
FOLLOW_AFTER_S = 3.0
"""Seconds of audio mastered before the follower acts (the ratio is noise before that)."""
EXPECTED_HOP_S = 0.01
"""Resolution (s) of a plan's expected loudness profile (:attr:`MasterPlan.expected`)."""
GLUE = {"threshold_db": -18.0, "ratio": 2.0, "attack_ms": 30.0, "release_ms": 250.0}
"""Gentle 2:1 glue compression; the slow attack lets transients through. The threshold (dBFS RMS over
10 ms) assumes the mix arrives at :data:`REFERENCE_LUFS`, where it takes roughly 1–2 dB off a pop mix."""


def bus_compress_gain(mix: Audio, sample_rate: int) -> Gain:
    """The glue compressor's gain curve (samples,) for ``mix`` (channels, n) at about REFERENCE_LUFS."""
    return compressor_gain(mix, sample_rate, **GLUE)


@dataclass(frozen=True, slots=True)
class MasterPlan:
    """The master bus's settings for one song: ``staging`` (linear) brings the mix to REFERENCE_LUFS
    before the glue compressor, ``gain_db`` is the make-up gain after it and ``aim_dbtp`` the limiter's
    aim. The curve follows from them and the signal (:func:`master_curve`). ``expected`` is what the
    plan predicts will come out: the cumulative K-weighted energy of the mastered mix it was planned on,
    at every :data:`EXPECTED_HOP_S` (``expected[k]``: samples ``[0, k·hop)``), which the streaming master
    compares the real output with."""

    staging: float
    gain_db: float
    aim_dbtp: float
    expected: npt.NDArray[np.float64] | None = field(default=None, compare=False, repr=False)


def plan_master(
    mix: Audio, sample_rate: int, *, target_lufs: float = TARGET_LUFS, ceiling_dbtp: float = CEILING_DBTP
) -> MasterPlan | None:
    """The :class:`MasterPlan` that brings ``mix`` (channels, n) to ``target_lufs`` under ``ceiling_dbtp``
    (``None`` for silence).

    Limiting lowers loudness, so make-up gain and limiting are iterated until the loudness lands within
    ±0.1 LU or the passes run out (very peaky material cannot reach the target under the ceiling). The
    loudness of ``mix × curve`` is read from the K-weighted power of ``mix`` times ``curve²``: the curve
    moves slowly next to the K-weighting filters, so this agrees with filtering ``mix × curve`` anew to a
    few hundredths of a LU, at a fraction of the cost.
    """
    power = k_weighted_power(mix, sample_rate)
    incoming = integrated_from_power(power, sample_rate)
    if not np.isfinite(incoming):
        return None
    staging = db_to_gain(REFERENCE_LUFS - incoming)
    glue = _glue(mix, sample_rate, staging)
    peaks = oversampled_peaks(apply_gain(mix, glue))
    gain_db = target_lufs - integrated_from_power(power * np.square(glue, dtype=np.float64), sample_rate)
    aim, previous_error = ceiling_dbtp - _AIM_MARGIN_DB, float("inf")
    for _ in range(MAX_PASSES):
        curve = _curve(glue, peaks, sample_rate, gain_db, aim)
        error = target_lufs - integrated_from_power(power * np.square(curve, dtype=np.float64), sample_rate)
        if abs(error) <= LUFS_TOLERANCE or abs(error) > 0.5 * abs(previous_error):
            break  # on target, or the limiter is eating the extra gain: more passes will not help
        gain_db, previous_error = gain_db + error, error
    else:  # the last pass moved the gain: the curve of the returned plan is not computed yet
        curve = _curve(glue, peaks, sample_rate, gain_db, aim)
    hop = _expected_hop(sample_rate)
    per_hop = np.add.reduceat(power * np.square(curve, dtype=np.float64), np.arange(0, power.size, hop))
    expected = np.concatenate([[0.0], np.cumsum(per_hop)])  # the last entry is the whole song's energy
    return MasterPlan(staging, gain_db, aim, expected)


def master_curve(
    mix: Audio,
    sample_rate: int,
    plan: MasterPlan,
    *,
    ceiling_dbtp: float = CEILING_DBTP,
    offset_db: npt.NDArray[np.float32] | None = None,
) -> Gain:
    """The gain curve (n,) of ``plan`` for ``mix`` (channels, n): glue × make-up × limiter, re-aimed lower
    until the measured true peak obeys ``ceiling_dbtp`` (4× oversampling). ``offset_db`` (n,) moves the
    make-up gain sample by sample, before the limiter (so the ceiling still holds)."""
    glue = _glue(mix, sample_rate, plan.staging)
    peaks = oversampled_peaks(apply_gain(mix, glue))
    aim = plan.aim_dbtp
    makeup = plan.gain_db if offset_db is None else plan.gain_db + offset_db
    curve = _curve(glue, peaks, sample_rate, makeup, aim)
    for _ in range(MAX_PASSES):
        excess = true_peak_dbtp(apply_gain(mix, curve), sample_rate) - ceiling_dbtp
        if excess <= 0.0:
            return curve
        aim -= excess + 0.05
        curve = _curve(glue, peaks, sample_rate, makeup, aim)
    excess = true_peak_dbtp(apply_gain(mix, curve), sample_rate) - ceiling_dbtp
    return curve if excess <= 0.0 else np.asarray(curve * np.float32(db_to_gain(-excess - 0.01)), np.float32)


def master_gain(
    mix: Audio, sample_rate: int, *, target_lufs: float = TARGET_LUFS, ceiling_dbtp: float = CEILING_DBTP
) -> Gain:
    """The master bus of ``mix`` (channels, n) as one linear gain curve (n,).

    ``mix × curve`` reads ``target_lufs`` integrated with a true peak ≤ ``ceiling_dbtp``. Silent input
    gets unity gain.
    """
    plan = plan_master(mix, sample_rate, target_lufs=target_lufs, ceiling_dbtp=ceiling_dbtp)
    if plan is None:
        return np.ones(mix.shape[1], dtype=np.float32)
    return master_curve(mix, sample_rate, plan, ceiling_dbtp=ceiling_dbtp)


class StreamingMaster:
    """The master bus applied piece by piece to a mix that is still being made.

    The gain for samples ``[start, stop)`` is computed from the mix around them: :data:`CONTEXT_S` before
    (the glue compressor's memory) and :data:`LOOKAHEAD_S` after (its RMS window and the limiter's
    look-ahead), so the mix must exist up to ``stop + LOOKAHEAD_S`` (or its end). The true-peak
    ceiling is checked on every piece and the limiter re-aimed there if needed.

    A plan made on a stand-in for the mix (:mod:`~tunesmith.dsp.progressive` plans on a proxy whose vocal
    is noise) can miss: a voice is peakier than noise, the limiter takes more from it than planned and
    the song lands under its target. With ``follow`` (and a plan that carries its ``expected`` output)
    the master compares the K-weighted energy it has put out so far with what the plan expected for the
    same samples and moves the make-up gain so that the rest of the song makes up what the plan missed
    (:meth:`_target_db`) — at most :data:`FOLLOW_MAX_DB`, at :data:`FOLLOW_RATE_DB_S`, ramped inside each
    piece, from :data:`FOLLOW_AFTER_S` on. Pieces must then come in order, each starting where the last
    one stopped.
    """

    CONTEXT_S = 1.5
    LOOKAHEAD_S = 0.05

    def __init__(
        self, plan: MasterPlan | None, sample_rate: int, *, ceiling_dbtp: float = CEILING_DBTP, follow: bool = True
    ) -> None:
        self.plan, self.sample_rate, self.ceiling_dbtp = plan, sample_rate, ceiling_dbtp
        self.context = int(self.CONTEXT_S * sample_rate)
        self.lookahead = int(self.LOOKAHEAD_S * sample_rate)
        self.follow = follow and plan is not None and plan.expected is not None
        self.correction_db = 0.0  # the follower's current make-up correction
        self._done = 0  # samples mastered so far (with follow)
        self._energy = 0.0  # their K-weighted energy
        self._uncorrected = 0.0  # the same without the follower's correction

    def gain(self, mix: Audio, start: int, stop: int) -> Gain:
        """Gain (stop − start,) for ``mix[:, start:stop]``; ``mix`` holds the song so far (see above)."""
        if self.plan is None:
            return np.ones(stop - start, dtype=np.float32)
        lo, hi = max(0, start - self.context), min(mix.shape[1], stop + self.lookahead)
        window = mix[:, lo:hi]
        if not self.follow:
            curve = master_curve(window, self.sample_rate, self.plan, ceiling_dbtp=self.ceiling_dbtp)
            return np.ascontiguousarray(curve[start - lo : stop - lo])
        if start != self._done:
            raise ValueError(f"a following master takes its pieces in order: expected {self._done}, got {start}")
        offset = self._offset(start - lo, stop - start, hi - stop)
        curve = master_curve(window, self.sample_rate, self.plan, ceiling_dbtp=self.ceiling_dbtp, offset_db=offset)
        out = k_weighted_power(apply_gain(window, curve), self.sample_rate)[start - lo : stop - lo]
        self._energy += float(out.sum(dtype=np.float64))
        correction = np.power(10.0, -offset[start - lo : stop - lo].astype(np.float64) / 10.0)
        self._uncorrected += float(np.dot(out, correction))
        self._done = stop
        return np.ascontiguousarray(curve[start - lo : stop - lo])

    def _offset(self, before: int, length: int, after: int) -> npt.NDArray[np.float32]:
        """The make-up correction (dB) over a window: the last correction over the context, a ramp to the
        new one over the piece, the new one over the look-ahead."""
        previous, target = self.correction_db, self._target_db()
        step = FOLLOW_RATE_DB_S * length / self.sample_rate
        self.correction_db = previous + float(np.clip(target - previous, -step, step))
        ramp = np.linspace(previous, self.correction_db, length, endpoint=False, dtype=np.float32)
        now = np.float32(self.correction_db)
        return np.concatenate([np.full(before, previous, np.float32), ramp, np.full(after, now, np.float32)])

    def _target_db(self) -> float:
        """The make-up correction (dB) that brings the whole song's output energy to what the plan expects,
        if the rest of the song misses the plan as the part so far did (the miss measured on the output
        with this follower's own correction taken out)."""
        assert self.plan is not None and self.plan.expected is not None
        if self._done < FOLLOW_AFTER_S * self.sample_rate or self._uncorrected <= 0.0:
            return self.correction_db
        hop, expected = _expected_hop(self.sample_rate), self.plan.expected
        position = min(self._done / hop, expected.size - 1.0)
        planned, total = float(np.interp(position, np.arange(expected.size), expected)), float(expected[-1])
        remaining = total - planned
        if planned <= 0.0 or remaining <= 0.0:
            return self.correction_db
        bias_db = 10.0 * np.log10(planned / self._uncorrected)
        catch_up = (total - self._energy) / remaining  # > 1: the rest must be louder than planned to make up
        catch_up_db = 10.0 * np.log10(catch_up) if catch_up > 0 else -FOLLOW_CATCH_UP_DB
        target = bias_db + np.clip(catch_up_db, -FOLLOW_CATCH_UP_DB, FOLLOW_CATCH_UP_DB)
        return float(np.clip(target, -FOLLOW_MAX_DB, FOLLOW_MAX_DB))


def _expected_hop(sample_rate: int) -> int:
    return max(1, int(round(EXPECTED_HOP_S * sample_rate)))


def _glue(mix: Audio, sample_rate: int, staging: float) -> Gain:
    """The glue compressor's curve for ``mix`` staged by ``staging``, times ``staging``."""
    staged = apply_gain(mix, np.full(mix.shape[1], staging, np.float32))
    return bus_compress_gain(staged, sample_rate) * np.float32(staging)


def master(
    mix: Audio, sample_rate: int, *, target_lufs: float = TARGET_LUFS, ceiling_dbtp: float = CEILING_DBTP
) -> Audio:
    """Master ``mix`` (channels, n) float32: ``mix ×`` :func:`master_gain`."""
    return apply_gain(mix, master_gain(mix, sample_rate, target_lufs=target_lufs, ceiling_dbtp=ceiling_dbtp))


def _curve(
    glue: Gain,
    peaks: npt.NDArray[np.float32],
    sample_rate: int,
    gain_db: float | npt.NDArray[np.float32],
    aim_dbtp: float,
) -> Gain:
    """Glue × make-up gain (dB, one value or per sample) × limiter gain; the limiter reads the glued
    mix's true-peak envelope."""
    gain = np.asarray(10.0 ** (np.asarray(gain_db, dtype=np.float32) / np.float32(20.0)), dtype=np.float32)
    limiter = gain_for_peaks(peaks * gain, sample_rate, ceiling_dbtp=aim_dbtp)
    return np.asarray(glue * limiter * gain, dtype=np.float32)

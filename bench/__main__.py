"""The benchmarks, each with what it measures and how to run it.

    python -m bench

Read from the modules' own docstrings (nothing is imported or run): a
benchmark is a module of `bench/` that runs as a program and that no other
module of `bench/` runs for it; the others are the helpers the benchmarks
share.  Figures and method: docs/performance.md.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def describe(path: Path) -> tuple[str, str, bool]:
    """(first paragraph of the docstring, how to run it, whether it runs as a program)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    sentence = " ".join(doc.split("\n\n")[0].split())
    runs = any(isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body)
    command = ""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("    ") and "python" in line:
            command = line.strip()
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1].rstrip() + " " + lines[i].strip()
            break
    if runs and not command:
        command = f".venv/bin/python -m bench.{path.stem} --help"
    return sentence, " ".join(command.split()), runs


def run_by_others(modules: list[Path]) -> set[str]:
    """Modules another module starts as a program (``"-m", "bench.NAME"`` in its code)."""
    found = set()
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.update(m for m in re.findall(r"^bench\.(\w+)$", node.value) if m != path.stem)
    return found


def main() -> None:
    modules = [p for p in sorted(BENCH.glob("*.py")) if not p.stem.startswith("__")]
    helpers = run_by_others(modules)
    described = {p.stem: describe(p) for p in modules}
    described = {name: (s, c, runs and name not in helpers) for name, (s, c, runs) in described.items()}
    print("Benchmarks (run on a quiet machine, or under `nice` on a shared one):\n")
    for name, (sentence, command, runs) in described.items():
        if runs:
            print(f"  {name}\n      {sentence}\n      {command}\n")
    print("Helpers they share:\n")
    for name, (sentence, _, runs) in described.items():
        if not runs:
            first = sentence.split(". ")[0].rstrip(".")
            print(f"  {name}: {first}.")
    print("\nFigures and method: docs/performance.md; results as JSON in bench/results/.")


if __name__ == "__main__":
    main()

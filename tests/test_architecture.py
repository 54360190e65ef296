"""The rooms of `search/` import one way (search/__init__.py lists them)."""

from __future__ import annotations

import ast
from pathlib import Path

SEARCH = Path(__file__).resolve().parents[1] / "search"

CORE = {"article", "config", "errors"}
# What each room may import besides itself and the core records.
MAY_IMPORT = {
    "text": set(),
    "models": set(),
    "index": {"text", "models"},
    "ranking": {"text", "models", "index"},
    "features": {"text", "index"},
    "shards": {"text", "models", "index"},
    "cache": set(),
    "searcher": {"text", "models", "index", "ranking", "features", "cache"},
    "serving": {"text", "models", "index", "ranking", "features", "searcher", "cache"},
}


def imports(path: Path) -> set[str]:
    """Top-level packages and `search.X` names a module imports (lazily or not)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; rooms import by full name"
            found.add(node.module)
            if node.module == "search":
                found.update(f"search.{alias.name}" for alias in node.names)
    return found


def room_of(path: Path) -> str:
    parts = path.relative_to(SEARCH).parts
    return parts[0] if len(parts) > 1 else path.stem


def modules():
    return [p for p in SEARCH.rglob("*.py") if p.name != "__init__.py" or p.parent != SEARCH]


def test_rooms_import_one_way():
    wrong = []
    for path in modules():
        room = room_of(path)
        for name in imports(path):
            if not name.startswith("search."):
                continue
            target = name.split(".")[1]
            if target in CORE or target == room:
                continue
            if target not in MAY_IMPORT.get(room, set()):
                wrong.append(f"{path.relative_to(SEARCH)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_core_records_import_nothing_of_search():
    for name in CORE:
        assert not {i for i in imports(SEARCH / f"{name}.py") if i.startswith("search")}


def test_search_never_imports_the_layers_above_it():
    above = {"indexer", "web", "newsearch", "flask"}
    wrong = [f"{p.relative_to(SEARCH)} imports {name}" for p in SEARCH.rglob("*.py")
             for name in imports(p) if name.split(".")[0] in above]
    assert not wrong, "\n".join(wrong)


def test_a_few_modules_at_the_top():
    top = [p.name for p in SEARCH.glob("*.py")]
    assert len(top) <= 8, top
    for package in SEARCH.iterdir():
        if package.is_dir() and package.name != "__pycache__":
            assert ast.get_docstring(ast.parse((package / "__init__.py").read_text())), package

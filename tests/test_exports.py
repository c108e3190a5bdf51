"""Every module's ``__all__`` is true: it lists what the module defines and what others take.

Read from the source, without importing anything: a module of kmsmock that
imports a name from another module of kmsmock must find it in that module's
``__all__`` (or import a submodule), and every name an ``__all__`` lists must
be defined or imported there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kmsmock"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))


def _exports(module: str) -> list[str] | None:
    for node in _tree(module).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                assert node.value is not None
                value = ast.literal_eval(node.value)
                assert isinstance(value, list)
                return value
    return None


def _defined(module: str) -> set[str]:
    """Names bound at the top level of a module (definitions, assignments, imports)."""
    names: set[str] = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _resolve(module: str, node: ast.ImportFrom) -> str | None:
    """The kmsmock module an ``from ... import`` reads from, or None for another package."""
    if node.level == 0:
        return node.module if (node.module or "").startswith("kmsmock") else None
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports() -> list[tuple[str, str, str]]:
    """(importing module, imported module, name) for every import between kmsmock modules."""
    found = []
    for module in MODULES:
        for node in ast.walk(_tree(module)):
            if isinstance(node, ast.ImportFrom):
                source = _resolve(module, node)
                if source is not None:
                    found += [(module, source, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_lists_what_it_exports(module: str) -> None:
    exports = _exports(module)
    if MODULES[module].name == "__init__.py" and module != "kmsmock" and exports is None:
        return  # a package that only holds modules
    assert exports is not None, f"{module} has no __all__"
    assert len(exports) == len(set(exports)), f"{module}.__all__ lists a name twice"
    missing = set(exports) - _defined(module)
    assert not missing, f"{module}.__all__ lists names it does not define: {sorted(missing)}"


def test_every_imported_name_is_exported() -> None:
    wrong = []
    for importer, source, name in _imports():
        if f"{source}.{name}" in MODULES:
            continue  # a submodule
        assert source in MODULES, f"{importer} imports from {source}, which does not exist"
        exports = _exports(source) or []
        if name not in exports:
            wrong.append(f"{importer} imports {name} from {source}, whose __all__ leaves it out")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_the_imports() -> None:
    # The test above is only as good as its reading of the source: it must find
    # imports of all three kinds (absolute, relative, from a package).
    imports = set(_imports())
    assert ("kmsmock.activation", "kmsmock.transport.base", "Transport") in imports
    assert ("kmsmock.domain.backing", "kmsmock.domain.backing", "cloudhsm") in imports


def _undocumented(module: str) -> list[str]:
    """Names a module exports, and public methods of the classes it exports, with no docstring.

    A constant counts as documented by the string right after its assignment,
    which is where mkdocstrings and the editor read it from, or after the run
    of assignments it belongs to (a group of names documented together).
    """
    tree = _tree(module)
    exports = set(_exports(module) or [])

    def second_definition(node: ast.AST) -> bool:
        """An overload or a property's setter: documented by its first definition."""
        decorators = getattr(node, "decorator_list", [])
        return any(
            (isinstance(d, ast.Name) and d.id == "overload")
            or (isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter", "overload"))
            for d in decorators
        )

    missing = [] if ast.get_docstring(tree) else [module]
    body = tree.body
    for index, node in enumerate(body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name not in exports or second_definition(node):
                continue
            if not ast.get_docstring(node):
                missing.append(f"{module}.{node.name}")
            if isinstance(node, ast.ClassDef):
                missing += [
                    f"{module}.{node.name}.{item.name}"
                    for item in node.body
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and not item.name.startswith("_")
                    and not second_definition(item)
                    and not ast.get_docstring(item)
                ]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name) and t.id in exports]
            end = index + 1
            while end < len(body) and isinstance(body[end], (ast.Assign, ast.AnnAssign)):
                end += 1
            following = body[end] if end < len(body) else None
            documented = (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            )
            if names and not documented:
                missing += [f"{module}.{name}" for name in names]
    return missing


def test_every_public_name_has_a_docstring() -> None:
    missing = [name for module in sorted(MODULES) for name in _undocumented(module)]
    assert not missing, "no docstring: " + ", ".join(missing)

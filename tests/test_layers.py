"""The service layers import one way (issue 14, item 10): service_terms →
service_rules → service_actions → service_changes → provisioning →
domain/orders. A module importing a higher one, or importing inside a
function to dodge a circle, fails here."""

from __future__ import annotations

import ast
import importlib
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAYERS = [
    "domain.service_terms",
    "domain.service_rules",
    "domain.service_actions",
    "domain.service_changes",
    "domain.provisioning",
    "domain.orders",
]


def layer(module: str) -> int | None:
    for index, name in enumerate(LAYERS):
        if module == name or module.startswith(name + "."):
            return index
    return None


def imports_of(path: pathlib.Path):
    """(line, imported module names, inside a function?) of each import."""
    tree = ast.parse(path.read_text())
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(sub) for sub in ast.walk(node) if sub is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        yield node.lineno, names, id(node) in in_function


@pytest.mark.parametrize("module", LAYERS[:-1])
def test_service_layers_import_only_downwards(module):
    path = ROOT / (module.replace(".", "/") + ".py")
    own = layer(module)
    upward = [
        f"{path.name}:{line} {name}"
        for line, names, _ in imports_of(path)
        for name in names
        if (layer(name) or -1) > own
    ]
    lazy = [
        f"{path.name}:{line} {names[0]}"
        for line, names, inside in imports_of(path)
        if inside and any(n.startswith(("domain", "models", "tables")) for n in names)
    ]
    assert upward == [], upward
    assert lazy == [], lazy


def test_each_layer_imports_alone():
    """Importing any layer first (a fresh interpreter each) works: no circle."""
    for module in LAYERS:
        subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, check=True, timeout=60)


def test_the_layer_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from domain import provisioning\n")
    assert [inside for _, _, inside in imports_of(bad)] == [True]
    assert layer("domain.provisioning") > layer("domain.service_terms")
    importlib.import_module("domain.service_terms")


# The background jobs (issue 15, items 4 and 5) follow blueprints/ → web/ →
# domain/ → tables/; worker.py sits on top beside app.py. Each module here
# may not import what it lists.
JOB_LAYERS = {
    "domain.jobs": ("web", "blueprints", "worker", "app", "flask"),
    "domain.report_schedules": ("web", "blueprints", "worker", "app", "flask"),
    "web.jobs": ("blueprints", "worker", "app"),
    "web.schedules": ("blueprints", "worker", "app"),
    "blueprints.myreports": ("worker", "app"),
}


@pytest.mark.parametrize("module", sorted(JOB_LAYERS))
def test_job_modules_import_only_downwards(module):
    path = ROOT / (module.replace(".", "/") + ".py")
    forbidden = JOB_LAYERS[module]
    upward = [
        f"{path.name}:{line} {name}"
        for line, names, _ in imports_of(path)
        for name in names
        if name.split(".")[0] in forbidden
    ]
    assert upward == [], upward

"""The type stubs (omvrpc/_omvrpc.pyi) name what the C extension has: every
public or underscored method and attribute of its types, and its module
functions, exist on both sides."""

import ast
import os

import omvrpc
from omvrpc import _omvrpc

STUBS = os.path.join(os.path.dirname(omvrpc.__file__), "_omvrpc.pyi")


def stub_tree():
    with open(STUBS, encoding="utf-8") as f:
        return ast.parse(f.read())


def members(node):
    names = set()
    for n in node.body:
        if isinstance(n, ast.FunctionDef):
            names.add(n.name)
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            names.add(n.target.id)
    return names


def own_names(cls):
    return {n for n in vars(cls) if not (n.startswith("__") and n.endswith("__"))}


def test_every_class_in_the_stubs_matches_the_extension():
    classes = {n.name: n for n in stub_tree().body if isinstance(n, ast.ClassDef)}
    for name in ("Camera", "Master", "Slave"):
        stubbed = members(classes[name]) - {"__init__", "__enter__", "__exit__"}
        real = own_names(getattr(_omvrpc, name))
        assert stubbed == real, (name, sorted(stubbed ^ real))


def test_module_functions_and_constants_are_stubbed():
    stubbed = members(stub_tree())
    for name in dir(_omvrpc):
        obj = getattr(_omvrpc, name)
        if name.startswith("__") or isinstance(obj, type):
            continue
        assert name in stubbed, name

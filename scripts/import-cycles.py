#!/usr/bin/env python3
"""Fails when a crate's top-level modules import each other in a circle.

The graph: module A depends on module B when a file of A names `crate::B`
(or `super::B` from a top-level file). Circles are the strongly connected
components with more than one module (Tarjan). Usage: import-cycles.py app/src server/src
"""
import re
import sys
from pathlib import Path


def modules(src: Path) -> dict[str, set[str]]:
    """Top-level module name -> the top-level modules its files reference."""
    roots = {p.stem for p in src.glob("*.rs")} | {p.name for p in src.iterdir() if p.is_dir()}
    roots -= {"lib", "main"}
    graph: dict[str, set[str]] = {m: set() for m in roots}
    for path in src.rglob("*.rs"):
        rel = path.relative_to(src)
        owner = rel.parts[0].removesuffix(".rs")
        if owner not in graph:
            continue
        text = path.read_text()
        # Only code outside `#[cfg(test)] mod tests`: tests may reach anywhere.
        text = text.split("#[cfg(test)]\nmod tests")[0]
        # Comments (doc links included) are not imports.
        text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
        used = set(re.findall(r"\bcrate::(\w+)", text))
        for group in re.findall(r"\bcrate::\{([^}]*)\}", text):
            used |= set(re.findall(r"(?:^|,)\s*(\w+)", group))
        if len(rel.parts) == 1:
            used |= set(re.findall(r"\bsuper::(\w+)", text))
        graph[owner] |= {u for u in used if u in graph and u != owner}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main() -> int:
    bad = 0
    for src in map(Path, sys.argv[1:]):
        graph = modules(src)
        edges = sum(len(v) for v in graph.values())
        found = circles(graph)
        for c in found:
            print(f"{src}: import circle: {' <-> '.join(c)}")
        print(f"{src}: {len(graph)} modules, {edges} imports, {len(found)} circles")
        bad += len(found)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

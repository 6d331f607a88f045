"""Weighting trees over arrays: weighted means that renormalise over the children with data."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kinerja.rules.policy import WeightNode

Leaves = Mapping[str, np.ndarray]


def evaluate_tree(
    children: Mapping[str, WeightNode], leaves: Leaves, drop: frozenset[str] = frozenset()
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Value of a node (NaN where no leaf below it has data) and each leaf's effective weight.

    A missing leaf (NaN) or a leaf input in `drop` is taken out and its siblings' weights are
    renormalised at that node, so the rest of the tree keeps its published proportions.
    Effective weights sum to 1 wherever the value is defined.
    """
    parts: list[tuple[float, np.ndarray, dict[str, np.ndarray]]] = []
    for child in children.values():
        if child.input is not None:
            if child.input in drop:
                continue
            value = leaves[child.input]
            eff = {child.input: np.ones_like(value)}
        else:
            value, eff = evaluate_tree(child.children, leaves, drop)
            if not eff:
                continue
        parts.append((child.weight, value, eff))
    if not parts:
        return np.array([]), {}
    size = len(parts[0][1])
    denom = np.zeros(size)
    total = np.zeros(size)
    for weight, value, _ in parts:
        present = ~np.isnan(value)
        denom += weight * present
        total += weight * np.where(present, value, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        node_value = np.where(denom > 0, total / denom, np.nan)
        effective: dict[str, np.ndarray] = {}
        for weight, value, eff in parts:
            share = np.where(denom > 0, weight * ~np.isnan(value) / denom, 0.0)
            for name, w in eff.items():
                effective[name] = effective.get(name, 0.0) + share * w
    return node_value, effective

"""Branches and who sees whom: the force's network over positions, drawn once per run.

Reps sit in branches on a relaxed caveman graph (Watts 1999): mostly within their branch, a few
ties across. `offender_clustering` measures how far a set of reps (offenders) clusters on it.
"""

from __future__ import annotations

import itertools
import random

import numpy as np

from simulator.scenario import Network


def branch_network(n: int, spec: Network, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each position's branch and the network as CSR neighbour arrays (indptr, indices) for the kernels."""
    size = min(spec.branch_size, n)
    n_branches = -(-n // size)
    seed = int(rng.integers(2**31 - 1))
    near = relaxed_caveman(n_branches, size, spec.rewiring, seed) if size > 1 else [{} for _ in range(n_branches)]
    branch = np.arange(n) // size
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = []
    for node in range(n):
        colleagues = sorted(other for other in near[node] if other < n)
        indices.extend(colleagues)
        indptr[node + 1] = indptr[node] + len(colleagues)
    return branch, indptr, np.asarray(indices, dtype=np.int64)


def relaxed_caveman(groups: int, size: int, p: float, seed: int) -> list[dict[int, None]]:
    """Each node's neighbours (dicts used as ordered sets) in networkx's `relaxed_caveman_graph(groups,
    size, p, seed)`: cliques of `size`, then each edge, in the order networkx visits them, rewired with
    chance p to a node drawn at random (Fortunato 2010). The same draws from the same `random.Random`
    in the same order, on the same ordered dicts, so the same graph as networkx 3.7 gives
    (tests/test_network.py), without the cost of building and copying a networkx graph (which was
    most of the cost of building a world) and without depending on networkx's version."""
    n = groups * size
    adj: list[dict[int, None]] = [{} for _ in range(n)]
    for start in range(0, n, size):
        for u, v in itertools.combinations(range(start, start + size), 2):
            adj[u][v] = None
            adj[v][u] = None
    draw = random.Random(seed)
    nodes = list(range(n))
    seen: set[int] = set()
    for u in range(n):  # networkx's edge view: each node's neighbours as they stand when it is reached
        for v in list(adj[u]):
            if v in seen or draw.random() >= p:
                continue
            x = draw.choice(nodes)
            if x in adj[u]:
                continue
            del adj[u][v]
            if u != v:
                del adj[v][u]
            adj[u][x] = None
            adj[x][u] = None
        seen.add(u)
    return adj


def offender_clustering(indptr: np.ndarray, indices: np.ndarray, offenders: np.ndarray,
                        rng: np.random.Generator, draws: int = 500) -> float:
    """How much more offenders' colleagues offend than random placement would give: the mean share
    of offenders among offenders' neighbours, over its mean when the same number of offenders is
    placed at random (1 = no clustering)."""
    offenders = np.asarray(offenders, dtype=bool)
    if offenders.sum() < 2:
        return float("nan")
    degree = np.diff(indptr)
    owner = np.repeat(np.arange(len(degree)), degree)

    def mean_share(flags: np.ndarray) -> float:
        hits = np.bincount(owner, weights=flags[indices], minlength=len(degree))
        shares = hits[flags & (degree > 0)] / degree[flags & (degree > 0)]
        return float(shares.mean()) if shares.size else 0.0

    observed = mean_share(offenders)
    placed = np.mean([mean_share(rng.permutation(offenders)) for _ in range(draws)])
    return observed / placed if placed > 0 else float("nan")

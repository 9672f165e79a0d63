"""Branches and who sees whom: the force's network over positions, drawn once per run.

Reps sit in branches on a relaxed caveman graph (Watts 1999): mostly within their branch, a few
ties across. `offender_clustering` measures how far a set of reps (offenders) clusters on it.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from simulator.scenario import Network


def branch_network(n: int, spec: Network, rng: np.random.Generator) -> tuple[nx.Graph, np.ndarray, np.ndarray, np.ndarray]:
    """The force's network over positions, its branch of each position, and CSR neighbour arrays
    (indptr, indices) for the kernels."""
    size = min(spec.branch_size, n)
    n_branches = -(-n // size)
    seed = int(rng.integers(2**31 - 1))
    graph = nx.relaxed_caveman_graph(n_branches, size, spec.rewiring, seed=seed) if size > 1 else nx.empty_graph(n_branches)
    graph = graph.subgraph(range(n)).copy()
    branch = np.arange(n) // size
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = []
    for node in range(n):
        near = sorted(graph.neighbors(node))
        indices.extend(near)
        indptr[node + 1] = indptr[node] + len(near)
    return graph, branch, indptr, np.asarray(indices, dtype=np.int64)


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

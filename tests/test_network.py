"""The force's network: the relaxed caveman graph built without networkx is networkx's own."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simulator.scenario.schema import Network
from simulator.world.network import branch_network, relaxed_caveman


def edges(neighbours: list[dict[int, None]]) -> set[frozenset[int]]:
    return {frozenset((u, v)) for u, near in enumerate(neighbours) for v in near}


@pytest.mark.parametrize(("groups", "size", "p"), [(20, 10, 0.02), (7, 5, 0.3), (4, 6, 0.9), (3, 2, 1.0), (1, 8, 0.5)])
def test_the_graph_is_networkx_relaxed_caveman_graph(groups, size, p):
    """Same edges (self-loops included) as networkx for the same seed, over many seeds; at high
    rewiring chances most edges move, so any difference in the order of draws would show."""
    for seed in range(40):
        theirs = nx.relaxed_caveman_graph(groups, size, p, seed=seed)
        ours = relaxed_caveman(groups, size, p, seed)
        assert edges(ours) == {frozenset(e) for e in theirs.edges()}, (groups, size, p, seed)


def test_branch_network_keeps_the_first_n_positions_and_sorts_each_row():
    """A force that does not fill its last branch keeps the ties among its own positions only; each
    position's colleagues are listed in order, and the ties are mutual."""
    spec = Network(branch_size=10, rewiring=0.3)
    branch, indptr, indices = branch_network(37, spec, np.random.default_rng(5))
    assert np.array_equal(branch, np.arange(37) // 10)
    rows = [indices[indptr[i]:indptr[i + 1]] for i in range(37)]
    assert all(np.all(np.diff(row) > 0) for row in rows)
    assert all(row.max(initial=0) < 37 for row in rows)
    assert all(i in rows[j] for i in range(37) for j in rows[i] if j != i)
    seed = int(np.random.default_rng(5).integers(2**31 - 1))
    full = nx.relaxed_caveman_graph(4, 10, 0.3, seed=seed).subgraph(range(37))
    assert [sorted(full.neighbors(i)) for i in range(37)] == [list(row) for row in rows]

"""The social network, generated straight into edge arrays (no networkx needed).

networkx is imported only to read a graph file or to hand the network to Mesa's
``Network`` space (:func:`to_networkx`); sweeps never touch it.

Generators: small-world (Watts & Strogatz 1998), scale-free (Barabási & Albert 1999),
stochastic block by neighbourhood (Holland, Laskey & Leinhardt 1983) and random
geometric (Penrose 2003); or a GraphML / edge-list file read with networkx. Each tie is
then tagged with its proximities (``000_027160d2fbf9a985.txt``: geographic, institutional,
functional, affective).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from commons_abm.core.errors import InputError
from commons_abm.core.kinds import KINDS
from commons_abm.core.scenario import NetworkSpec, Scenario
from commons_abm.core.state import GEOGRAPHIC, PROXIMITY_NAMES, Ties

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "build_ties",
    "random_geometric_edges",
    "read_graph_file",
    "scale_free_edges",
    "small_world_edges",
    "stochastic_block_edges",
    "tag_proximities",
    "to_networkx",
]

# The proximities drawn tie by tie, in the order of their draws (part of the
# reproducibility promise: append, never reorder); geographic is not drawn.
DRAWN_PROXIMITIES = ("institutional", "functional", "affective")
PROXIMITY_FLAGS = {name: flag for flag, name in PROXIMITY_NAMES.items()}


def small_world_edges(n: int, degree: float, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Watts-Strogatz: a ring where each agent is tied to its ``degree/2`` nearest on each
    side, then each tie's far end is rewired to a uniform random agent with probability
    ``p`` (ties that would duplicate or loop are dropped)."""
    k = max(1, int(round(degree / 2)))
    k = min(k, max(0, (n - 1) // 2))
    if n < 2 or k == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    src = np.repeat(np.arange(n), k)
    dst = (src + np.tile(np.arange(1, k + 1), n)) % n
    rewire = rng.random(src.size) < p
    dst = dst.copy()
    dst[rewire] = rng.integers(0, n, int(rewire.sum()))
    return src, dst


def scale_free_edges(n: int, degree: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Barabási-Albert preferential attachment: each new agent ties to ``m = degree/2``
    existing agents chosen in proportion to their degree."""
    m = max(1, int(round(degree / 2)))
    if n <= m:
        return small_world_edges(n, 2 * m, 0.0, rng)
    src = np.empty((n - m) * m, dtype=np.int64)
    dst = np.empty_like(src)
    # "repeated" holds each endpoint once per tie: sampling from it is degree-proportional.
    repeated = np.empty(2 * (n - m) * m + m, dtype=np.int64)
    repeated[:m] = np.arange(m)
    filled = m
    draws = rng.random(((n - m), 4 * m))
    for t in range(m, n):
        row = draws[t - m]
        picks = repeated[(row * filled).astype(np.int64)]
        targets = np.unique(picks)[:m]
        if targets.size < m:  # rare: too few distinct picks, complete with uniform ones
            extra = rng.choice(np.setdiff1d(np.arange(t), targets), m - targets.size, replace=False)
            targets = np.concatenate([targets, extra])
        j = (t - m) * m
        src[j : j + m] = t
        dst[j : j + m] = targets
        repeated[filled : filled + m] = targets
        repeated[filled + m : filled + 2 * m] = t
        filled += 2 * m
    return src, dst


def stochastic_block_edges(
    blocks: np.ndarray, degree: float, within_share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Stochastic block model by neighbourhood: an expected ``within_share`` of ties join
    agents of the same block, the rest join agents of different blocks."""
    n = blocks.size
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    total = degree * n / 2
    sizes = np.bincount(blocks)
    pairs_within = float((sizes * (sizes - 1) / 2).sum())
    pairs_between = n * (n - 1) / 2 - pairs_within
    if pairs_between == 0:
        within_share = 1.0
    srcs, dsts = [], []
    order = np.argsort(blocks, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    # within-block ties
    p_in = min(1.0, within_share * total / pairs_within) if pairs_within else 0.0
    for b, size in enumerate(sizes):
        if size < 2 or p_in == 0:
            continue
        members = order[starts[b] : starts[b + 1]]
        s, d = _random_pairs(size, p_in, rng)
        srcs.append(members[s])
        dsts.append(members[d])
    # between-block ties: sample uniformly among all pairs and keep cross-block ones
    p_out = min(1.0, (1 - within_share) * total / pairs_between) if pairs_between else 0.0
    if p_out > 0:
        s, d = _random_pairs(n, p_out * (n * (n - 1) / 2) / pairs_between, rng)
        cross = blocks[s] != blocks[d]
        srcs.append(s[cross])
        dsts.append(d[cross])
    if not srcs:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(srcs), np.concatenate(dsts)


def _random_pairs(n: int, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """An Erdős-Rényi G(n, p) edge list: the number of ties is binomial, each tie a
    uniform pair of distinct agents (duplicates are dropped later)."""
    p = min(1.0, max(0.0, p))
    pairs = n * (n - 1) // 2
    m = rng.binomial(pairs, p)
    if m == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if p > 0.3:  # dense: enumerate all pairs
        i, j = np.triu_indices(n, 1)
        keep = rng.random(i.size) < p
        return i[keep].astype(np.int64), j[keep].astype(np.int64)
    s = rng.integers(0, n, m)
    d = rng.integers(0, n - 1, m)
    d = d + (d >= s)  # distinct from s
    return s, d


def random_geometric_edges(position: np.ndarray, degree: float) -> tuple[np.ndarray, np.ndarray]:
    """Random geometric graph: agents closer than ``r`` are tied, with ``r`` set so that the
    expected degree in the unit square is ``degree`` (``pi r^2 n = degree``)."""
    n = position.shape[0]
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    r = np.sqrt(degree / (np.pi * max(n - 1, 1)))
    pairs = cKDTree(position).query_pairs(r, output_type="ndarray")
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)


def read_graph_file(
    path: Path, n: int, source: str | Path, field: str = "network.file"
) -> tuple[np.ndarray, np.ndarray]:
    """Read a GraphML or edge-list file; its nodes, in sorted order, become agents 0..n-1."""
    if not path.is_file():
        raise InputError(source, field, f"graph file not found: {path}")
    import networkx as nx

    try:
        if path.suffix.lower() == ".graphml":
            graph = nx.read_graphml(path)
        else:
            graph = nx.read_edgelist(path, comments="#", data=False)
    except Exception as exc:  # networkx raises many kinds for unreadable files
        kind = "GraphML" if path.suffix.lower() == ".graphml" else "edge list ('u v' per line)"
        reason = " ".join(str(exc).split())[:120]
        raise InputError(source, field, f"cannot parse {path.name} as {kind}: {reason}") from None
    if graph.number_of_nodes() != n:
        raise InputError(
            source,
            field,
            f"{path.name} has {graph.number_of_nodes()} nodes; allowed: exactly {n} (households + firms + officials)",
        )
    try:
        nodes = sorted(graph.nodes, key=_node_key)
    except TypeError:
        nodes = sorted(graph.nodes, key=str)
    index = {node: i for i, node in enumerate(nodes)}
    edges = np.array([(index[a], index[b]) for a, b in graph.edges], dtype=np.int64).reshape(-1, 2)
    return edges[:, 0], edges[:, 1]


def _node_key(node: object) -> tuple[int, object]:
    """Sort numeric labels numerically, others as text."""
    try:
        return (0, int(str(node)))
    except ValueError:
        return (1, str(node))


def tag_proximities(
    u: np.ndarray,
    v: np.ndarray,
    kind: np.ndarray,
    neighbourhood: np.ndarray,
    spec: NetworkSpec,
    rng: np.random.Generator,
) -> np.ndarray:
    """Proximity flags of each tie: geographic if both live in the same neighbourhood;
    institutional, functional or affective drawn with the scenario's probabilities for the
    ties where they apply (with an official; with a firm; between households)."""
    prox = np.zeros(u.size, dtype=np.uint8)
    prox[neighbourhood[u] == neighbourhood[v]] |= GEOGRAPHIC
    draws = rng.random((len(DRAWN_PROXIMITIES), u.size))
    ku, kv = kind[u], kind[v]
    for k in KINDS:  # the proximity each kind brings to a tie (core.kinds)
        at_u, at_v = ku == k.code, kv == k.code
        ends = (at_u & at_v) if k.proximity_needs_both else (at_u | at_v)
        row = DRAWN_PROXIMITIES.index(k.proximity)
        prox[ends & (draws[row] < getattr(spec.proximities, k.proximity))] |= PROXIMITY_FLAGS[k.proximity]
    return prox


def build_ties(
    scenario: Scenario,
    kind: np.ndarray,
    neighbourhood: np.ndarray,
    position: np.ndarray,
    rng: np.random.Generator,
    initial_trust: float,
) -> Ties:
    """The scenario's network as :class:`~commons_abm.core.state.Ties`."""
    spec = scenario.network
    n = kind.size
    if spec.generator == "small_world":
        # order agents by neighbourhood so that ring neighbours are mostly local
        order = np.argsort(neighbourhood, kind="stable")
        s, d = small_world_edges(n, spec.average_degree, spec.rewiring_probability, rng)
        u, v = order[s], order[d]
    elif spec.generator == "scale_free":
        u, v = scale_free_edges(n, spec.average_degree, rng)
    elif spec.generator == "stochastic_block":
        u, v = stochastic_block_edges(neighbourhood, spec.average_degree, spec.within_neighbourhood_share, rng)
    elif spec.generator == "random_geometric":
        u, v = random_geometric_edges(position, spec.average_degree)
    else:
        assert spec.file is not None
        u, v = read_graph_file(scenario.resolve(spec.file), n, source=scenario.source)
    ties = Ties.from_edges(n, u, v, initial_trust=initial_trust)
    ties.proximity = tag_proximities(ties.u, ties.v, kind, neighbourhood, spec, rng)
    return ties


def to_networkx(ties: Ties) -> nx.Graph:
    """The network as a networkx graph (nodes 0..n-1, edge attribute ``proximity``)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(ties.n))
    graph.add_edges_from((int(a), int(b), {"proximity": int(p)}) for a, b, p in zip(ties.u, ties.v, ties.proximity))
    return graph

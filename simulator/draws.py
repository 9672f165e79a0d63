"""The kernels' random draws: from the run's one stream, or keyed by rep, day and purpose.

A scenario's `random_draws` chooses how a run's chance events are drawn, both from its seed:

- `stream` (the default): one `numpy.random.Generator`, consumed in the order the day asks.
  Change any parameter and every draw after the first that moved goes to another event: two
  runs with the same seed share the world (demand, network, territories) and little else.
- `keyed`: each draw is a pure function of the run's key, the rep's position, the business day,
  the draw's purpose (a win, a cancellation, an audit ...) and how many draws of that purpose the
  rep has made that day: a counter-based generator in the manner of Random123 (Salmon, Moraes,
  Dror and Shaw 2011), here SplitMix64's mixing function (Steele, Lea and Flood 2014) applied to
  the counter. A rep's luck is then its own: a run whose parameter moved a little keeps each
  rep's wins, losses and audits where they were, so the difference between two runs is the
  parameter's doing, not reshuffled luck (common random numbers: Glasserman and Yao 1992; the
  smoother objective a simulated-moments fit needs, McFadden 1989). It is also what lets runs be
  computed in a stack: no draw depends on another rep's or another run's.

Kernels draw through `uniform`, `poisson`, `binomial` and `exponential`, which take either kind
of generator: with a `Generator` (or its `Stream`, below) they call it exactly as the kernels
always did (the stream mode's numbers are those of earlier versions), with a `Keyed` they hash the
counter.

A run hands its kernels the stream as a `Stream`: the addresses numba reads from a `Generator`,
taken once. Handing over the `Generator` itself costs about 6 us a call (numba types it in Python
and makes three ctypes casts and a reference-counted wrapper every time), against 0.1 us for one
array, and a small force's day makes several such calls. The draws are the same numbers from the
same state: the kernel calls the bit generator's own functions on its own state.
"""

from __future__ import annotations

import ctypes
import math
import weakref
from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

# purposes: each kind of chance event has its own counter, so more draws of one kind (say, more
# deals to decide after more effort) leave every other kind's draws where they were
(LEAD_COUNT, LEAD_DELAY, LEAD_WIN, SEED_COUNT, SEED_DELAY, SEED_WIN, CUSTOMER, CANCEL, CANCEL_DAY, PULL_ACCEPT,
 WALK_AWAY, LOST_MISSOLD, FABRICATE, COMPLAINT_CHANCE, COMPLAINT_DELAY, REPORT_CHANCE, REPORT_DELAY, REFUND, INVESTIGATE, AUDIT,
 AUDIT_CATCH, PAD, PAD_AUDIT, PAD_FOUND, QUIT) = range(25)
PURPOSES = 25

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11), np.uint64(32)
_UNIT = 2.0**-53
POISSON_CHUNK = 100.0  # larger means are drawn as sums of Poisson counts of at most this mean (exp(-mean) stays normal)


class Keyed(NamedTuple):
    """A run's keyed generator: its key, today's business day and each rep's count of draws of each
    purpose today (reset every morning by `start_day`)."""

    key: np.ndarray  # uint64, shape (1,)
    day: np.ndarray  # int64, shape (1,)
    count: np.ndarray  # int64, (reps, PURPOSES)


KEY_CHILD = 2**32 - 1  # the seed sequence's child that gives the key (no other part of a run spawns this one)


def keyed_for(rng: np.random.Generator, n_reps: int) -> Keyed:
    """The keyed generator of the run whose stream is `rng`: its key comes from the stream's seed
    sequence (a child of it no other draw uses), so it is fixed by the seed, and drawing it moves
    nothing in the stream."""
    seq = rng.bit_generator.seed_seq
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, KEY_CHILD))
    return Keyed(child.generate_state(1, np.uint64), np.zeros(1, dtype=np.int64),
                 np.zeros((n_reps, PURPOSES), dtype=np.int64))


class Stream(NamedTuple):
    """A run's `Generator` as its kernels take it (`stream_for`): addresses in this process's memory,
    so the generator is kept alive as long as they are, and a stream cannot be pickled or copied."""

    address: np.ndarray  # uint64: state_address, state, next_uint64, next_uint32, next_double, bit_generator

    def __reduce__(self):
        raise TypeError("a draws.Stream points into this process's memory: pass the Generator and call stream_for")


_PINNED: dict[int, np.random.Generator] = {}  # each live stream's generator, by id of its address array


def stream_for(rng: np.random.Generator) -> Stream:
    """The addresses of `rng`'s bit generator, as numba's own unboxing of a `Generator` reads them
    (`numba.core.boxing.unbox_numpy_random_bitgenerator`). `rng` lives at least as long as they do."""
    c = rng.bit_generator.ctypes

    def pointer(fn) -> int:
        return ctypes.cast(fn, ctypes.c_void_p).value

    address = np.array([c.state_address, c.state.value, pointer(c.next_uint64), pointer(c.next_uint32),
                        pointer(c.next_double), c.bit_generator.value], dtype=np.uint64)
    _PINNED[id(address)] = rng
    weakref.finalize(address, _PINNED.pop, id(address), None)
    return Stream(address)


_GENERATOR = types.NumPyRandomGeneratorType("generator")
_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")


@intrinsic
def _generator(typingctx, address):
    """numba's `Generator` value for the addresses of a `Stream`: the bit generator's fields as its
    unboxing fills them, no Python object behind it (parent and meminfo null: nothing to count)."""

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        field = [builder.load(builder.gep(data, [ir.Constant(ir.IntType(64), i)])) for i in range(6)]
        bits = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)
        bits.parent = cgutils.get_null_value(bits.parent.type)
        (bits.state_address, bits.state, bits.fnptr_next_uint64, bits.fnptr_next_uint32, bits.fnptr_next_double,
         bits.bit_generator) = field
        generator = cgutils.create_struct_proxy(_GENERATOR)(context, builder)
        generator.bit_generator = bits._getvalue()
        generator.meminfo = cgutils.get_null_value(generator.meminfo.type)
        generator.parent = cgutils.get_null_value(generator.parent.type)
        return generator._getvalue()

    return _GENERATOR(address), codegen


def start_day(rng, day: int) -> None:
    """A new business day: a keyed generator's counters start again (a stream goes on)."""
    if isinstance(rng, Keyed):
        rng.day[0] = day
        rng.count[:] = 0


@njit(cache=True)
def _mix(z):
    """SplitMix64's finaliser: a bijection of 64-bit words in which each input bit flips each output
    bit with probability close to 1/2."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def bits(key, rep, day, purpose, n):
    """64 random bits for the n-th draw of `purpose` by rep `rep` on `day` under `key`."""
    stream = _mix(key ^ ((np.uint64(rep) * np.uint64(PURPOSES) + np.uint64(purpose)) * _GOLDEN))
    return _mix(stream ^ _mix((np.uint64(day) << _S32) + np.uint64(n) + _GOLDEN))


@njit(cache=True)
def _next_uniform(g, rep, purpose):
    n = g.count[rep, purpose]
    g.count[rep, purpose] = n + 1
    return float(bits(g.key[0], rep, g.day[0], purpose, n) >> _S11) * _UNIT


@njit(cache=True)
def _keyed_poisson(g, rep, purpose, lam):
    """Poisson(lam) by inversion of one uniform per chunk of mean at most POISSON_CHUNK."""
    total = 0
    while lam > 0.0:
        part = min(lam, POISSON_CHUNK)
        lam -= part
        u = _next_uniform(g, rep, purpose)
        p = math.exp(-part)
        cdf = p
        k = 0
        while u > cdf and p > 0.0:
            k += 1
            p *= part / k
            cdf += p
        total += k
    return total


@njit(cache=True)
def _keyed_binomial(g, rep, purpose, n, w):
    """Binomial(n, w) by inversion of one uniform (one per trial where q^n would underflow)."""
    if n <= 0 or w <= 0.0:
        return 0
    if w >= 1.0:
        return n
    q = 1.0 - w
    p = q**n
    if p < 1e-300:
        hits = 0
        for _ in range(n):
            if _next_uniform(g, rep, purpose) < w:
                hits += 1
        return hits
    u = _next_uniform(g, rep, purpose)
    cdf = p
    k = 0
    while u > cdf and k < n:
        p *= (n - k) / (k + 1) * w / q
        k += 1
        cdf += p
    return k


def uniform(rng, rep, purpose):
    """A uniform draw on [0, 1) (kernels only)."""


def poisson(rng, rep, purpose, lam):
    """A Poisson draw of mean `lam` (kernels only)."""


def binomial(rng, rep, purpose, n, w):
    """A binomial draw of `n` trials at chance `w` (kernels only)."""


def exponential(rng, rep, purpose, scale):
    """An exponential draw of mean `scale` (kernels only)."""


# None of these is inlined at numba's IR level (`inline="always"`): under numba 0.68 an IR-inlined overload
# taking a Generator made the caller lose its writes to arrays it had unpacked from a tuple (the acts'
# ledger in `conduct.oversight.record_act`); tests/test_draws.py keeps that case. LLVM inlines them anyway.


def _stream(rng) -> bool:
    return isinstance(rng, types.NumPyRandomGeneratorType)


def _streamed(rng) -> bool:
    return isinstance(rng, types.BaseNamedTuple) and rng.instance_class is Stream


@overload(uniform, jit_options={"cache": True})
def _uniform(rng, rep, purpose):
    if _stream(rng):
        return lambda rng, rep, purpose: rng.random()
    if _streamed(rng):
        return lambda rng, rep, purpose: _generator(rng.address).random()
    return lambda rng, rep, purpose: _next_uniform(rng, rep, purpose)


@overload(poisson, jit_options={"cache": True})
def _poisson(rng, rep, purpose, lam):
    if _stream(rng):
        return lambda rng, rep, purpose, lam: rng.poisson(lam)
    if _streamed(rng):
        return lambda rng, rep, purpose, lam: _generator(rng.address).poisson(lam)
    return lambda rng, rep, purpose, lam: _keyed_poisson(rng, rep, purpose, lam)


@overload(binomial, jit_options={"cache": True})
def _binomial(rng, rep, purpose, n, w):
    if _stream(rng):
        return lambda rng, rep, purpose, n, w: rng.binomial(n, w)
    if _streamed(rng):
        return lambda rng, rep, purpose, n, w: _generator(rng.address).binomial(n, w)
    return lambda rng, rep, purpose, n, w: _keyed_binomial(rng, rep, purpose, n, w)


@overload(exponential, jit_options={"cache": True})
def _exponential(rng, rep, purpose, scale):
    if _stream(rng):
        return lambda rng, rep, purpose, scale: rng.exponential(scale)
    if _streamed(rng):
        return lambda rng, rep, purpose, scale: _generator(rng.address).exponential(scale)
    return lambda rng, rep, purpose, scale: -scale * math.log1p(-_next_uniform(rng, rep, purpose))


@njit(cache=True)
def _keyed_uniforms(g, purpose, out):
    for i in range(len(out)):
        out[i] = _next_uniform(g, i, purpose)


def uniforms(rng, n: int, purpose: int) -> np.ndarray:
    """One uniform draw per rep (from Python): the stream's next n, or each rep's keyed draw."""
    if isinstance(rng, Keyed):
        out = np.empty(n)
        _keyed_uniforms(rng, purpose, out)
        return out
    return rng.random(n)


def recruits_rng(rng, *labels: int) -> np.random.Generator:
    """The generator of recruits' traits: under keyed draws one of their own, fixed by the run's key
    and the labels (which recruits: the starting force, or the n-th hire of a position); under the
    stream, the stream."""
    if isinstance(rng, Keyed):
        return np.random.default_rng([int(rng.key[0]), *labels])
    return rng

# Counter-based random numbers: a value depends only on (seed, index), never on which thread
# draws it, so parallel code stays reproducible. Every purpose draws from its own stream,
# derived from the model's seed by `stream` (docs/engine.md lists the purposes).

# the purposes of the streams: a sampled layer's, and training's dropout
cdef enum RandomPurpose:
    HASH_FUNCTIONS = 1      # the seeds of the hash families, one per draw of the functions
    TABLE_ORDER = 2         # the order neurons are offered to the buckets, one per build
    SHARED_PADDING = 3      # the step's shared padding neurons
    OWN_PADDING = 4         # a sample's own padding neurons
    DROPOUT = 5             # which last-hidden activations a training step drops

cdef inline unsigned long long mix64(unsigned long long x) noexcept nogil:
    """SplitMix64's finaliser: a strong 64-bit mix of x."""
    x += 0x9E3779B97F4A7C15ULL
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL
    return x ^ (x >> 31)


cdef inline unsigned long long draw(unsigned long long seed, unsigned long long index) noexcept nogil:
    """The index-th 64-bit draw of the stream `seed`."""
    return mix64(seed ^ mix64(index))


cdef inline unsigned long long stream(unsigned long long seed, RandomPurpose purpose) noexcept nogil:
    """The seed of the stream of one purpose: streams of different purposes never share
    draws, and each depends on the model's seed."""
    return draw(mix64(seed) ^ 0xA0761D6478BD642FULL, <unsigned long long> purpose)


cdef inline float uniform_symmetric(unsigned long long seed, unsigned long long index, float bound) noexcept nogil:
    """A float32 uniform on [-bound, bound) from 24 random bits."""
    return (<float> (draw(seed, index) >> 40) * <float> (1.0 / 16777216.0) * 2.0 - 1.0) * bound

"""Hashing kernels of UDTFeaturizer: text rows, whole values and integer codes to indices.

Text rows arrive as one UTF-8 buffer with int64 row offsets. Every row is independent, so
rows are split across OpenMP threads, and each thread writes only its rows' slices: the
output is bit-identical for any thread count. Three passes:

1. count each row's tokens and features (to size the output exactly);
2. write each row's hashed feature indices into its slice, sort them, merge duplicates into
   counts, and optionally scale the row to unit l2 norm;
3. slide the merged rows left to close the gaps, giving the final CSR arrays.

Tokens: maximal runs of word bytes (ASCII letters, digits, every byte >= 0x80 so that
UTF-8 letters stay inside words), where an apostrophe between two word bytes belongs to the
word; ``!`` and ``?`` are tokens of their own; every other byte separates. ASCII letters
are lowercased here; the caller lowercases non-ASCII rows (``str.lower``) before encoding.

Hash: FNV-1a over the (lowercased) bytes, seeded, then SplitMix64's finaliser, which makes
every output bit depend on every input bit. Seeds derive from the random state, the column
and the kind of feature, so the same word in two columns, or a word and a bigram, land on
unrelated indices. A 64-bit hash becomes an index in [0, hash_range) by multiply-shift.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport log, sqrt
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libc.string cimport memmove

from sparsenet.native._random cimport draw, mix64
from sparsenet.native._sorting cimport INSERTION_SORT_MAX, bucket_sort, intro_sort, sort_small

cnp.import_array()

cdef enum:
    # feature kinds of the text kernel; kinds from FIRST_FREE_KIND on belong to the caller
    KIND_WORD = 1
    KIND_UNIGRAM = 2
    KIND_BIGRAM = 3
    KIND_PAIR = 4
    KIND_CHAR = 5
    FIRST_FREE_KIND = 16
    # byte classes of the tokeniser
    SEPARATOR = 0
    WORD_BYTE = 1
    MARK = 2  # '!' and '?': a token each
    # all-pairs rows keep their token hashes on the stack: this bounds all_pairs_max_tokens
    MAX_PAIR_TOKENS = 1024
    MIN_BYTES_PER_THREAD = 1 << 15

cdef uint64_t FNV_OFFSET = 0xCBF29CE484222325ULL
cdef uint64_t FNV_PRIME = 0x100000001B3ULL

cdef uint8_t BYTE_CLASS[256]
cdef uint8_t LOWER[256]


def _fill_byte_tables():
    cdef int b
    for b in range(256):
        LOWER[b] = b + 32 if 65 <= b <= 90 else b
        if 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122 or b >= 128:
            BYTE_CLASS[b] = WORD_BYTE
        elif b == 33 or b == 63:
            BYTE_CLASS[b] = MARK
        else:
            BYTE_CLASS[b] = SEPARATOR


_fill_byte_tables()

MAX_ALL_PAIRS_TOKENS = MAX_PAIR_TOKENS
FIRST_CALLER_KIND = FIRST_FREE_KIND


cdef struct TextSettings:
    uint64_t word_seed, unigram_seed, bigram_seed, pair_seed, char_seed
    uint64_t hash_range
    int word_ngrams
    Py_ssize_t all_pairs_max_tokens
    Py_ssize_t char_min, char_max  # 0, 0: no character n-grams


# ---------------------------------------------------------------- hashing

cdef inline uint64_t kind_seed(uint64_t random_state, Py_ssize_t column, int kind) noexcept nogil:
    """The seed of one kind of feature of one column."""
    return draw(draw(mix64(random_state), <uint64_t> column), <uint64_t> kind)


cdef inline uint64_t hash_lowered(const uint8_t *s, Py_ssize_t n, uint64_t seed) noexcept nogil:
    cdef uint64_t h = seed ^ FNV_OFFSET
    cdef Py_ssize_t p
    for p in range(n):
        h = (h ^ LOWER[s[p]]) * FNV_PRIME
    return mix64(h)


cdef inline uint64_t hash_raw(const uint8_t *s, Py_ssize_t n, uint64_t seed) noexcept nogil:
    cdef uint64_t h = seed ^ FNV_OFFSET
    cdef Py_ssize_t p
    for p in range(n):
        h = (h ^ s[p]) * FNV_PRIME
    return mix64(h)


cdef inline uint64_t ordered_pair(uint64_t first, uint64_t second, uint64_t seed) noexcept nogil:
    # mixing `first` before adding `second` makes (a, b) and (b, a) differ
    return mix64(mix64(first ^ seed) + second)


cdef inline int32_t to_index(uint64_t h, uint64_t hash_range) noexcept nogil:
    # multiply-shift on the top 32 bits: uniform over [0, hash_range) for hash_range < 2**32
    return <int32_t> (((h >> 32) * hash_range) >> 32)


cdef inline Py_ssize_t store(int32_t *out, Py_ssize_t k, Py_ssize_t capacity, int32_t value) noexcept nogil:
    # guarded write: pass 2 can never write past the slice pass 1 sized
    if k < capacity:
        out[k] = value
    return k + 1


# ---------------------------------------------------------------- tokeniser

cdef inline Py_ssize_t next_token(const uint8_t *s, Py_ssize_t n, Py_ssize_t pos,
                                  Py_ssize_t *start) noexcept nogil:
    """End (exclusive) of the first token at or after pos, its start in `start`; -1 if none."""
    while pos < n and BYTE_CLASS[s[pos]] == SEPARATOR:
        pos += 1
    if pos >= n:
        return -1
    start[0] = pos
    if BYTE_CLASS[s[pos]] == MARK:
        return pos + 1
    pos += 1
    while pos < n:
        if BYTE_CLASS[s[pos]] == WORD_BYTE:
            pos += 1
        elif s[pos] == 39 and pos + 1 < n and BYTE_CLASS[s[pos + 1]] == WORD_BYTE:  # 39: '
            pos += 2
        else:
            break
    return pos


cdef inline Py_ssize_t char_gram_count(Py_ssize_t word_length, const TextSettings *cfg) noexcept nogil:
    cdef Py_ssize_t n, total = 0, padded = word_length + 2
    for n in range(cfg.char_min, cfg.char_max + 1):
        if padded >= n:
            total += padded - n + 1
    return total


cdef inline bint uses_all_pairs(int64_t n_tokens, const TextSettings *cfg) noexcept nogil:
    return cfg.word_ngrams == 2 and n_tokens <= cfg.all_pairs_max_tokens


cdef inline uint8_t is_word_byte(uint8_t c) noexcept nogil:
    # the same set as BYTE_CLASS's WORD_BYTE, in arithmetic the compiler can vectorise
    return ((<uint8_t> ((c | 32) - 97) < 26) | (<uint8_t> (c - 48) < 10) | (c >= 128))


cdef inline uint8_t starts_token(uint8_t two_before, uint8_t before, uint8_t c) noexcept nogil:
    return (c == 33) | (c == 63) | (is_word_byte(c) & (
        (is_word_byte(before) | ((before == 39) & is_word_byte(two_before))) ^ 1))


cdef int64_t count_tokens(const uint8_t *s, Py_ssize_t n) noexcept nogil:
    """The number of tokens next_token finds in s, without its branches: a mark starts a
    token; a word byte does unless the byte before it is a word byte, or an apostrophe
    that follows a word byte."""
    cdef int64_t tokens = 0
    cdef Py_ssize_t p
    if n >= 1:
        tokens += starts_token(32, 32, s[0])
    if n >= 2:
        tokens += starts_token(32, s[0], s[1])
    for p in range(2, n):
        tokens += starts_token(s[p - 2], s[p - 1], s[p])
    return tokens


cdef int64_t count_row(const uint8_t *s, Py_ssize_t n, const TextSettings *cfg,
                       int64_t *n_tokens) noexcept nogil:
    """Pass 1: the number of features row s emits (before merging); its tokens in n_tokens."""
    cdef Py_ssize_t pos = 0, start = 0, end
    cdef int64_t tokens = 0, features = 0
    if cfg.char_max == 0:
        tokens = count_tokens(s, n)
    else:  # character n-grams need every word's length: walk the tokens
        while True:
            end = next_token(s, n, pos, &start)
            if end < 0:
                break
            tokens += 1
            if BYTE_CLASS[s[start]] == WORD_BYTE:
                features += char_gram_count(end - start, cfg)
            pos = end
    n_tokens[0] = tokens
    features += tokens
    if uses_all_pairs(tokens, cfg):
        features += tokens * (tokens - 1) // 2
    elif cfg.word_ngrams == 2 and tokens >= 2:
        features += tokens - 1
    return features


cdef Py_ssize_t emit_char_grams(const uint8_t *word, Py_ssize_t length, const TextSettings *cfg,
                                int32_t *out, Py_ssize_t k, Py_ssize_t capacity) noexcept nogil:
    """Character n-grams of the word padded with a space on both ends."""
    cdef Py_ssize_t n, first, p, padded = length + 2
    cdef uint64_t h
    cdef uint8_t byte
    for n in range(cfg.char_min, cfg.char_max + 1):
        for first in range(padded - n + 1):
            h = cfg.char_seed ^ FNV_OFFSET
            for p in range(first, first + n):
                byte = 32 if p == 0 or p == padded - 1 else LOWER[word[p - 1]]
                h = (h ^ byte) * FNV_PRIME
            k = store(out, k, capacity, to_index(mix64(h), cfg.hash_range))
    return k


cdef Py_ssize_t emit_row(const uint8_t *s, Py_ssize_t n, int64_t n_tokens, const TextSettings *cfg,
                         int32_t *out, Py_ssize_t capacity) noexcept nogil:
    """Pass 2: write row s's feature indices to out; returns how many it emitted."""
    cdef uint64_t token_hashes[MAX_PAIR_TOKENS]
    cdef bint all_pairs = uses_all_pairs(n_tokens, cfg)
    cdef bint bigrams = cfg.word_ngrams == 2 and not all_pairs
    cdef Py_ssize_t pos = 0, start = 0, end, k = 0, t = 0, i, j
    cdef uint64_t word, previous = 0
    while True:
        end = next_token(s, n, pos, &start)
        if end < 0:
            break
        word = hash_lowered(s + start, end - start, cfg.word_seed)
        k = store(out, k, capacity, to_index(mix64(word ^ cfg.unigram_seed), cfg.hash_range))
        if all_pairs:
            if t < MAX_PAIR_TOKENS:
                token_hashes[t] = word
        elif bigrams and t > 0:
            k = store(out, k, capacity, to_index(ordered_pair(previous, word, cfg.bigram_seed), cfg.hash_range))
        if cfg.char_max > 0 and BYTE_CLASS[s[start]] == WORD_BYTE:
            k = emit_char_grams(s + start, end - start, cfg, out, k, capacity)
        previous = word
        t += 1
        pos = end
    if all_pairs and t <= MAX_PAIR_TOKENS:
        for i in range(t):
            for j in range(i + 1, t):
                # (smaller, larger): a pair hashes the same in either order
                if token_hashes[i] <= token_hashes[j]:
                    word = ordered_pair(token_hashes[i], token_hashes[j], cfg.pair_seed)
                else:
                    word = ordered_pair(token_hashes[j], token_hashes[i], cfg.pair_seed)
                k = store(out, k, capacity, to_index(word, cfg.hash_range))
    return k


# ---------------------------------------------------------------- merging

cdef Py_ssize_t sort_and_merge(int32_t *indices, float *values, Py_ssize_t n, int range_bits,
                               int32_t *scratch, bint sublinear, bint l2) noexcept nogil:
    """Sort a row's indices, merge repeats into counts (values; 1 + log(count) when
    sublinear), scale to unit l2 norm if asked. Returns the number of distinct indices, now
    at the front of the arrays. scratch holds at least n ints."""
    cdef Py_ssize_t r, run_start = 0, distinct = 0
    cdef const int32_t *ordered = scratch
    cdef double squares = 0.0
    cdef float scale
    if n == 0:
        return 0
    if n <= 2 * INSERTION_SORT_MAX:
        sort_small(indices, n)
        ordered = indices
    else:
        bucket_sort(indices, n, range_bits, scratch)
    for r in range(1, n + 1):
        if r == n or ordered[r] != ordered[run_start]:
            indices[distinct] = ordered[run_start]
            # exact count, rounded once
            values[distinct] = <float> (1.0 + log(<double> (r - run_start)) if sublinear else r - run_start)
            squares += <double> values[distinct] * values[distinct]
            distinct += 1
            run_start = r
    if l2:
        scale = <float> (1.0 / sqrt(squares))
        for r in range(distinct):
            values[r] *= scale
    return distinct


# ---------------------------------------------------------------- Python entry points

cdef void check_offsets(const int64_t[::1] offsets, Py_ssize_t buffer_length) except *:
    cdef Py_ssize_t i
    if offsets.shape[0] < 1 or offsets[0] != 0 or offsets[offsets.shape[0] - 1] != buffer_length:
        raise ValueError("offsets must start at 0 and end at the buffer's length")
    for i in range(offsets.shape[0] - 1):
        if offsets[i + 1] < offsets[i]:
            raise ValueError(f"offsets decrease at row {i}")


cdef void check_hash_range(Py_ssize_t hash_range) except *:
    if not 2 <= hash_range <= 2**31 - 1:
        raise ValueError(f"hash_range must lie in [2, 2**31 - 1], got {hash_range}")


cdef class TextHashing:
    """The settings of the text kernel: what becomes a feature, and where it lands.

    Parameters (keyword-only)
    ----------
    random_state : int
        Seeds the hash functions.
    hash_range : int
        Features are indices in [0, hash_range), 2 <= hash_range <= 2**31 - 1.
    word_ngrams : {1, 2}
        Words only, or words and bigrams.
    all_pairs_max_tokens : int
        Rows of at most this many tokens get every pair of tokens instead of bigrams (0: off).
    char_ngrams : tuple (min_n, max_n) or None
        Byte n-grams of every word, padded with a space on both ends, for min_n <= n <= max_n.
    sublinear : bool
        A token occurring c times in a row weighs 1 + log(c) rather than c.
    """
    cdef readonly uint64_t random_state
    cdef readonly Py_ssize_t hash_range, all_pairs_max_tokens, char_min, char_max
    cdef readonly int word_ngrams
    cdef readonly bint sublinear

    def __cinit__(self, *, uint64_t random_state, Py_ssize_t hash_range, int word_ngrams,
                  Py_ssize_t all_pairs_max_tokens, tuple char_ngrams, bint sublinear):
        check_hash_range(hash_range)
        if word_ngrams not in (1, 2):
            raise ValueError(f"word_ngrams must be 1 or 2, got {word_ngrams}")
        if not 0 <= all_pairs_max_tokens <= MAX_PAIR_TOKENS:
            raise ValueError(f"all_pairs_max_tokens must lie in [0, {MAX_PAIR_TOKENS}], got {all_pairs_max_tokens}")
        char_min, char_max = char_ngrams if char_ngrams is not None else (0, 0)
        if not ((char_min == 0 and char_max == 0) or 1 <= char_min <= char_max):
            raise ValueError(f"character n-gram sizes must satisfy 1 <= min <= max, got ({char_min}, {char_max})")
        self.random_state, self.hash_range, self.word_ngrams = random_state, hash_range, word_ngrams
        self.all_pairs_max_tokens, self.char_min, self.char_max = all_pairs_max_tokens, char_min, char_max
        self.sublinear = sublinear

    cdef TextSettings for_column(self, Py_ssize_t column):
        """The kernel's settings for one column (its seeds are salted by the column)."""
        cdef TextSettings cfg
        cfg.word_seed = kind_seed(self.random_state, column, KIND_WORD)
        cfg.unigram_seed = kind_seed(self.random_state, column, KIND_UNIGRAM)
        cfg.bigram_seed = kind_seed(self.random_state, column, KIND_BIGRAM)
        cfg.pair_seed = kind_seed(self.random_state, column, KIND_PAIR)
        cfg.char_seed = kind_seed(self.random_state, column, KIND_CHAR)
        cfg.hash_range = <uint64_t> self.hash_range
        cfg.word_ngrams = self.word_ngrams
        cfg.all_pairs_max_tokens = self.all_pairs_max_tokens
        cfg.char_min, cfg.char_max = self.char_min, self.char_max
        return cfg


def hash_text_rows(bytes buffer, const int64_t[::1] offsets, TextHashing hashing, Py_ssize_t column,
                   bint l2=False, int n_threads=1):
    """Hashed token counts of text rows as CSR arrays (indptr int64, indices int32, data float32).

    Row i is ``buffer[offsets[i]:offsets[i + 1]]`` (UTF-8; ASCII letters are lowercased
    here), hashed as ``hashing`` says for column ``column``. Each row's indices come out
    sorted and distinct; data holds their counts (1 + log(count) when ``hashing.sublinear``),
    scaled to unit l2 norm when ``l2``.
    """
    check_offsets(offsets, len(buffer))
    cdef TextSettings cfg = hashing.for_column(column)
    cdef Py_ssize_t hash_range = hashing.hash_range
    cdef bint sublinear = hashing.sublinear

    cdef Py_ssize_t n_rows = offsets.shape[0] - 1, i
    # waking a thread costs microseconds (far more on a busy machine): small inputs run on one
    n_threads = max(1, min(n_threads, n_rows, len(buffer) // MIN_BYTES_PER_THREAD))
    cdef const uint8_t *text = <const uint8_t *> (<const char *> buffer)
    cdef const int64_t *row_at = &offsets[0]

    # pass 1: exact sizes; raw_start becomes each row's slice of the raw output
    row_tokens = np.empty(n_rows, dtype=np.int64)
    raw_start = np.empty(n_rows + 1, dtype=np.int64)
    cdef int64_t *tokens_of = <int64_t *> cnp.PyArray_DATA(row_tokens)
    cdef int64_t *raw_at = <int64_t *> cnp.PyArray_DATA(raw_start)
    raw_at[0] = 0
    for i in prange(n_rows, nogil=True, schedule="guided", num_threads=n_threads):
        raw_at[i + 1] = count_row(text + row_at[i], row_at[i + 1] - row_at[i], &cfg, &tokens_of[i])
    cdef int64_t widest = 0
    for i in range(n_rows):
        widest = max(widest, raw_at[i + 1])
        raw_at[i + 1] += raw_at[i]

    # pass 2: hash into each row's slice, then sort, merge and scale within the slice
    indices = np.empty(raw_at[n_rows], dtype=np.int32)
    data = np.empty(raw_at[n_rows], dtype=np.float32)
    indptr = np.empty(n_rows + 1, dtype=np.int64)
    scratch = np.empty(n_threads * widest, dtype=np.int32)  # one row's sorting space per thread
    cdef int32_t *idx = <int32_t *> cnp.PyArray_DATA(indices)
    cdef float *val = <float *> cnp.PyArray_DATA(data)
    cdef int64_t *out_at = <int64_t *> cnp.PyArray_DATA(indptr)
    cdef int32_t *scratch_all = <int32_t *> cnp.PyArray_DATA(scratch)
    cdef int32_t *own_scratch = NULL
    cdef int range_bits = 1
    while (<Py_ssize_t> 1 << range_bits) < hash_range:
        range_bits += 1
    cdef Py_ssize_t capacity, written
    out_at[0] = 0
    with nogil, parallel(num_threads=n_threads):
        own_scratch = scratch_all + threadid() * widest
        for i in prange(n_rows, schedule="guided"):
            capacity = raw_at[i + 1] - raw_at[i]
            written = emit_row(text + row_at[i], row_at[i + 1] - row_at[i], tokens_of[i], &cfg,
                               idx + raw_at[i], capacity)
            if written != capacity:
                out_at[i + 1] = -1
            else:
                out_at[i + 1] = sort_and_merge(idx + raw_at[i], val + raw_at[i], capacity, range_bits,
                                               own_scratch, sublinear, l2)

    # pass 3: slide the merged rows left to close the gaps (row i never moves past its
    # own start, so nothing unread is overwritten), then drop the unused tail
    for i in range(n_rows):
        if out_at[i + 1] < 0:
            raise RuntimeError("internal error: the two passes of the text kernel disagree")
        out_at[i + 1] += out_at[i]
        if out_at[i] != raw_at[i]:
            memmove(idx + out_at[i], idx + raw_at[i], (out_at[i + 1] - out_at[i]) * sizeof(int32_t))
            memmove(val + out_at[i], val + raw_at[i], (out_at[i + 1] - out_at[i]) * sizeof(float))
    # nothing else refers to these fresh arrays: shrinking them in place is safe and cheap
    indices.resize(out_at[n_rows], refcheck=False)
    data.resize(out_at[n_rows], refcheck=False)
    return indptr, indices, data



def hash_whole_values(bytes buffer, const int64_t[::1] offsets, uint64_t random_state,
                      Py_ssize_t column, int kind, Py_ssize_t hash_range):
    """One index per row: the hash of the row's bytes as they are (no tokens, no lowercasing)."""
    check_offsets(offsets, len(buffer))
    check_hash_range(hash_range)
    if kind < FIRST_FREE_KIND:
        raise ValueError(f"kinds below {FIRST_FREE_KIND} belong to the text kernel, got {kind}")
    cdef uint64_t seed = kind_seed(random_state, column, kind)
    cdef Py_ssize_t i, n_rows = offsets.shape[0] - 1
    cdef const uint8_t *text = <const uint8_t *> (<const char *> buffer)
    indices = np.empty(n_rows, dtype=np.int32)
    cdef int32_t[::1] out = indices
    with nogil:
        for i in range(n_rows):
            out[i] = to_index(hash_raw(text + offsets[i], offsets[i + 1] - offsets[i], seed), hash_range)
    return indices


def hash_codes(const int64_t[::1] codes, uint64_t random_state, Py_ssize_t column, int kind,
               Py_ssize_t hash_range):
    """One index per integer code (a numeric bin, a year...), salted by column and kind."""
    check_hash_range(hash_range)
    if kind < FIRST_FREE_KIND:
        raise ValueError(f"kinds below {FIRST_FREE_KIND} belong to the text kernel, got {kind}")
    cdef uint64_t seed = kind_seed(random_state, column, kind)
    cdef Py_ssize_t i
    indices = np.empty(codes.shape[0], dtype=np.int32)
    cdef int32_t[::1] out = indices
    with nogil:
        for i in range(codes.shape[0]):
            out[i] = to_index(mix64(<uint64_t> codes[i] ^ seed), hash_range)
    return indices


def feature_index(str kind, tuple parts, uint64_t random_state, Py_ssize_t column, Py_ssize_t hash_range):
    """The index of one text feature, for tests and debugging.

    kind is "word" (parts: one token), "bigram" (two tokens in order), "pair" (two tokens,
    either order) or "char" (one character n-gram, padding spaces included). Tokens are
    bytes; ASCII letters are lowercased as in the kernel.
    """
    check_hash_range(hash_range)
    cdef bytes first = parts[0], second
    cdef uint64_t a = hash_lowered(<const uint8_t *> (<const char *> first), len(first),
                                   kind_seed(random_state, column, KIND_WORD))
    cdef uint64_t b
    if kind == "word":
        return to_index(mix64(a ^ kind_seed(random_state, column, KIND_UNIGRAM)), hash_range)
    if kind == "char":
        return to_index(hash_lowered(<const uint8_t *> (<const char *> first), len(first),
                                     kind_seed(random_state, column, KIND_CHAR)), hash_range)
    second = parts[1]
    b = hash_lowered(<const uint8_t *> (<const char *> second), len(second),
                     kind_seed(random_state, column, KIND_WORD))
    if kind == "bigram":
        return to_index(ordered_pair(a, b, kind_seed(random_state, column, KIND_BIGRAM)), hash_range)
    if kind == "pair":
        return to_index(ordered_pair(min(a, b), max(a, b), kind_seed(random_state, column, KIND_PAIR)),
                        hash_range)
    raise ValueError(f"unknown feature kind {kind!r}")

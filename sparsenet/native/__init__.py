"""Native primitives every compiled layer stands on: vector kernels (AVX2 and portable),
counter-based random draws, sorting helpers, clocks and OpenMP facts. Private API."""

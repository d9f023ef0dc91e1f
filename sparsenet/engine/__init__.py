"""The Cython engine: networks, their training kernels and OpenMP facts. Private API."""

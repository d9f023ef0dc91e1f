"""Locality-sensitive hash families over dense float vectors (Cython). Private API."""

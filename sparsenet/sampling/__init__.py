"""Which neurons of a layer a sample computes: the sampling plan, the LSH families, the hash
tables over a layer's neurons, and the per-sample active sets with their rebuild schedule.
Private API."""

"""Sampling plans: which layers are sampled, and how their tables are sized."""
from conftest import plan_for
from sparsenet.sampling._plan import auto_output_sparsity


def test_auto_sparsity_is_dense_for_small_layers_then_follows_bolt():
    assert auto_output_sparsity(100) == 1.0 and plan_for(100) is None
    assert auto_output_sparsity(3999) == 1.0
    assert auto_output_sparsity(5000) == 0.02
    assert auto_output_sparsity(15_000) == 0.01
    assert auto_output_sparsity(670_091) == 0.005
    assert plan_for(5000, output_sparsity=1.0) is None


def test_auto_sparsity_keeps_a_floor_of_active_neurons_but_an_explicit_one_is_honoured():
    from sparsenet.sampling._plan import MIN_AUTO_ACTIVE

    # BOLT's share alone: 100 neurons at 20,000 outputs, 250 at 50,000
    assert plan_for(20_000).min_active == MIN_AUTO_ACTIVE
    assert plan_for(50_000).min_active == MIN_AUTO_ACTIVE
    # above the floor the share rules
    assert plan_for(670_091).min_active == 3351
    assert plan_for(20_000, output_sparsity=0.005).min_active == 100
    assert plan_for(20_000, output_sparsity=0.5).min_active == 10_000

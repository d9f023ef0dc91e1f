"""Letter recognition: SparseMLPClassifier against scikit-learn's MLPClassifier.

Same network (16-256-26, ReLU, softmax), Adam, batch 256, 20 epochs, no L2, no early
stopping; first 16,000 rows train, last 4,000 test; three seeds each. Usage:

    python benchmarks/bench_letter.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from _data import load_letter  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402

EPOCHS, SEEDS = 20, (0, 1, 2)
X_train, y_train, X_test, y_test = load_letter()
common = dict(hidden_layer_sizes=(256,), alpha=0.0, batch_size=256, max_iter=EPOCHS,
              early_stopping=False, tol=0.0, n_iter_no_change=EPOCHS + 1)
contenders = {
    "sparsenet SparseMLPClassifier": lambda seed: SparseMLPClassifier(
        **common, learning_rate=1e-3, random_state=seed, n_jobs=args.threads),
    "scikit-learn MLPClassifier": lambda seed: MLPClassifier(
        **common, solver="adam", learning_rate_init=1e-3, random_state=seed),
}
results = {}
for name, make in contenders.items():
    accuracies, seconds = [], []
    for seed in SEEDS:
        model = make(seed)
        with warnings.catch_warnings(), Timer() as timer:
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        assert model.n_iter_ == EPOCHS
        seconds.append(timer.seconds)
        accuracies.append(model.score(X_test, y_test))
        print(f"{name} seed {seed}: accuracy {accuracies[-1]:.4f}, fit {timer.seconds:.2f} s", flush=True)
    results[name] = (np.mean(accuracies), np.std(accuracies), np.median(seconds))

base_acc, _, base_time = results["scikit-learn MLPClassifier"]
rows = [
    [name, f"{acc * 100:.2f} ± {std * 100:.2f}", f"{sec:.2f}", f"{base_time / sec:.2f}x", f"{(acc - base_acc) * 100:+.2f}"]
    for name, (acc, std, sec) in results.items()
]
table = markdown_table(["model", "test accuracy % (mean ± sd, 3 seeds)", "fit s (median)", "speed vs MLPClassifier", "accuracy vs MLPClassifier (points)"], rows)
report("letter", "Letter: 16-256-26 MLP, Adam, batch 256, 20 epochs", f"{machine_line(args.threads)}\n\n{table}")

"""Hashed IMDB reviews: SparseMLPClassifier against PyTorch and scikit-learn's MLPClassifier.

Features: HashingVectorizer(n_features=2**18, ngram_range=(1, 2)), fitted on the 25,000
training reviews, tested on the 25,000 test reviews. Network 262144-256-2, ReLU, softmax,
Adam (lr 1e-3), batch 256, the same Glorot-uniform initialisation and the same number of
epochs for sparsenet and PyTorch. PyTorch runs in its strongest simple form for sparse
input: EmbeddingBag(mode="sum", sparse=True) weighted by the feature values, SparseAdam on
it and Adam on the rest. MLPClassifier is too slow for whole epochs on this input, so its
throughput is timed on a few steady-state batches. Usage:

    python benchmarks/bench_imdb.py [--threads 2] [--epochs 3] [--repeats 3]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

def options(parser):
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="sparsenet fits per thread count (median kept)")


args = parse_args(__doc__, options)

import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.feature_extraction.text import HashingVectorizer  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from _data import load_imdb  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402

HIDDEN, BATCH, LR, N_FEATURES, SEED = 256, 256, 1e-3, 2**18, 0

train_texts, y_train, test_texts, y_test = load_imdb()
vectorizer = HashingVectorizer(n_features=N_FEATURES, ngram_range=(1, 2))
X_train, X_test = vectorizer.transform(train_texts), vectorizer.transform(test_texts)
n_train = X_train.shape[0]
print(f"IMDB hashed: {X_train.shape}, {X_train.nnz / n_train:.0f} nonzeros a row", flush=True)


def fit_sparsenet(threads):
    clf = SparseMLPClassifier(
        hidden_layer_sizes=(HIDDEN,), batch_size=BATCH, learning_rate=LR, alpha=0.0,
        max_iter=args.epochs, early_stopping=False, tol=0.0, random_state=SEED, n_jobs=threads,
    )
    with warnings.catch_warnings(), Timer() as timer:
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    return clf, timer.seconds


def fit_torch(threads):
    import torch

    from _torch_mlp import TorchSparseMLP

    model = TorchSparseMLP(N_FEATURES, HIDDEN, 2, learning_rate=LR, threads=threads, seed=SEED)
    targets = torch.from_numpy(y_train.astype(np.int64))
    rng = np.random.default_rng(SEED)
    with Timer() as timer:
        for _ in range(args.epochs):
            order = rng.permutation(n_train)
            for start in range(0, n_train, BATCH):
                rows = order[start : start + BATCH]
                model.step(X_train[rows], targets[rows])
    with torch.no_grad():
        accuracy = float((model.logits(X_test).argmax(1).numpy() == y_test).mean())
    return accuracy, timer.seconds, torch.__version__


def mlpclassifier_throughput(n_batches=8):
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), batch_size=BATCH, learning_rate_init=LR,
                        alpha=0.0, random_state=SEED)
    rows = np.random.default_rng(SEED).permutation(n_train)[: n_batches * BATCH]
    clf.partial_fit(X_train[rows[:BATCH]], y_train[rows[:BATCH]], classes=[0, 1])  # allocation, not timed
    with Timer() as timer:
        clf.partial_fit(X_train[rows], y_train[rows])
    return len(rows) / timer.seconds


# this machine's timings wander: alternate 1 and N threads and keep medians
timings = {1: [], args.threads: []}
for repeat in range(args.repeats):
    for threads in (args.threads, 1):
        model, seconds = fit_sparsenet(threads)
        timings[threads].append(seconds)
        print(f"sparsenet {threads} thread(s), run {repeat + 1}: {seconds:.1f} s", flush=True)
        if threads == 1:
            sparse_one = model
        else:
            sparse_two = model
seconds_two, seconds_one = np.median(timings[args.threads]), np.median(timings[1])
sparse_accuracy = sparse_two.score(X_test, y_test)
sparse_rate = args.epochs * n_train / seconds_two
identical = np.array_equal(sparse_one.predict_proba(X_test), sparse_two.predict_proba(X_test))
torch_accuracy, torch_seconds, torch_version = fit_torch(args.threads)
torch_rate = args.epochs * n_train / torch_seconds
print(f"PyTorch: {torch_seconds:.1f} s, accuracy {torch_accuracy:.4f}", flush=True)
mlp_rate = mlpclassifier_throughput()
print(f"MLPClassifier: {mlp_rate:.1f} rows/s", flush=True)

rows = [
    [f"sparsenet SparseMLPClassifier ({args.threads} threads)", f"{sparse_rate:,.0f}", f"{seconds_two:.1f}",
     f"{sparse_accuracy * 100:.2f}", "1.00x"],
    ["sparsenet SparseMLPClassifier (1 thread)", f"{args.epochs * n_train / seconds_one:,.0f}", f"{seconds_one:.1f}",
     f"{sparse_one.score(X_test, y_test) * 100:.2f}", f"{seconds_one / seconds_two:.2f}x slower"],
    [f"PyTorch {torch_version} EmbeddingBag(sparse=True) + SparseAdam", f"{torch_rate:,.0f}", f"{torch_seconds:.1f}",
     f"{torch_accuracy * 100:.2f}", f"{sparse_rate / torch_rate:.1f}x slower"],
    ["scikit-learn MLPClassifier (8 batches, steady state)", f"{mlp_rate:,.1f}", "n/a", "n/a",
     f"{sparse_rate / mlp_rate:.0f}x slower"],
]
table = markdown_table(["model", "training rows/s", f"fit s ({args.epochs} epochs; sparsenet: median of {args.repeats})", "test accuracy %", "vs sparsenet"], rows)
notes = (f"{args.threads} threads vs 1 thread (sparsenet, medians): {seconds_one / seconds_two:.2f}x "
         f"(runs: {args.threads} threads {[round(t, 1) for t in timings[args.threads]]} s, "
         f"1 thread {[round(t, 1) for t in timings[1]]} s). "
         f"1-thread and {args.threads}-thread models bit-identical: {identical}.")
report("imdb", f"Hashed IMDB: 262144-256-2 MLP, Adam, batch 256, {args.epochs} epochs",
       f"{machine_line(args.threads)}\n\n{table}\n\n{notes}")

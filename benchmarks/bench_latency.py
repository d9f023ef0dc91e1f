"""Single-row prediction latency: what a service answering one request at a time waits.

Each model is trained on the IMDB training reviews (2 threads), then answers one review at a
time with 1 thread: the test review of median length, ``--calls`` times after a warm-up, in
a process doing nothing else; reported are the median (p50), p99 and p99.9 of the wall time
of each call. Contenders: UDTClassifier (defaults; ``predict([review])`` and
``predict_proba``), TF-IDF (1-2 grams) + LogisticRegression(C=10) in a Pipeline
(``predict([review])``), and fastText (words and bigrams, 5 epochs; ``predict(review)`` on
the lowercased review, as its tokenizer needs) when installed. Also a one-line request
(CLINC150's test request of median length) to UDTClassifier trained on CLINC150, when the
data is there; and one Adult census record (a one-row DataFrame of 14 raw columns) to
UDTClassifier and to HistGradientBoostingClassifier with native categories (bench_tabular.py's
pipeline), both trained on the Adult training rows. Usage:

    python benchmarks/bench_latency.py [--calls 10000]
"""
from _common import machine_line, markdown_table, parse_args, report


def extra_arguments(parser):
    parser.add_argument("--calls", type=int, default=10_000)


args = parse_args(__doc__, extra_arguments)

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import _tabular_peers as peers  # noqa: E402
from _data import DATA_DIR, load_adult, load_imdb  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402

WARM_UP = 200


def median_length_text(texts):
    lengths = np.array([len(text.split()) for text in texts])
    return texts[int(np.argsort(lengths, kind="stable")[len(texts) // 2])]


def latency(call):
    """p50, p99 and p99.9 microseconds of call()."""
    seconds = np.empty(args.calls)
    for _ in range(WARM_UP):
        call()
    for i in range(args.calls):
        started = time.perf_counter()
        call()
        seconds[i] = time.perf_counter() - started
    return [float(np.percentile(seconds * 1e6, q)) for q in (50, 99, 99.9)]


def one_thread(model):
    model.set_params(n_jobs=1)
    model.featurizer_.set_params(n_jobs=1)
    model.classifier_.set_params(n_jobs=1)
    return model


def fasttext_model(texts, labels):
    import fasttext

    def tokens(text):
        return " ".join(re.sub(r"([^\w\s])", r" \1 ", text.lower()).split())

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "train.txt")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(f"__label__{label} {tokens(text)}\n" for text, label in zip(texts, labels))
        model = fasttext.train_supervised(input=path, wordNgrams=2, epoch=5, thread=args.threads, verbose=0, seed=0)
    return model, tokens


rows = []
train_texts, train_labels, test_texts, _ = load_imdb()
review = median_length_text(test_texts)
described = f"IMDB review of median length ({len(review.split())} words)"

udt = UDTClassifier(random_state=0, n_jobs=args.threads).fit(train_texts, train_labels)
one_thread(udt)
rows.append(["UDTClassifier.predict([review])", described, *latency(lambda: udt.predict([review]))])
rows.append(["UDTClassifier.predict_proba([review])", described, *latency(lambda: udt.predict_proba([review]))])

tfidf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(C=10, max_iter=1000))
tfidf.fit(train_texts, train_labels)
with threadpool_limits(1):
    rows.append(["TF-IDF + LogisticRegression Pipeline.predict([review])", described,
                 *latency(lambda: tfidf.predict([review]))])

try:
    fast, tokens = fasttext_model(train_texts, train_labels)
except ImportError:
    print("fastText is not installed: its row is left out")
else:
    prepared = tokens(review)
    rows.append(["fastText predict(review) (tokenized in the call)", described,
                 *latency(lambda: fast.predict(tokens(review)))])
    rows.append(["fastText predict(review) (tokenized before)", described, *latency(lambda: fast.predict(prepared))])

clinc = DATA_DIR / "clinc150" / "data_full.json"
if clinc.exists():
    with open(clinc, encoding="utf-8") as stream:
        splits = json.load(stream)
    request = median_length_text([text for text, _ in splits["test"]])
    intents = UDTClassifier(random_state=0, n_jobs=args.threads).fit(
        [text for text, _ in splits["train"]], [label for _, label in splits["train"]])
    one_thread(intents)
    rows.append(["UDTClassifier.predict([request]), 150 intents", f"CLINC150 request ({len(request.split())} words)",
                 *latency(lambda: intents.predict([request]))])

if (DATA_DIR / "adult").exists():
    X_train, y_train, X_test, _ = load_adult()
    person = X_test.iloc[[0]]  # one census record, 14 raw columns
    described = "Adult census record (one-row DataFrame, 14 columns)"
    census = UDTClassifier(random_state=0, n_jobs=args.threads).fit(X_train, y_train)
    one_thread(census)
    rows.append(["UDTClassifier.predict(record)", described, *latency(lambda: census.predict(person))])
    categorical = [c for c in X_train.columns if not pd.api.types.is_numeric_dtype(X_train[c])]
    columns = peers.Columns(categorical=categorical, numeric=[c for c in X_train.columns if c not in categorical])
    boosting = peers.hist_gradient_boosting(columns, 0, args.threads).fit(X_train, y_train)
    with threadpool_limits(1):
        rows.append(["HistGradientBoosting Pipeline.predict(record) (native categories)", described,
                     *latency(lambda: boosting.predict(person))])

table = [[name, text, f"{p50:.0f}", f"{p99:.0f}", f"{p999:.0f}"] for name, text, p50, p99, p999 in rows]
report("latency", "Single-row prediction latency (bench_latency.py)",
       machine_line(1) + f" for the calls (training on {args.threads}); {args.calls:,} calls each after "
       f"{WARM_UP} warm-up calls\n\n" + markdown_table(["call", "input", "p50 µs", "p99 µs", "p99.9 µs"], table))

"""``python -m sparsenet.demo`` (and the ``sparsenet-demo`` script): the same as
``sparsenet demo``."""
from sparsenet.cli._demo import run_demo


def main():
    """Run the demo: ``sparsenet demo`` (about 40 s on two cores).

    UDTClassifier on the SMS spam messages the package carries, from the raw texts, then
    SparseMLPClassifier on a generated problem of 100,000 labels, its output layer sampled,
    against the same network trained dense. It prints what it does; nothing is downloaded.

    Examples
    --------
    From a shell, ``python -m sparsenet.demo`` or ``sparsenet-demo``; from Python (too long
    to run as a test):

    >>> from sparsenet.demo import main
    >>> main()  # doctest: +SKIP
    sparsenet demo: 2 threads, OpenMP on
    <BLANKLINE>
    1. SMS spam (bundled): 4,180 training and 1,394 test messages, raw texts
    ...
    """
    run_demo()


if __name__ == "__main__":
    main()

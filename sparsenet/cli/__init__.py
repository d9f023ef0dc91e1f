"""The ``sparsenet`` command line (also ``python -m sparsenet``).

``sparsenet demo``, ``sparsenet train DATA -o MODEL``, ``sparsenet predict MODEL DATA``,
``sparsenet evaluate MODEL DATA`` and ``sparsenet info MODEL``; ``--help`` on each. A
mistake in the arguments or the files is one line on stderr and exit status 1 (2 for
misused options), never a traceback (``SPARSENET_TRACEBACK=1`` shows it).
"""
import argparse
import os
import sys

from sparsenet.cli._data_files import FORMATS

DATA_FORMATS_HELP = ("csv, tsv and parquet tables train UDTClassifier (text, categorical, numeric and date "
                     "columns, types inferred); fastText files (__label__ lines) train UDTClassifier on the "
                     "texts, multi-label when a line has several labels; xmc files (Extreme Classification "
                     "Repository format) train SparseMLPClassifier. A name ending in .gz is read compressed.")


def _data_options(parser, *, target_required_help):
    parser.add_argument("--format", choices=FORMATS, help="the data file's format (default: from its name, "
                        "else its first line)")
    parser.add_argument("--target", metavar="COLUMN", help=f"the label column of a table ({target_required_help})")
    parser.add_argument("--label-prefix", default="__label__", help="the label marker of fastText lines "
                        "(default: %(default)s)")


def build_parser():
    """The ``argparse`` parser of the ``sparsenet`` command and its subcommands.

    Returns
    -------
    argparse.ArgumentParser
        ``parse_args`` gives a namespace whose ``command`` names the subcommand.

    Examples
    --------
    >>> from sparsenet.cli import build_parser
    >>> args = build_parser().parse_args(["predict", "cooking.spn", "cooking.valid", "-k", "3"])
    >>> args.command, args.model, args.data, args.k
    ('predict', 'cooking.spn', 'cooking.valid', 3)
    """
    parser = argparse.ArgumentParser(prog="sparsenet", description="Train and use sparse neural networks on "
                                     "the CPU (LSH-sampled layers, scikit-learn estimators).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="the main job on bundled and generated data (under 2 minutes)",
                               description="UDTClassifier on the bundled SMS spam texts, then "
                               "SparseMLPClassifier on a generated 100,000-label problem, sampled and dense.")
    demo.add_argument("--quick", action="store_true", help="one epoch on the extreme problem")

    train = commands.add_parser("train", help="train a model on a data file and save it",
                                description=f"Train a model on DATA and save it to MODEL. {DATA_FORMATS_HELP}")
    train.add_argument("data", metavar="DATA")
    train.add_argument("-o", "--output", metavar="MODEL", required=True, help="where to save the model")
    _data_options(train, target_required_help="required for tables")
    for kind in ("text", "categorical", "numeric", "date"):
        train.add_argument(f"--{kind}-columns", metavar="NAMES", help=f"comma-separated columns to read as {kind} "
                           "(the others are inferred)")
    train.add_argument("--param", metavar="NAME=VALUE", action="append", help="an estimator parameter, VALUE as "
                       "JSON or a string (repeatable), e.g. --param max_iter=5 --param hidden_layer_sizes=[256]")
    train.add_argument("--compact", action="store_true", help="save without the optimiser's state (a third of "
                       "the size, for a model that only predicts; training it again restarts Adam's moments)")
    train.add_argument("-v", "--verbose", action="store_true", help="report every epoch")

    predict = commands.add_parser("predict", help="the top-k labels and scores of every row, as CSV",
                                  description="Write the K most probable labels of each row of DATA and their "
                                  "probabilities as CSV (label_1, score_1, ...), in row order.")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("data", metavar="DATA")
    predict.add_argument("-k", type=int, default=1, help="labels per row (default: %(default)s)")
    predict.add_argument("-o", "--output", metavar="OUT", help="the CSV file to write (default: stdout)")
    _data_options(predict, target_required_help="dropped from the inputs when present")

    evaluate = commands.add_parser("evaluate", help="score a model on labelled data",
                                   description="Accuracy and macro F1 for class labels; P@1/3/5 and nDCG@3/5 "
                                   "for multi-label data.")
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("data", metavar="DATA")
    _data_options(evaluate, target_required_help="default: the one the model was trained with")
    evaluate.add_argument("--json", action="store_true", help="print the results as one JSON object")

    info = commands.add_parser("info", help="what a model file holds, without loading its arrays",
                               description="The estimator, versions, network, labels, training history and "
                               "parameters of a model file.")
    info.add_argument("model", metavar="MODEL")
    info.add_argument("--json", action="store_true", help="print the header as JSON")
    return parser


def main(argv=None):
    """Run the command line, as ``sparsenet ARGUMENTS...`` would.

    A mistake in the arguments or the files prints one line on stderr (a traceback with
    ``SPARSENET_TRACEBACK=1``) and returns 1; misused options exit with status 2, as
    ``argparse`` does.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after ``sparsenet``; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 1 on an error, 130 when interrupted.

    Examples
    --------
    Train on a file of fastText lines, then score the model:

    >>> import os, tempfile
    >>> from sparsenet.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> data, model = os.path.join(folder, "questions.txt"), os.path.join(folder, "questions.spn")
    >>> _ = open(data, "w").write("__label__baking how long to knead dough\\n"
    ...                           "__label__eggs how to poach an egg\\n" * 50)
    >>> main(["train", data, "-o", model, "--param", "random_state=0"])
    trained UDTClassifier on 100 rows (fasttext, 2 labels) in ... s, 10 epochs; saved to .../questions.spn
    0
    >>> main(["evaluate", model, data, "--json"])
    {"rows": 100, "accuracy": 1.0, "macro_F1": 1.0, "seconds": ...}
    0
    >>> main(["info", os.path.join(folder, "missing.spn")])  # the error goes to stderr
    1
    """
    args = build_parser().parse_args(argv)
    from sparsenet.cli import _commands
    from sparsenet.cli._demo import run_demo

    try:
        if args.command == "demo":
            run_demo(quick=args.quick)
        else:
            getattr(_commands, args.command)(args)
    except BrokenPipeError:
        # the reader went away (``| head``): what it wanted was written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"sparsenet {args.command}: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError) as error:
        if os.environ.get("SPARSENET_TRACEBACK"):
            raise
        message = str(error) if not isinstance(error, OSError) or not error.filename else \
            f"{error.filename}: {error.strerror}"
        print(f"sparsenet {args.command}: error: {message}", file=sys.stderr)
        return 1
    return 0


def console_main():
    """Entry point of the ``sparsenet`` console script: :func:`main` on ``sys.argv``.

    Raises
    ------
    SystemExit
        Always, with the exit status of :func:`main`.

    Examples
    --------
    >>> from unittest import mock
    >>> from sparsenet.cli import console_main
    >>> with mock.patch("sys.argv", ["sparsenet", "info", "no-such-model.spn"]):
    ...     console_main()
    Traceback (most recent call last):
        ...
    SystemExit: 1
    """
    sys.exit(main())

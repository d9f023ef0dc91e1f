"""``python -m sparsenet.demo`` (and the ``sparsenet-demo`` script): the same as
``sparsenet demo``."""
from sparsenet.cli._demo import run_demo


def main():
    run_demo()


if __name__ == "__main__":
    main()

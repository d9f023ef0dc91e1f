"""``python -m sparsenet``: the command line."""
from sparsenet.cli import console_main

console_main()

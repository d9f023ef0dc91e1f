"""Where sparsenet looks for data sets on disk."""
import os
from pathlib import Path

DATA_HOME_VARIABLE = "SPARSENET_DATA"


def get_data_home(data_home=None):
    """The folder that holds sparsenet's data sets.

    ``data_home`` when given, else the ``SPARSENET_DATA`` environment variable, else
    ``~/sparsenet_data``. The folder is not created; data set ``name`` lives in the
    subfolder ``name`` (e.g. ``delicious/train.txt``).

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use; ``~`` is expanded.

    Returns
    -------
    pathlib.Path
        The folder (it may not exist yet).

    See Also
    --------
    fetch_ag_news : Downloads into ``get_data_home(data_home) / "ag_news"``.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> from sparsenet.datasets import get_data_home
    >>> get_data_home("/data/sets").as_posix()
    '/data/sets'
    >>> with mock.patch.dict(os.environ, {"SPARSENET_DATA": "/scratch/sparsenet"}):
    ...     (get_data_home() / "delicious" / "train.txt").as_posix()
    '/scratch/sparsenet/delicious/train.txt'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_VARIABLE) or Path("~") / "sparsenet_data"
    return Path(data_home).expanduser()

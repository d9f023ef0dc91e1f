"""Rows of a Table taken and put together: the sample of a table read in parts (a
distributed fit learns the column types and numeric bins from rows of every partition)."""
import numpy as np

from sparsenet.udt._column_types import Table


def table_rows(table, rows):
    """The Table of the rows ``rows`` (positions, in the order given) of ``table``."""
    rows = np.asarray(rows, dtype=np.intp)
    columns = [column[rows] if isinstance(column, np.ndarray) else [column[i] for i in rows]
               for column in table.columns]
    return table._replace(columns=columns, n_rows=len(rows))


def stacked_tables(tables):
    """The rows of ``tables`` (the same columns, by position) one table after the other."""
    first = tables[0]
    widths = {len(table.columns) for table in tables}
    if len(widths) > 1:
        raise ValueError(f"the partitions have different column counts: {sorted(widths)}")
    names = {None if table.names is None else tuple(table.names) for table in tables}
    if len(names) > 1:
        raise ValueError("the partitions' columns have different names: give every partition the same columns")
    columns = []
    for j in range(len(first.columns)):
        parts = [table.columns[j] for table in tables]
        if all(isinstance(part, np.ndarray) for part in parts) and len({part.dtype for part in parts}) == 1:
            columns.append(np.concatenate(parts))
        else:
            # lists, or arrays of different dtypes (a column of ints in one part, floats in
            # another): as one list of values, which the type inference reads as given
            columns.append([value for part in parts for value in part])
    # a type a dtype implies (pandas category) holds when every part's dtype implies it
    dtype_types = [first.dtype_types[j] if all(t.dtype_types[j] == first.dtype_types[j] for t in tables) else None
                   for j in range(len(first.columns))]
    return Table(columns, first.names, sum(table.n_rows for table in tables), dtype_types,
                 all(table.one_column_input for table in tables))

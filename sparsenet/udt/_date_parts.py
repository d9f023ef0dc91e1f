"""The parts of dates that a date column's tokens hash: year, month, weekday, day, week, hour."""
import numpy as np


def date_parts(moments):
    """(rows, parts, timed, hours) of datetime64[s] ``moments``: the rows that hold a date
    (not NaT); their year, month (0-11), weekday (Monday 0), day of month (0-30) and week of
    year (day of year // 7) as int64 arrays, in that order; which of them has a time of day
    other than midnight, and those rows' hours.

    Examples
    --------
    >>> import numpy as np
    >>> rows, parts, timed, hours = date_parts(np.array(["2024-03-04T15:30", "NaT"], dtype="datetime64[s]"))
    >>> rows.tolist(), [int(p[0]) for p in parts], hours.tolist()
    ([0], [54, 2, 0, 3, 9], [15])
    """
    present = ~np.isnat(moments)
    rows, moments = np.flatnonzero(present), moments[present]
    days = moments.astype("datetime64[D]")
    months = moments.astype("datetime64[M]")
    years = moments.astype("datetime64[Y]")
    seconds_of_day = (moments - days).astype(np.int64)
    parts = [
        years.astype(np.int64),
        (months - years).astype(np.int64),
        (days.astype(np.int64) + 3) % 7,  # 1970-01-01 was a Thursday: Monday = 0
        (days - months).astype(np.int64),
        (days - years).astype(np.int64) // 7,
    ]
    timed = seconds_of_day != 0
    return rows, parts, timed, seconds_of_day[timed] // 3600

"""Generated tables with every raw column type UDT reads: text, categorical, numeric, date
and multi-valued cells.

Each row is a customer review of a product. Every column carries part of the label,
through an effect of its own kind:

- ``review`` (text, 4-40 words): words from a 3,000-word vocabulary; 60 of them lean
  towards one class each, the rest are noise;
- ``store`` (categorical, 300 levels, Zipf-distributed): a random effect per level;
- ``price`` (numeric, log-normal) and ``quantity`` (integer, mostly 1): smooth and
  threshold effects (a price above a level, a bulk order);
- ``ordered`` (date, 2018-2024): a weekend effect and a season effect;
- ``tags`` ("a|b|c", 0-5 of 60 tags): an effect per tag.

The ``"interacting"`` family adds effects of pairs (a tag's effect flips sign in half of
the stores; the price threshold only matters on weekends), which no additive model
captures. The label is the class of the largest total score plus Gumbel noise (3
classes), so even the generator's own score is not always right.
"""
import numpy as np
import pandas as pd

N_CLASSES = 3
VOCABULARY, LEANING_WORDS = 3000, 60
N_STORES, N_TAGS = 300, 60


def mixed_table(n_rows, family="additive", seed=0):
    """(X, y): a DataFrame of the six raw columns and integer labels of ``n_rows`` rows.

    ``family`` is "additive" or "interacting"; the same seed gives the same table (the
    effects are drawn from ``seed`` too, so that train and test must share it: draw both
    from one call and split).
    """
    rng = np.random.default_rng(seed)
    score = np.zeros((n_rows, N_CLASSES))

    word_effect = np.zeros((VOCABULARY, N_CLASSES))
    leaning = rng.choice(VOCABULARY, LEANING_WORDS, replace=False)
    word_effect[leaning, rng.integers(0, N_CLASSES, LEANING_WORDS)] = 0.8
    word_frequency = 1.0 / np.arange(1, VOCABULARY + 1) ** 0.9
    word_frequency /= word_frequency.sum()
    lengths = rng.integers(4, 41, n_rows)
    words = rng.choice(VOCABULARY, lengths.sum(), p=word_frequency)
    row_of_word = np.repeat(np.arange(n_rows), lengths)
    np.add.at(score, row_of_word, word_effect[words])
    vocabulary = np.array([f"w{i}" for i in range(VOCABULARY)])
    texts = np.split(vocabulary[words], np.cumsum(lengths)[:-1])
    review = [" ".join(text) for text in texts]

    store_frequency = 1.0 / np.arange(1, N_STORES + 1)
    store = rng.choice(N_STORES, n_rows, p=store_frequency / store_frequency.sum())
    score += rng.normal(0, 0.7, (N_STORES, N_CLASSES))[store]

    price = np.exp(rng.normal(3.0, 1.0, n_rows))
    quantity = np.where(rng.random(n_rows) < 0.7, 1, rng.integers(2, 50, n_rows))
    expensive = price > 60
    score[:, 0] += 0.6 * np.log(price) - 1.8
    score[:, 2] += 1.2 * (quantity >= 20)

    days = rng.integers(0, 7 * 365, n_rows)
    ordered = np.datetime64("2018-01-01") + days.astype("timedelta64[D]")
    weekend = days % 7 >= 5  # 2018-01-01 was a Monday
    month = ordered.astype("datetime64[M]").astype(np.int64) % 12
    score[:, 1] += 0.8 * weekend + 0.6 * np.cos(2 * np.pi * month / 12)

    tag_effect = rng.normal(0, 0.6, (N_TAGS, N_CLASSES))
    n_tags = rng.integers(0, 6, n_rows)
    tag_ids = [rng.choice(N_TAGS, k, replace=False) for k in n_tags]
    flipped = rng.random(N_STORES) < 0.5
    for row, ids in enumerate(tag_ids):
        effect = tag_effect[ids].sum(axis=0)
        score[row] += -effect if family == "interacting" and flipped[store[row]] else effect
    if family == "interacting":
        score[:, 2] += 1.5 * (expensive & weekend) - 1.5 * (expensive & ~weekend)
    elif family != "additive":
        raise ValueError(f"family must be 'additive' or 'interacting', got {family!r}")
    tags = ["|".join(f"tag{t}" for t in ids) if len(ids) else None for ids in tag_ids]

    y = np.argmax(score + rng.gumbel(size=score.shape), axis=1)
    X = pd.DataFrame({
        "review": review,
        "store": [f"store{s}" for s in store],
        "price": np.round(price, 2),
        "quantity": quantity,
        "ordered": ordered,
        "tags": pd.Series(tags, dtype=object),
    })
    return X, y

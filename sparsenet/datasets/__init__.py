"""Data sets: small real ones carried by the package, a generator, and readers and writers
of the usual file formats."""
from sparsenet.datasets._extreme import make_extreme_classification
from sparsenet.datasets._download import DownloadError
from sparsenet.datasets._home import get_data_home
from sparsenet.datasets._remote_sets import (fetch_ag_news, fetch_amazon670k, fetch_amazoncat13k, fetch_dbpedia,
                                             fetch_eurlex4k, fetch_wiki10_31k, fetch_yelp_polarity)
from sparsenet.datasets._sms_spam import load_sms_spam
from sparsenet.datasets._text_formats import load_fasttext, load_text_table
from sparsenet.datasets._xmc_format import dump_xmc, load_xc_repo, load_xmc

__all__ = ["DownloadError", "dump_xmc", "fetch_ag_news", "fetch_amazon670k", "fetch_amazoncat13k", "fetch_dbpedia",
           "fetch_eurlex4k", "fetch_wiki10_31k", "fetch_yelp_polarity", "get_data_home",
           "load_fasttext", "load_sms_spam", "load_text_table", "load_xc_repo", "load_xmc",
           "make_extreme_classification"]

"""Settings of the submissions benchmark's server: the product's, plus one extra address.

``bench/ceiling_urls.py`` serves every address of ``hotline.urls`` and ``/bench/ceiling/``, a
minimal view that writes one row, so that the report form and the ceiling are measured on the
same server, middleware and database in the same run. Never used outside bench/.
"""

from hotline.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling_urls"

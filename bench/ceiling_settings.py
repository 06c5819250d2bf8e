"""P2's ceiling: Druppel's own settings, with one bench-only URL added (bench/ceiling_urls.py).

gunicorn runs the same `druppel.wsgi:application` with
``DJANGO_SETTINGS_MODULE=bench.ceiling_settings``: the same middleware, database,
sessions and templates, nothing of the product changed. This is less intrusive
than a view behind a setting in druppel/urls.py, which would put bench code and a
bench switch into the product.
"""

from druppel.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling_urls"

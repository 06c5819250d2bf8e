"""The suite runs on the services the environment names, not silently on the defaults."""

import os

from django.db import connection

from druppel.celery import app as celery_app


def test_the_suite_runs_on_the_database_the_environment_names():
    url = os.environ.get("DATABASE_URL", "sqlite:///")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected, f"DATABASE_URL={url.split('@')[-1]} but connected to {connection.vendor}"


def test_the_suite_uses_the_broker_the_environment_names():
    url = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    with celery_app.connection_for_write() as conn:
        assert conn.transport_cls == url.split("://")[0]
        conn.ensure_connection(max_retries=1)

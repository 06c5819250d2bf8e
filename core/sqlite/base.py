"""SQLite backend that knows SQLite's real bound-variable limit.

Django 5.2 assumes SQLite's pre-3.32 default of 999 variables and splits a
bulk insert of 1,000 deliveries into 15 statements. Builds since 3.32 allow
32,766; reading the limit from the connection (as Django 6.0 does) keeps the
drip's query count constant on the embedded database too.
"""

import sqlite3

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int:  # type: ignore[override]
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

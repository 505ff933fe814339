"""Migrate the test database to an earlier state, write rows with the models of that time, and
migrate forward again: how tests prove a migration keeps data."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

Targets = list[tuple[str, str]]

# The newest migration of each app of main before the architecture change (members moved out
# of lists, captures out of lists, items and bank settings).
BEFORE_ARCHITECTURE: Targets = [
    ("portals", "0001_initial"), ("accounts", "0001_initial"), ("audit", "0001_initial"),
    ("intake", "0004_trusted_intake"), ("cases", "0005_casereport_portal"),
    ("lists", "0002_member_permissions"), ("hosting", "0001_initial"),
    ("takedown", "0002_takedown_takedown_removed_idx"),
]


def migrate_to(targets: Targets) -> Apps:
    """Migrate to these nodes; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


class MigrationTestCase(TransactionTestCase):
    """A test that moves the database between migrations; it ends at the latest again."""

    def migrate(self, targets: Targets) -> MigrationExecutor:
        """Migrate to these nodes; an executor that knows the state there."""
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return MigrationExecutor(connection)

    def tearDown(self) -> None:
        migrate_to_latest()
        super().tearDown()

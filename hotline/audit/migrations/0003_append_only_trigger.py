"""On PostgreSQL, the database itself refuses UPDATE and DELETE on audit entries.

The model refuses them already, but raw SQL, a shell or another program would not ask the
model. The trigger stops anyone who is not the table's owner (who could drop it): together with
the keyed chain and the anchors outside the database, a rewrite needs the owner's rights, the
key and every copy of the anchors. TRUNCATE is not refused (the test suite empties tables with
it; the anchors catch an emptied log). SQLite has no equivalent and gets nothing.
"""

from typing import Any

from django.db import migrations

# One statement each, executed without parameters (the % are PL/pgSQL's own placeholders).
CREATE = ["""
CREATE OR REPLACE FUNCTION audit_auditentry_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
""", """
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_refuse_change()
"""]
DROP = ["DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry",
        "DROP FUNCTION IF EXISTS audit_auditentry_refuse_change()"]


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_keyed_chain'),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]

"""Append-only audit trail on PostgreSQL (DESIGN §5): triggers refuse UPDATE and DELETE of events.

The chain heads are guarded too: a head may only advance by exactly one link (what `record()`
does on every append) and may never be deleted, so nobody can rewind a county's chain to hide a
truncated tail. Row-level triggers only: TRUNCATE (used by the test runner's flush) is not
refused. Nothing is installed on other databases (SQLite for the demo).
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % of event id % refused (审计日志只能追加，不能修改或删除)',
        TG_OP, OLD.id
        USING ERRCODE = 'P0001', HINT = 'Correct a record by appending a compensating event.';
END;
$$;

DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();

CREATE OR REPLACE FUNCTION audit_chainhead_advance_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_chainhead %: DELETE refused (审计链头不能删除)', OLD.chain
            USING ERRCODE = 'P0001';
    END IF;
    IF NEW.chain <> OLD.chain OR NEW.seq <> OLD.seq + 1 THEN
        RAISE EXCEPTION 'audit_chainhead %: may only advance by one link (% -> % refused) (审计链头只能逐条前进)',
            OLD.chain, OLD.seq, NEW.seq
            USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS audit_chainhead_advance_only ON audit_chainhead;
CREATE TRIGGER audit_chainhead_advance_only
    BEFORE UPDATE OR DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_advance_only();
"""

UNINSTALL = r"""
DROP TRIGGER IF EXISTS audit_chainhead_advance_only ON audit_chainhead;
DROP FUNCTION IF EXISTS audit_chainhead_advance_only();
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
DROP FUNCTION IF EXISTS audit_event_refuse_change();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]

"""Confirmed entries are immutable (DESIGN §5, seed 001 第二十六条 "积分生成后,原则上不能更改"): on
PostgreSQL a trigger refuses UPDATE and DELETE of a confirmed entry, whatever code tries it."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION scoring_entry_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'confirmed' THEN
        RAISE EXCEPTION 'scoring_entry % is confirmed and cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS scoring_entry_immutable ON scoring_entry;
CREATE TRIGGER scoring_entry_immutable BEFORE UPDATE OR DELETE ON scoring_entry
    FOR EACH ROW EXECUTE FUNCTION scoring_entry_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS scoring_entry_immutable ON scoring_entry;
DROP FUNCTION IF EXISTS scoring_entry_immutable();
"""


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(_create, _drop)]

"""Chain heads may advance by several links at once (a batch of appends writes its head once),
but still never backwards and never be deleted."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_chainhead_advance_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_chainhead %: DELETE refused (审计链头不能删除)', OLD.chain
            USING ERRCODE = 'P0001';
    END IF;
    IF NEW.chain <> OLD.chain OR NEW.seq <= OLD.seq THEN
        RAISE EXCEPTION 'audit_chainhead %: may only advance (% -> % refused) (审计链头只能前进)',
            OLD.chain, OLD.seq, NEW.seq
            USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END;
$$;
"""

BACKWARD = FORWARD.replace("NEW.seq <= OLD.seq", "NEW.seq <> OLD.seq + 1")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]

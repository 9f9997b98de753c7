"""The database refuses any UPDATE or DELETE of the sales record's entries and closings (a trigger), whatever
the code or a SQL console does. Only a role allowed to alter the table (its owner, a superuser) can disable
the trigger; `manage.py check_sales_record` finds what such a change did (sales.integrity)."""

from django.db import migrations

TABLES = ("sales_salesentry", "sales_closing")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION sales_record_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The sales record is append-only: % on % is refused (French cash-register law)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _create_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION sales_record_refuse_change();"
    )


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_sales_record")]

    operations = [
        migrations.RunSQL(CREATE_FUNCTION, "DROP FUNCTION IF EXISTS sales_record_refuse_change();"),
        *(
            migrations.RunSQL(_create_trigger(table), f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            for table in TABLES
        ),
    ]

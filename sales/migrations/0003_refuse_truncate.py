"""The database also refuses TRUNCATE of the sales record's tables (a statement trigger): emptying the journal
in one statement is the quickest way to lose it. One escape, for a throwaway test database only: a session
whose setting `sales.allow_truncate` is 'on' may truncate (the tests' flush between two tests that commit,
tests/conftest.py sets it on the test database). Production never sets it; like disabling a trigger, setting
it takes an SQL console on the database, and `manage.py check_sales_record` names what went missing."""

from django.db import migrations

TABLES = ("sales_salesentry", "sales_closing")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION sales_record_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('sales.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The sales record is append-only: % on % is refused (French cash-register law)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _create_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION sales_record_refuse_truncate();"
    )


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_append_only_trigger")]

    operations = [
        migrations.RunSQL(CREATE_FUNCTION, "DROP FUNCTION IF EXISTS sales_record_refuse_truncate();"),
        *(
            migrations.RunSQL(
                _create_trigger(table), f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
            )
            for table in TABLES
        ),
    ]

"""mail outbox and job queue

The outbox of mails (written in the transaction of the change they announce) and, on
PostgreSQL, the tables of procrastinate's job queue (its schema for procrastinate 3.x;
a later procrastinate release that changes it comes with a migration here that applies
its own migration files).

Revision ID: 008ca55236eb
Revises: afe63afe3c80
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = '008ca55236eb'
down_revision = 'afe63afe3c80'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outgoing_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('recipient', sa.String(length=320), nullable=True),
    sa.Column('message', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mails'))
    )
    with op.batch_alter_table('outgoing_mails', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_mails_due', ['status', 'next_attempt_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        from procrastinate.schema import SchemaManager

        # As procrastinate applies it: the driver reads "%%" as a plain "%".
        op.get_bind().exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TABLE IF EXISTS procrastinate_periodic_defers, procrastinate_events, "
                   "procrastinate_jobs, procrastinate_workers CASCADE")
        op.get_bind().exec_driver_sql("""
            DO $$ DECLARE f record; BEGIN
              FOR f IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                       JOIN pg_namespace n ON n.oid = p.pronamespace
                       WHERE p.proname LIKE 'procrastinate%%' AND n.nspname = current_schema()
              LOOP EXECUTE 'DROP FUNCTION ' || f.signature || ' CASCADE'; END LOOP;
            END $$""")
        op.execute("DROP TYPE IF EXISTS procrastinate_job_status, procrastinate_job_event_type, "
                   "procrastinate_job_to_defer_v1 CASCADE")
    with op.batch_alter_table('outgoing_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_mails_due')
    op.drop_table('outgoing_mails')

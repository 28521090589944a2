"""what a guest shares with an event's proposer

Revision ID: add8e1364a78
Revises: ac0b99f2e78b
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'add8e1364a78'
down_revision = 'ac0b99f2e78b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_contact', sa.String(length=5), server_default='',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('event_signups', schema=None) as batch_op:
        batch_op.drop_column('shared_contact')

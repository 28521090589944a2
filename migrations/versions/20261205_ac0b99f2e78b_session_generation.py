"""session generation

Every login cookie carries the account's generation; moving it on ends every session
and "remember me" cookie given before.

Revision ID: ac0b99f2e78b
Revises: 37805a609d42
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'ac0b99f2e78b'
down_revision = '37805a609d42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')

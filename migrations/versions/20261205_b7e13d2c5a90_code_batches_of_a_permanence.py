"""vote codes printed by an animator belong to their permanence

Revision ID: b7e13d2c5a90
Revises: 9c4f2b7d1e30
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7e13d2c5a90'
down_revision = '9c4f2b7d1e30'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vote_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('permanence_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_vote_codes_permanence_id_permanences'),
                                    'permanences', ['permanence_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('vote_codes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_vote_codes_permanence_id_permanences'),
                                 type_='foreignkey')
        batch_op.drop_column('permanence_id')

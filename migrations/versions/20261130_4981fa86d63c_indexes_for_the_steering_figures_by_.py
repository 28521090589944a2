"""indexes for the steering figures by period

Revision ID: 4981fa86d63c
Revises: c9dc4929e388
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '4981fa86d63c'
down_revision = 'c9dc4929e388'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participations_voted_on'), ['voted_on'], unique=False)

    with op.batch_alter_table('point_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_point_supports_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supports_created_at'), ['created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supports_created_at'))

    with op.batch_alter_table('point_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_point_supports_created_at'))

    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participations_voted_on'))


"""a project nobody voted for is not funded: min_score 1 by default

Funds whose rounds are not counted yet move from 0 (the old default) to 1; a fund with a
counted round keeps its rule, so that published results and their explanation agree.

Revision ID: e8a2f4c6d913
Revises: d41c0e6a7b25
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'e8a2f4c6d913'
down_revision = 'd41c0e6a7b25'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.alter_column('min_score', existing_type=sa.Integer(), server_default='1')
    op.execute("UPDATE funds SET min_score = 1 WHERE min_score = 0 AND id NOT IN "
               "(SELECT fund_id FROM rounds WHERE count_started_at IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.alter_column('min_score', existing_type=sa.Integer(), server_default=None)

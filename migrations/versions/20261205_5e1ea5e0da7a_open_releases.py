"""open-data releases: a year's grid of published counts, built together

Revision ID: 5e1ea5e0da7a
Revises: add8e1364a78
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = '5e1ea5e0da7a'
down_revision = 'add8e1364a78'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'open_releases',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_open_releases')),
    )


def downgrade() -> None:
    op.drop_table('open_releases')

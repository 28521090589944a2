"""the daily figures of participation, which the dashboards read

The table starts empty: the first read of the figures builds it from the acts, and the
nightly job rebuilds it.

Revision ID: f3c81a9d2b47
Revises: e8a2f4c6d913
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'f3c81a9d2b47'
down_revision = 'e8a2f4c6d913'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'participation_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('quartier_id', sa.Integer(), nullable=True),
        sa.Column('orientation_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('part', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('acts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['orientation_id'], ['orientations.id'],
                                name=op.f('fk_participation_days_orientation_id_orientations'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'],
                                name=op.f('fk_participation_days_quartier_id_quartiers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_participation_days_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_days')),
    )
    with op.batch_alter_table('participation_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participation_days_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_participation_days_quartier_id'), ['quartier_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_participation_days_user_id'), ['user_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('participation_days')

"""indicators of the signatories' commitments and their yearly values

Revision ID: a7d4e2c91f05
Revises: f3c81a9d2b47
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'a7d4e2c91f05'
down_revision = 'f3c81a9d2b47'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'commitment_indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('commitment_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=160), nullable=False),
        sa.Column('unit', sa.String(length=40), nullable=False),
        sa.Column('baseline', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('baseline_year', sa.Integer(), nullable=False),
        sa.Column('target', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('target_year', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'],
                                name=op.f('fk_commitment_indicators_commitment_id_commitments'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_indicators')),
    )
    with op.batch_alter_table('commitment_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_indicators_commitment_id'),
                              ['commitment_id'], unique=False)
    op.create_table(
        'indicator_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('entered_by_id', sa.Integer(), nullable=True),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'],
                                name=op.f('fk_indicator_values_entered_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['indicator_id'], ['commitment_indicators.id'],
                                name=op.f('fk_indicator_values_indicator_id_commitment_indicators'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
        sa.UniqueConstraint('indicator_id', 'year',
                            name=op.f('uq_indicator_values_indicator_id_year')),
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_indicator_id'), ['indicator_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('indicator_values')
    op.drop_table('commitment_indicators')

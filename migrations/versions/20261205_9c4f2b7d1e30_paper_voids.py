"""paper ballots voided before the count, asked by one person and confirmed by another

Revision ID: 9c4f2b7d1e30
Revises: 5e1ea5e0da7a
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = '9c4f2b7d1e30'
down_revision = '5e1ea5e0da7a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'paper_voids',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('permanence_id', sa.Integer(), nullable=False),
        sa.Column('tracker', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('asked_by_id', sa.Integer(), nullable=True),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'],
                                name=op.f('fk_paper_voids_asked_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'],
                                name=op.f('fk_paper_voids_confirmed_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['permanence_id'], ['permanences.id'],
                                name=op.f('fk_paper_voids_permanence_id_permanences')),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'],
                                name=op.f('fk_paper_voids_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_voids')),
    )
    with op.batch_alter_table('paper_voids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_voids_round_id'), ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('paper_voids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_voids_round_id'))
    op.drop_table('paper_voids')

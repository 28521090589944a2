"""a resident's declaration remembered, on request, for the next votes of a quartier

Revision ID: d41c0e6a7b25
Revises: b7e13d2c5a90
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'd41c0e6a7b25'
down_revision = 'b7e13d2c5a90'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'remembered_declarations',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('quartier_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'],
                                name=op.f('fk_remembered_declarations_quartier_id_quartiers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_remembered_declarations_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_remembered_declarations')),
    )


def downgrade() -> None:
    op.drop_table('remembered_declarations')

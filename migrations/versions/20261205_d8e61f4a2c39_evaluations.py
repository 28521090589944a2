"""the contract's evaluations and their questions

Revision ID: d8e61f4a2c39
Revises: c5b90e3d7a18
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'd8e61f4a2c39'
down_revision = 'c5b90e3d7a18'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evaluations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('title', sa.String(length=160), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name=op.f('fk_evaluations_contract_id_contracts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
        sa.UniqueConstraint('contract_id', 'kind', name=op.f('uq_evaluations_contract_id_kind')),
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_contract_id'), ['contract_id'],
                              unique=False)
    op.create_table(
        'evaluation_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'],
                                name=op.f('fk_evaluation_questions_evaluation_id_evaluations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_questions')),
    )
    with op.batch_alter_table('evaluation_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_questions_evaluation_id'),
                              ['evaluation_id'], unique=False)
    op.create_table(
        'evaluation_question_orientations',
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('orientation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['orientation_id'], ['orientations.id'],
            name=op.f('fk_evaluation_question_orientations_orientation_id_orientations'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['question_id'], ['evaluation_questions.id'],
            name=op.f('fk_evaluation_question_orientations_question_id_evaluation_questions'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('question_id', 'orientation_id',
                                name=op.f('pk_evaluation_question_orientations')),
    )


def downgrade() -> None:
    op.drop_table('evaluation_question_orientations')
    op.drop_table('evaluation_questions')
    op.drop_table('evaluations')

"""permanences paper ballots vote codes

Revision ID: 55da831defc7
Revises: 79c8a5cf6356
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '55da831defc7'
down_revision = '79c8a5cf6356'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('permanences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('animator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['animator_id'], ['users.id'], name=op.f('fk_permanences_animator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_permanences_quartier_id_quartiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permanences'))
    )
    with op.batch_alter_table('permanences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_permanences_quartier_id'), ['quartier_id'], unique=False)

    op.create_table('vote_codes',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('spent', sa.Boolean(), nullable=False),
    sa.Column('void', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_vote_codes_round_id_rounds')),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_vote_codes')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('vote_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_codes_round_id'), ['round_id'], unique=False)

    # SQLite rebuilds these tables: keep them WITHOUT ROWID (no insertion order).
    with op.batch_alter_table('ballots', schema=None,
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.add_column(sa.Column('permanence_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ballots_permanence_id'), ['permanence_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ballots_permanence_id_permanences'), 'permanences', ['permanence_id'], ['id'])

    with op.batch_alter_table('participations', schema=None,
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.add_column(sa.Column('permanence_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_participations_permanence_id'), ['permanence_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_participations_permanence_id_permanences'), 'permanences', ['permanence_id'], ['id'])




def downgrade() -> None:

    with op.batch_alter_table('participations', schema=None,
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_participations_permanence_id_permanences'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_participations_permanence_id'))
        batch_op.drop_column('permanence_id')

    # SQLite rebuilds these tables: keep them WITHOUT ROWID (no insertion order).
    with op.batch_alter_table('ballots', schema=None,
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ballots_permanence_id_permanences'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ballots_permanence_id'))
        batch_op.drop_column('permanence_id')

    with op.batch_alter_table('vote_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_codes_round_id'))

    op.drop_table('vote_codes')
    with op.batch_alter_table('permanences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_permanences_quartier_id'))

    op.drop_table('permanences')


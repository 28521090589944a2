"""fph funds rounds projects ballots register

Revision ID: 79c8a5cf6356
Revises: 35708bd3fc1d
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '79c8a5cf6356'
down_revision = '35708bd3fc1d'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('funds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('envelope_cents', sa.Integer(), nullable=False),
    sa.Column('cap_cents', sa.Integer(), nullable=False),
    sa.Column('min_project_cents', sa.Integer(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.Column('rules_text', sa.Text(), nullable=False),
    sa.Column('vote_method', sa.String(length=20), nullable=False),
    sa.Column('approval_min', sa.Integer(), nullable=False),
    sa.Column('approval_max', sa.Integer(), nullable=True),
    sa.Column('points_total', sa.Integer(), nullable=False),
    sa.Column('points_max', sa.Integer(), nullable=False),
    sa.Column('tally_rule', sa.String(length=20), nullable=False),
    sa.Column('min_score', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cap_cents > 0 AND cap_cents <= envelope_cents', name=op.f('ck_funds_cap')),
    sa.CheckConstraint('envelope_cents > 0', name=op.f('ck_funds_envelope')),
    sa.CheckConstraint('min_project_cents >= 0 AND min_project_cents <= cap_cents', name=op.f('ck_funds_min_project')),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_funds_quartier_id_quartiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds')),
    sa.UniqueConstraint('quartier_id', 'year', name=op.f('uq_funds_quartier_id_year'))
    )
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_quartier_id'), ['quartier_id'], unique=False)

    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('submission_starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vote_starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vote_ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('follow_up_starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('secret', sa.LargeBinary(length=32), nullable=True),
    sa.Column('secret_destroyed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seal', sa.String(length=64), nullable=False),
    sa.Column('count_started_by_id', sa.Integer(), nullable=True),
    sa.Column('count_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('count_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('count_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.Column('results_hash', sa.String(length=64), nullable=True),
    sa.Column('results_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['count_confirmed_by_id'], ['users.id'], name=op.f('fk_rounds_count_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['count_started_by_id'], ['users.id'], name=op.f('fk_rounds_count_started_by_id_users')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_rounds_fund_id_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds'))
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rounds_fund_id'), ['fund_id'], unique=False)

    op.create_table('ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('cast_on', sa.Date(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_ballots_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_ballots_receipt_hash')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_round_id'), ['round_id'], unique=False)

    op.create_table('participations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('voted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_participations_round_id_rounds')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_participations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participations')),
    sa.UniqueConstraint('round_id', 'fingerprint', name=op.f('uq_participations_round_id_fingerprint')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_participations_round_id_user_id')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participations_round_id'), ['round_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('budget_lines', sa.JSON(), nullable=False),
    sa.Column('orientation_id', sa.Integer(), nullable=True),
    sa.Column('carrier_kind', sa.String(length=20), nullable=False),
    sa.Column('carrier_name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=254), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('photo', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('review_message', sa.Text(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('follow_up', sa.String(length=20), nullable=True),
    sa.Column('spent_cents', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_projects_amount')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_projects_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['projects.id'], name=op.f('fk_projects_merged_into_id_projects')),
    sa.ForeignKeyConstraint(['orientation_id'], ['orientations.id'], name=op.f('fk_projects_orientation_id_orientations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_projects_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_round_id'), ['round_id'], unique=False)

    op.create_table('project_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('photo', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_project_updates_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_updates_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_updates'))
    )
    with op.batch_alter_table('project_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_updates_project_id'), ['project_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('project_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_updates_project_id'))

    op.drop_table('project_updates')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_round_id'))

    op.drop_table('projects')
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participations_round_id'))

    op.drop_table('participations')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballots_round_id'))

    op.drop_table('ballots')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rounds_fund_id'))

    op.drop_table('rounds')
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funds_quartier_id'))

    op.drop_table('funds')


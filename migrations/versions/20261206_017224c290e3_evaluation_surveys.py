"""evaluation committee, proposed questions, surveys, workshops

Revision ID: 017224c290e3
Revises: d8e61f4a2c39
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '017224c290e3'
down_revision = 'd8e61f4a2c39'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('once', sa.Boolean(), nullable=False),
    sa.Column('ask_profile', sa.Boolean(), nullable=False),
    sa.Column('results_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_surveys_closes_after_open')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_surveys_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('show_name', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moderation', sa.String(length=10), nullable=False),
    sa.Column('moderation_reason', sa.Text(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('original_title', sa.String(length=200), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('support_count >= 0', name=op.f('ck_evaluation_proposals_support_count')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_evaluation_proposals_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_evaluation_proposals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_proposals_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_evaluation_proposals_moderated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_evaluation_proposals_quartier_id_quartiers')),
    sa.ForeignKeyConstraint(['question_id'], ['evaluation_questions.id'], name=op.f('fk_evaluation_proposals_question_id_evaluation_questions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_proposals'))
    )
    with op.batch_alter_table('evaluation_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_proposals_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_proposals_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_proposals_decision'), ['decision'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_proposals_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_proposals_moderation'), ['moderation'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_proposals_quartier_id'), ['quartier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_proposals_question_id'), ['question_id'], unique=False)

    op.create_table('survey_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('minimum', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('maximum', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.CheckConstraint("kind IN ('single', 'multiple', 'scale', 'number', 'text')", name=op.f('ck_survey_items_kind')),
    sa.ForeignKeyConstraint(['question_id'], ['evaluation_questions.id'], name=op.f('fk_survey_items_question_id_evaluation_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_items_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_items'))
    )
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_items_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_items_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_inbox',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_inbox_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_inbox')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_inbox_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=True),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('age_bracket', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_survey_responses_quartier_id_quartiers')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_responses_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_survey_id'), ['survey_id'], unique=False)

    op.create_table('evaluation_proposal_supports',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['evaluation_proposals.id'], name=op.f('fk_evaluation_proposal_supports_proposal_id_evaluation_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluation_proposal_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'user_id', name=op.f('pk_evaluation_proposal_supports'))
    )
    with op.batch_alter_table('evaluation_proposal_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_proposal_supports_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_workshops',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('conclusions', sa.Text(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('participants IS NULL OR participants >= 0', name=op.f('ck_evaluation_workshops_participants')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_evaluation_workshops_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['evaluation_questions.id'], name=op.f('fk_evaluation_workshops_question_id_evaluation_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_evaluation_workshops_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_evaluation_workshops'))
    )
    with op.batch_alter_table('evaluation_workshops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_workshops_question_id'), ['question_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('choice', sa.Integer(), nullable=True),
    sa.Column('number', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['survey_items.id'], name=op.f('fk_survey_answers_item_id_survey_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'item_id', 'rank', name=op.f('pk_survey_answers')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answers_item_id'), ['item_id'], unique=False)

    op.create_table('survey_codes',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=True),
    sa.Column('permanence_id', sa.Integer(), nullable=True),
    sa.Column('spent', sa.Boolean(), nullable=False),
    sa.Column('void', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['permanence_id'], ['permanences.id'], name=op.f('fk_survey_codes_permanence_id_permanences')),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_survey_codes_quartier_id_quartiers')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_codes_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_survey_codes')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_codes_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_handovers',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('permanence_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['permanence_id'], ['permanences.id'], name=op.f('fk_survey_handovers_permanence_id_permanences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_handovers_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_survey_handovers')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_handovers_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_handovers_permanence_id'), ['permanence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_handovers_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_paper_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('permanence_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=160), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('entered', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('counted >= 0 AND entered >= 0', name=op.f('ck_survey_paper_batches_counts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_survey_paper_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['permanence_id'], ['permanences.id'], name=op.f('fk_survey_paper_batches_permanence_id_permanences')),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_survey_paper_batches_quartier_id_quartiers')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_paper_batches_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_paper_batches'))
    )
    with op.batch_alter_table('survey_paper_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_paper_batches_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_participations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=True),
    sa.Column('permanence_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['permanence_id'], ['permanences.id'], name=op.f('fk_survey_participations_permanence_id_permanences')),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_survey_participations_quartier_id_quartiers')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_participations_survey_id_surveys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_survey_participations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_participations')),
    sa.UniqueConstraint('survey_id', 'user_id', name=op.f('uq_survey_participations_survey_id_user_id')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_participations_answered_on'), ['answered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_participations_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moderation', sa.String(length=10), nullable=False),
    sa.Column('moderation_reason', sa.Text(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('original_title', sa.String(length=200), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['survey_items.id'], name=op.f('fk_survey_texts_item_id_survey_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_survey_texts_moderated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_survey_texts_quartier_id_quartiers')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_texts_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_texts'))
    )
    with op.batch_alter_table('survey_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_texts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_texts_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_texts_moderation'), ['moderation'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_texts_quartier_id'), ['quartier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_texts_survey_id'), ['survey_id'], unique=False)

    op.create_table('evaluation_workshop_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('photo', sa.String(length=80), nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['evaluation_workshops.event_id'], name=op.f('fk_evaluation_workshop_photos_event_id_evaluation_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_workshop_photos'))
    )
    with op.batch_alter_table('evaluation_workshop_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_workshop_photos_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposals_until', sa.Date(), nullable=True))

    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_role_grants_role'), type_='check')
        batch_op.create_check_constraint(
            'role', "role IN ('pilot', 'signatory', 'moderator', 'animator', 'evaluator')")


def downgrade() -> None:
    op.execute("DELETE FROM role_grants WHERE role = 'evaluator'")
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_role_grants_role'), type_='check')
        batch_op.create_check_constraint(
            'role', "role IN ('pilot', 'signatory', 'moderator', 'animator')")

    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('proposals_until')

    with op.batch_alter_table('evaluation_workshop_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_workshop_photos_event_id'))

    op.drop_table('evaluation_workshop_photos')
    with op.batch_alter_table('survey_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_texts_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_texts_quartier_id'))
        batch_op.drop_index(batch_op.f('ix_survey_texts_moderation'))
        batch_op.drop_index(batch_op.f('ix_survey_texts_item_id'))
        batch_op.drop_index(batch_op.f('ix_survey_texts_created_at'))

    op.drop_table('survey_texts')
    with op.batch_alter_table('survey_participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_participations_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_participations_answered_on'))

    op.drop_table('survey_participations')
    with op.batch_alter_table('survey_paper_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_paper_batches_survey_id'))

    op.drop_table('survey_paper_batches')
    op.drop_table('survey_handovers')
    with op.batch_alter_table('survey_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_codes_survey_id'))

    op.drop_table('survey_codes')
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_item_id'))

    op.drop_table('survey_answers')
    with op.batch_alter_table('evaluation_workshops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_workshops_question_id'))

    op.drop_table('evaluation_workshops')
    with op.batch_alter_table('evaluation_proposal_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_proposal_supports_user_id'))

    op.drop_table('evaluation_proposal_supports')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_survey_id'))

    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_inbox_survey_id'))

    op.drop_table('survey_inbox')
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_items_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_items_question_id'))

    op.drop_table('survey_items')
    with op.batch_alter_table('evaluation_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_proposals_question_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_proposals_quartier_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_proposals_moderation'))
        batch_op.drop_index(batch_op.f('ix_evaluation_proposals_evaluation_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_proposals_decision'))
        batch_op.drop_index(batch_op.f('ix_evaluation_proposals_created_at'))
        batch_op.drop_index(batch_op.f('ix_evaluation_proposals_author_id'))

    op.drop_table('evaluation_proposals')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surveys_evaluation_id'))

    op.drop_table('surveys')

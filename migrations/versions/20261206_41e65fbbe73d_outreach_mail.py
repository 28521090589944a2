"""what residents choose to hear, the news mails sent, the quartiers' letters

Three tables, empty at first: the choices of each account per quartier and topic (no
row: the topic's default), the log that makes a period's news mail leave once per
person, and the addresses that asked for a quartier's letter without an account.

Revision ID: 41e65fbbe73d
Revises: 017224c290e3
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '41e65fbbe73d'
down_revision = '017224c290e3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('token_seed', sa.LargeBinary(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_letter_subscriptions_quartier_id_quartiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_subscriptions')),
    sa.UniqueConstraint('email', 'quartier_id', name=op.f('uq_letter_subscriptions_email_quartier_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_letter_subscriptions_token_hash'))
    )
    with op.batch_alter_table('letter_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_subscriptions_quartier_id'), ['quartier_id'], unique=False)

    op.create_table('outreach_news_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadence', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("cadence IN ('weekly', 'hourly')", name=op.f('ck_outreach_news_sent_cadence')),
    sa.CheckConstraint('(user_id IS NULL) <> (subscription_id IS NULL)', name=op.f('ck_outreach_news_sent_one_recipient')),
    sa.ForeignKeyConstraint(['subscription_id'], ['letter_subscriptions.id'], name=op.f('fk_outreach_news_sent_subscription_id_letter_subscriptions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outreach_news_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_news_sent')),
    sa.UniqueConstraint('cadence', 'period_start', 'subscription_id', name=op.f('uq_outreach_news_sent_cadence_period_start_subscription_id')),
    sa.UniqueConstraint('cadence', 'period_start', 'user_id', name=op.f('uq_outreach_news_sent_cadence_period_start_user_id'))
    )
    with op.batch_alter_table('outreach_news_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_news_sent_period_start'), ['period_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_news_sent_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_news_sent_user_id'), ['user_id'], unique=False)

    op.create_table('outreach_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('frequency', sa.String(length=12), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("frequency IN ('immediately', 'weekly', 'never')", name=op.f('ck_outreach_preferences_frequency')),
    sa.CheckConstraint("topic IN ('rounds', 'idea_answers', 'events', 'results', 'surveys')", name=op.f('ck_outreach_preferences_topic')),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_outreach_preferences_quartier_id_quartiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outreach_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'quartier_id', 'topic', name=op.f('pk_outreach_preferences'))
    )
    with op.batch_alter_table('outreach_preferences', schema=None) as batch_op:
        batch_op.create_index('ix_outreach_preferences_audience', ['quartier_id', 'topic', 'frequency'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outreach_preferences', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_preferences_audience')

    op.drop_table('outreach_preferences')
    with op.batch_alter_table('outreach_news_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_news_sent_user_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_news_sent_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_news_sent_period_start'))

    op.drop_table('outreach_news_sent')
    with op.batch_alter_table('letter_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_subscriptions_quartier_id'))

    op.drop_table('letter_subscriptions')

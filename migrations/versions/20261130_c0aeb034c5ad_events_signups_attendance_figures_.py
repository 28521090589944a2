"""events, signups, attendance figures, weekly permanence slots

Revision ID: c0aeb034c5ad
Revises: 7de9de37f78c
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0aeb034c5ad'
down_revision = '7de9de37f78c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('permanence_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_permanence_closures_last_after_first')),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_permanence_closures_quartier_id_quartiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permanence_closures'))
    )
    with op.batch_alter_table('permanence_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_permanence_closures_quartier_id'), ['quartier_id'], unique=False)

    op.create_table('permanence_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=120), nullable=False),
    sa.Column('topics', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends > starts', name=op.f('ck_permanence_slots_ends_after_start')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_permanence_slots_weekday')),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_permanence_slots_quartier_id_quartiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permanence_slots'))
    )
    with op.batch_alter_table('permanence_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_permanence_slots_quartier_id'), ['quartier_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('organiser', sa.String(length=120), nullable=False),
    sa.Column('signatory_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('bring', sa.String(length=300), nullable=False),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('childcare', sa.Boolean(), nullable=False),
    sa.Column('interpretation', sa.String(length=120), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=False),
    sa.Column('walk_ins', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=False),
    sa.Column('attendance_taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waiting_kept', sa.Integer(), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderation', sa.String(length=10), nullable=False),
    sa.Column('moderation_reason', sa.Text(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('original_title', sa.String(length=200), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_events_capacity')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_events_ends_after_start')),
    sa.CheckConstraint('seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)', name=op.f('ck_events_seats_taken')),
    sa.CheckConstraint('walk_ins >= 0 AND attendance >= 0', name=op.f('ck_events_attendance')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_events_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_events_moderated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_events_quartier_id_quartiers')),
    sa.ForeignKeyConstraint(['signatory_id'], ['signatories.id'], name=op.f('fk_events_signatory_id_signatories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('uid', name=op.f('uq_events_uid'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_moderation'), ['moderation'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_quartier_id'), ['quartier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_signatory_id'), ['signatory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)

    op.create_table('event_attendance_figures',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_event_attendance_figures_count')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_attendance_figures_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'dimension', 'value', name=op.f('pk_event_attendance_figures'))
    )
    op.create_table('event_signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('party_size', sa.Integer(), nullable=False),
    sa.Column('childcare', sa.Boolean(), nullable=False),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('interpretation', sa.String(length=40), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('confirmed', 'waiting', 'cancelled', 'walk_in')", name=op.f('ck_event_signups_status')),
    sa.CheckConstraint('party_size BETWEEN 1 AND 8', name=op.f('ck_event_signups_party_size')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_signups_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_signups_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_signups'))
    )
    with op.batch_alter_table('event_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_signups_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_signups_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_signups_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_event_signups_live_user', ['event_id', 'user_id'], unique=True, sqlite_where=sa.text("user_id IS NOT NULL AND status != 'cancelled'"), postgresql_where=sa.text("user_id IS NOT NULL AND status != 'cancelled'"))



def downgrade() -> None:
    with op.batch_alter_table('event_signups', schema=None) as batch_op:
        batch_op.drop_index('uq_event_signups_live_user', sqlite_where=sa.text("user_id IS NOT NULL AND status != 'cancelled'"), postgresql_where=sa.text("user_id IS NOT NULL AND status != 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_event_signups_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_signups_status'))
        batch_op.drop_index(batch_op.f('ix_event_signups_event_id'))

    op.drop_table('event_signups')
    op.drop_table('event_attendance_figures')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_starts_at'))
        batch_op.drop_index(batch_op.f('ix_events_signatory_id'))
        batch_op.drop_index(batch_op.f('ix_events_quartier_id'))
        batch_op.drop_index(batch_op.f('ix_events_moderation'))
        batch_op.drop_index(batch_op.f('ix_events_author_id'))

    op.drop_table('events')
    with op.batch_alter_table('permanence_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_permanence_slots_quartier_id'))

    op.drop_table('permanence_slots')
    with op.batch_alter_table('permanence_closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_permanence_closures_quartier_id'))

    op.drop_table('permanence_closures')

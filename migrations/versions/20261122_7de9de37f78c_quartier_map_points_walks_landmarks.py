"""quartier map points walks landmarks

Revision ID: 7de9de37f78c
Revises: 881347365d6c
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '7de9de37f78c'
down_revision = '881347365d6c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('landmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_landmarks_quartier_id_quartiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_landmarks'))
    )
    with op.batch_alter_table('landmarks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_landmarks_quartier_id'), ['quartier_id'], unique=False)

    op.create_table('walks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('animator_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('meeting_point', sa.String(length=200), nullable=False),
    sa.Column('route', sa.Text(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('participants >= 0', name=op.f('ck_walks_participants')),
    sa.ForeignKeyConstraint(['animator_id'], ['users.id'], name=op.f('fk_walks_animator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_walks_quartier_id_quartiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_walks'))
    )
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_walks_quartier_id'), ['quartier_id'], unique=False)

    op.create_table('map_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quartier_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('polarity', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.Column('landmark_id', sa.Integer(), nullable=True),
    sa.Column('photo', sa.String(length=80), nullable=True),
    sa.Column('walk_id', sa.Integer(), nullable=True),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moderation', sa.String(length=10), nullable=False),
    sa.Column('moderation_reason', sa.Text(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('original_title', sa.String(length=200), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('support_count >= 0', name=op.f('ck_map_points_support_count')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_map_points_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_map_points_idea_id_ideas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['landmark_id'], ['landmarks.id'], name=op.f('fk_map_points_landmark_id_landmarks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_map_points_moderated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quartier_id'], ['quartiers.id'], name=op.f('fk_map_points_quartier_id_quartiers')),
    sa.ForeignKeyConstraint(['walk_id'], ['walks.id'], name=op.f('fk_map_points_walk_id_walks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_map_points'))
    )
    with op.batch_alter_table('map_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_map_points_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_map_points_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_map_points_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_map_points_moderation'), ['moderation'], unique=False)
        batch_op.create_index(batch_op.f('ix_map_points_quartier_id'), ['quartier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_map_points_walk_id'), ['walk_id'], unique=False)

    op.create_table('point_supports',
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['map_points.id'], name=op.f('fk_point_supports_point_id_map_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_point_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('point_id', 'user_id', name=op.f('pk_point_supports'))
    )
    with op.batch_alter_table('point_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_point_supports_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('point_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_point_supports_user_id'))

    op.drop_table('point_supports')
    with op.batch_alter_table('map_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_map_points_walk_id'))
        batch_op.drop_index(batch_op.f('ix_map_points_quartier_id'))
        batch_op.drop_index(batch_op.f('ix_map_points_moderation'))
        batch_op.drop_index(batch_op.f('ix_map_points_created_at'))
        batch_op.drop_index(batch_op.f('ix_map_points_category'))
        batch_op.drop_index(batch_op.f('ix_map_points_author_id'))

    op.drop_table('map_points')
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_walks_quartier_id'))

    op.drop_table('walks')
    with op.batch_alter_table('landmarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_landmarks_quartier_id'))

    op.drop_table('landmarks')

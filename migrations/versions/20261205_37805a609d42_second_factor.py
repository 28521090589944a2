"""second factor: authenticator apps, recovery codes, security keys

Revision ID: 37805a609d42
Revises: 008ca55236eb
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = '37805a609d42'
down_revision = '008ca55236eb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_factor_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('totp_apps',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.LargeBinary(length=128), nullable=True),
    sa.Column('pending', sa.LargeBinary(length=128), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_totp_apps_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_totp_apps'))
    )
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('user_id', 'digest', name=op.f('uq_recovery_codes_user_id_digest'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table('security_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.LargeBinary(length=1023), nullable=False),
    sa.Column('public_key', sa.LargeBinary(length=2048), nullable=False),
    sa.Column('sign_count', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_security_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_keys')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_security_keys_credential_id'))
    )
    with op.batch_alter_table('security_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_keys_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('security_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_keys_user_id'))

    op.drop_table('security_keys')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    op.drop_table('totp_apps')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('second_factor_at')

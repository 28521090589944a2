"""stored files for uploaded photos

Photos can be kept in the database (``CIVIC_UPLOAD_STORAGE=database``), so that every
app machine serves what any of them received. Existing files under ``CIVIC_UPLOAD_DIR``
are copied in by ``flask uploads migrate-to-db``, not by this migration.

The downgrade refuses to drop photos: while the table holds any, it stops and says so.

Revision ID: afe63afe3c80
Revises: 9552f9194c5b
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = 'afe63afe3c80'
down_revision = '9552f9194c5b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_files',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('bytes', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_files'))
    )


def downgrade() -> None:
    stored = sa.table('stored_files', sa.column('name', sa.String()))
    count = op.get_bind().scalar(sa.select(sa.func.count()).select_from(stored))
    if count:
        raise RuntimeError(
            f"stored_files holds {count} photos that the previous version cannot serve; "
            "dropping the table would lose them. Keep this version, or delete them "
            "first if they are no longer wanted.")
    op.drop_table('stored_files')

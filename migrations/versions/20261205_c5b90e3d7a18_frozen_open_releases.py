"""open data: a year is published once, after its end; drop the releases built before

Releases used to be rebuilt every night, the current year's included. A release kept now
is served for good, so one built before this version (of a year not over yet, or not
settled) must not stay: every release is built again on its first reading.

Revision ID: c5b90e3d7a18
Revises: a7d4e2c91f05
Create Date: 2026-12-05
"""

from alembic import op


revision = 'c5b90e3d7a18'
down_revision = 'a7d4e2c91f05'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM open_releases")


def downgrade() -> None:
    pass  # the releases are rebuilt when read, whichever version reads them

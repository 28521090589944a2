"""encrypted ballot box, trustees and kiosk tickets

Ballots are now sealed to a count key held by trustees; the ``ballots`` table keeps only
counted ballots, without day, receipt or permanence.

Rounds already counted keep their published plaintext box. A round that has ballots but
no count yet, or that is in its vote phase now, cannot be moved: its plaintext ballots
cannot be sealed to trustees who do not exist. The upgrade then stops and names it;
count it (or let its vote end and count it) with the previous version first.

Revision ID: 9552f9194c5b
Revises: 4981fa86d63c
Create Date: 2026-12-04
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

from civic.core.db import UTCDateTime


revision = '9552f9194c5b'
down_revision = '4981fa86d63c'
branch_labels = None
depends_on = None


def _open_rounds() -> list[str]:
    """Rounds whose box would be lost or left in clear by this upgrade."""
    rounds = sa.table("rounds", sa.column("id", sa.Integer()), sa.column("title", sa.String()),
                      sa.column("vote_starts_at", UTCDateTime()),
                      sa.column("vote_ends_at", UTCDateTime()),
                      sa.column("results", sa.JSON()))
    ballots = sa.table("ballots", sa.column("round_id", sa.Integer()))
    has_ballots = sa.exists().where(ballots.c.round_id == rounds.c.id)
    now = datetime.now(UTC)
    rows = op.get_bind().execute(sa.select(
        rounds.c.id, rounds.c.title, rounds.c.vote_starts_at, rounds.c.vote_ends_at,
        has_ballots).where(rounds.c.results.is_(None)))
    return [f"{id_} « {title} »" for id_, title, starts, ends, holds in rows
            if holds or starts <= now < ends]


def upgrade() -> None:
    blocking = _open_rounds()
    if blocking:
        raise RuntimeError(
            "These FPH rounds are voting, or hold ballots not yet counted: "
            + ", ".join(blocking) + ". Their plaintext ballots cannot be moved into the "
            "encrypted box (it needs trustees named before the vote). Count them with the "
            "previous version, then upgrade.")
    op.create_table('kiosk_tickets',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('permanence_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['permanence_id'], ['permanences.id'], name=op.f('fk_kiosk_tickets_permanence_id_permanences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_kiosk_tickets_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_kiosk_tickets')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('kiosk_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_tickets_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kiosk_tickets_permanence_id'), ['permanence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kiosk_tickets_round_id'), ['round_id'], unique=False)

    op.create_table('sealed_ballots',
    sa.Column('tracker', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('permanence_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['permanence_id'], ['permanences.id'], name=op.f('fk_sealed_ballots_permanence_id_permanences')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_sealed_ballots_round_id_rounds')),
    sa.PrimaryKeyConstraint('tracker', name=op.f('pk_sealed_ballots')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('sealed_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealed_ballots_permanence_id'), ['permanence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sealed_ballots_round_id'), ['round_id'], unique=False)

    op.create_table('trustees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('public_key', sa.LargeBinary(length=32), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sealed_piece', sa.LargeBinary(length=128), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_trustees_round_id_rounds')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trustees_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trustees')),
    sa.UniqueConstraint('round_id', 'position', name=op.f('uq_trustees_round_id_position')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_trustees_round_id_user_id'))
    )
    with op.batch_alter_table('trustees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trustees_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.alter_column('channel',
               existing_type=sa.VARCHAR(length=10),
               nullable=True)
        batch_op.drop_index(batch_op.f('ix_ballots_permanence_id'))
        batch_op.drop_constraint(batch_op.f('uq_ballots_receipt_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_ballots_permanence_id_permanences'), type_='foreignkey')
        batch_op.drop_column('receipt_hash')
        batch_op.drop_column('cast_on')
        batch_op.drop_column('permanence_id')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('box_key', sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column('box_opened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('trustees_needed', sa.Integer(), nullable=False,
                                      server_default='2'))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.alter_column('trustees_needed', server_default=None)


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT 1 FROM sealed_ballots")).first():
        raise RuntimeError("Sealed ballots would be lost: count their rounds first.")
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('trustees_needed')
        batch_op.drop_column('box_opened_at')
        batch_op.drop_column('box_key')

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('permanence_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('cast_on', sa.DATE(), nullable=False,
                                      server_default='2000-01-01'))
        batch_op.add_column(sa.Column('receipt_hash', sa.VARCHAR(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ballots_permanence_id_permanences'), 'permanences', ['permanence_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_ballots_receipt_hash'), ['receipt_hash'])
        batch_op.create_index(batch_op.f('ix_ballots_permanence_id'), ['permanence_id'], unique=False)
        batch_op.alter_column('channel',
               existing_type=sa.VARCHAR(length=10),
               nullable=False)

    with op.batch_alter_table('trustees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trustees_round_id'))

    op.drop_table('trustees')
    with op.batch_alter_table('sealed_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealed_ballots_round_id'))
        batch_op.drop_index(batch_op.f('ix_sealed_ballots_permanence_id'))

    op.drop_table('sealed_ballots')
    with op.batch_alter_table('kiosk_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_tickets_round_id'))
        batch_op.drop_index(batch_op.f('ix_kiosk_tickets_permanence_id'))
        batch_op.drop_index(batch_op.f('ix_kiosk_tickets_expires_at'))

    op.drop_table('kiosk_tickets')

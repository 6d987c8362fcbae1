"""personas

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:40:15.463987
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('personas',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('style_label', sa.Text(), nullable=False),
    sa.Column('voice', sa.String(length=40), nullable=True),
    sa.Column('fingerprint', sa.Text(), nullable=False),
    sa.Column('vocal_start', sa.Float(), nullable=False),
    sa.Column('vocal_end', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], name=op.f('fk_personas_key_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personas')),
    sa.UniqueConstraint('track_id', name=op.f('uq_personas_track_id'))
    )
    with op.batch_alter_table('personas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personas_key_id'), ['key_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('personas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personas_key_id'))

    op.drop_table('personas')

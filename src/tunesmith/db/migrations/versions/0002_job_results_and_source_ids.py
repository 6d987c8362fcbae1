"""job results and source ids

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 10:33:14.107556
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_json', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source_id', sa.String(length=64), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_tasks_source_id'), ['source_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_source_id'))
        batch_op.drop_column('source_id')
        batch_op.drop_column('result_json')


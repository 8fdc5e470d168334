"""Alembic environment: always run with a connection handed in by the application."""

from __future__ import annotations

from alembic import context

from app.services.persistence.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through app.services.persistence.db.upgrade_database")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
context.run_migrations()

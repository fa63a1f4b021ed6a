"""Alembic migrations of the formcheck database (run by ``Database.migrate``)."""

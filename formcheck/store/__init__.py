"""Storage: trainers, their clients, analyses (jobs), kept videos and trainers' judgements, in a database.

``database`` opens it (SQLite file or PostgreSQL) and migrates it with Alembic; ``models`` is the schema;
``accounts`` trainers, sign-in tokens and clients; ``judgements`` a trainer's verdicts on flagged faults;
``videos`` the content-addressed video folder; ``history`` a client's trends; ``labels`` the export to the
formcheck.labels/1 format that ``formcheck eval`` scores against; ``errors`` what it refuses.
"""

"""The archive database: connection, schema migrations, and one module per thing kept."""

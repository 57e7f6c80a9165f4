"""make-data commands: commands_consumers (registered on banjska.cli.main)."""

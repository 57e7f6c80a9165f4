"""make-data commands: commands_release (registered on banjska.cli.main)."""

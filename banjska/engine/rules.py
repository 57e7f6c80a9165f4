"""This dataset's own rules (placeholder until filled)."""


def dataset_checks(ctx):
    return {}, []

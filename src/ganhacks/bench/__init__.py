"""Evidence: which tips help, measured over many seeds (the runner, statistics and report come here)."""


def tips_measured() -> dict[str, list[str]]:
    """Tip id -> names of the bench variants that measure it (none yet)."""
    return {}

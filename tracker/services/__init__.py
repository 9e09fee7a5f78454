"""Use cases that change the tracker's state, each in one transaction."""

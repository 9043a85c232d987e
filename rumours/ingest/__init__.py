"""From an outlet's feed to stored, clean articles."""

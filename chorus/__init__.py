"""Chorus: run an organization's employee social-media program end to end."""

"""Accompaniment for the user's own audio: a band for a vocal (add-instrumental), a topline for an
instrumental (add-vocals)."""

"""seq2add's terminal app and command line."""

ICON = "∑"
"""The mark in the header of the app and of the quiz on its own."""

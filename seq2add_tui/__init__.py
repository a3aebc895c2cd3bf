"""seq2add's terminal app and command line."""

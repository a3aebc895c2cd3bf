"""Modal screens: dialogs and the help overview."""

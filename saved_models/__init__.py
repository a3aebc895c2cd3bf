"""The models shipped with seq2add: installed as the package ``seq2add_models`` (see setup.py) and
listed read-only beside the user's own; one folder per model. Not code: nothing imports this."""

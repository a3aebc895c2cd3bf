"""The trainer's panels and the form parts they are built from."""

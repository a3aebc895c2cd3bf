"""seq2add's engine: arithmetic problems, their data, the models that learn them, and the game.

Nothing here imports Textual, and only training and Keras loading import TensorFlow, so the
quiz, the CLI's ``predict`` and scripts stay light.
"""

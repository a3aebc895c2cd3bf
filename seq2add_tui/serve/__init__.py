"""``seq2add serve``: a room of players in their browsers, one ``seq2add quiz`` process per visit.

textual-serve runs a command for each browser tab that connects and relays its screen over a
websocket. Here the command is the quiz-only app (never TensorFlow) as a web session in one
*room*: every round saved through it is tagged with the room, the organiser's round settings
are the same for everyone, and a wall board (``/board``) shows the standings live.

What an organiser can rely on: the page needs no other host (fonts come from the installed
textual-serve), a room has a size and tells the next visitor so, an idle tab gives its seat
back, one address can't take every seat, only pages served here may open sessions, the console
says one line per join/finish/leave, and Ctrl+C closes the room within seconds.

The pieces: `room` (the organiser's choices), `seats` (limits and refusals), `session_pool`
(sessions started ahead of visitors), `browser_link` (the websocket relay), `pages` (the HTML
and the board's data), `request_checks` (Host and Origin), `addresses` (where to join),
`room_console` (the organiser's log) and `server` (all of it as one textual-serve server).
What the SSH server shares with this lives in `seq2add_tui.remote_play`.
"""

from seq2add_tui.serve.addresses import browse_url, lan_address
from seq2add_tui.serve.request_checks import host_allowed
from seq2add_tui.serve.room import Room, quiz_command
from seq2add_tui.serve.server import QuizServer, serve

__all__ = [
    "QuizServer",
    "Room",
    "browse_url",
    "host_allowed",
    "lan_address",
    "quiz_command",
    "serve",
]

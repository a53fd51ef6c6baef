"""The runner's one exception type and its exit codes (one table for every command)."""

from __future__ import annotations

#: Everything went through: notebooks ran, the HTML built cleanly, the numbers matched.
EXIT_OK = 0
#: The work was done and found a problem: a notebook failed, the HTML had warnings,
#: a number drifted from ``book/expected.yml`` or a strict claim failed.
EXIT_FAILED = 1
#: The work could not be done (or checked): bad arguments, a malformed or missing
#: ``book/expected.yml``, a missing, corrupt or stale build file. Nothing was judged.
EXIT_ERROR = 2
#: Another runner holds the build folder's lock.
EXIT_BUSY = 3
#: Stopped by Ctrl-C (SIGINT) or SIGTERM: 128 + the signal number, as shells report it.
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class BookError(Exception):
    """A problem with the book's sources or build that the user must fix.

    ``code`` is the exit code the command line ends with (:data:`EXIT_ERROR` unless said).
    """

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


class Interrupted(BaseException):
    """The run was stopped by a signal; ``signum`` is SIGINT or SIGTERM.

    A BaseException (like KeyboardInterrupt) so that no ``except Exception`` swallows it.
    """

    def __init__(self, signum: int, message: str = ""):
        super().__init__(message or f"interrupted by signal {signum}")
        self.signum = signum
        self.message = str(self)

    @property
    def code(self) -> int:
        return 128 + self.signum

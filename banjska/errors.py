"""Typed errors the library raises and the CLI turns into one `Error: ...` line and an exit code.

Exit codes: 0 ok, 1 data invalid or a step failed, 2 usage error or unreadable input,
3 internal error (a bug in this tool, never "invalid data").
"""


class MakeDataError(Exception):
    """Base class: a problem the user can fix. `hint` says how."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "", where: str = ""):
        self.message = message
        self.hint = hint
        self.where = where
        super().__init__(self.one_line())  # str(error) and a traceback read as the CLI's line does

    def one_line(self) -> str:
        """The message as the CLI prints it: where, what, and how to fix it."""
        parts = [f"{self.where}: {self.message}" if self.where else self.message]
        if self.hint:
            parts.append(self.hint)
        return " ".join(p.rstrip() if p.rstrip().endswith(".") else p.rstrip() + "." for p in parts)


class BuildError(MakeDataError):
    """The build cannot produce a correct package from the seeds and annotations."""

    exit_code = 1


class DataInvalid(MakeDataError):
    """A package failed validation."""

    exit_code = 1


class InputError(MakeDataError):
    """The input cannot be read at all (missing file, bad JSON, unsafe path): exit 2."""

    exit_code = 2


class PublishError(MakeDataError):
    """A release cannot be written (version understates the change, conflicting release)."""

    exit_code = 1


INTERNAL_ERROR_EXIT = 3

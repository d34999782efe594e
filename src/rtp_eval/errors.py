"""Errors a user can meet, with messages written for the person running the workflow."""

from __future__ import annotations


class UserFacingError(Exception):
    """An error whose message is meant for a person, not a developer: no traceback needed."""

    def user_message(self) -> str:
        return str(self)


class InputFileError(UserFacingError):
    """A raw file that cannot be imported at all: the run stops and nothing is written for it."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.problem = problem
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self.user_message())

    def user_message(self) -> str:
        where = [f"file {self.file}"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        message = f"Cannot import {', '.join(where)}: {self.problem}"
        if self.hint:
            message += f"\nWhat to do: {self.hint}"
        return message


class ConfigError(UserFacingError):
    """The configuration is wrong: names the file, the key and what was expected."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"Configuration error in {file}, at '{key}': {problem}")


class ReconciliationError(UserFacingError):
    """Row counts do not add up: something would be lost without notice, so the run stops."""


class PublishError(UserFacingError):
    """A published output cannot be written as asked without losing or changing content."""


class ReportTextError(UserFacingError):
    """The analyst's Markdown text cannot go into the report: names the file and the line."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = file if line is None else f"{file}, rad {line}"
        super().__init__(f"Fel i analystexten {where}: {problem}")

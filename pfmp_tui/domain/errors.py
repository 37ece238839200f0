"""Validation errors with the path of the faulty field and a French message.

A `FieldError` names *where* (a JSON-like path such as ``students[3].birth_date``)
and *what* (a French sentence). `ValidationFailed` carries every error found, so
that a user fixes a bad document in one pass instead of one error at a time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationFailed(ValueError):
    """Bad input: nothing was changed. Maps to exit code 2 on the command line."""

    def __init__(self, errors: list[FieldError] | FieldError):
        if isinstance(errors, FieldError):
            errors = [errors]
        self.errors: list[FieldError] = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    def for_field(self, path: str) -> list[str]:
        """Messages whose path is `path` (used by forms to show them under a field)."""
        return [e.message for e in self.errors if e.path == path]


class Collector:
    """Accumulates field errors while a whole document or form is checked."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

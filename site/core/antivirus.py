"""Virus scanning of uploads with ClamAV, when it is configured.

Settings (see the "ClamAV" block in council/settings/base.py):

    CLAMAV_COMMAND   the scanner to run: "clamdscan" in production (it hands the file to the
                     clamd daemon and its up-to-date database) or "clamscan" (loads the
                     database itself: slow, but needs no daemon). Empty: uploads are not
                     scanned (the embedded default, the demo).
    CLAMAV_DATABASE  optional, passed as --database (clamscan only; the tests use it).
    CLAMAV_TIMEOUT   seconds a scan may take before the file counts as not checked.
    CLAMAV_REQUIRED  True: a missing CLAMAV_COMMAND is an error (uploads are refused as not
                     checked) and `check --deploy` warns (council.W001).

The file is streamed to the scanner on standard input ("-"), so the scanner never sees its
name and clamd needs no access to our temporary files. Exit status 0 is clean and 1 infected;
anything else (2, a timeout, a missing program) means the file could not be checked, and the
upload is refused: we fail closed. Log lines name the reason, never the file or the resident.

This calls the ClamAV command-line programs rather than a Python client of clamd's socket
protocol (the `clamd` package is unmaintained since 2020): the same code then runs with
clamscan in the tests and clamdscan in production, and the programs' exit codes are ClamAV's
documented interface.
"""

from __future__ import annotations

import enum
import logging
import shlex
import subprocess
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

VIRUS_MESSAGE = _("The selected file contains a virus")
NOT_CHECKED_MESSAGE = _("The selected file could not be checked for viruses. Try again")
DEFAULT_TIMEOUT = 60  # seconds


class Verdict(enum.Enum):
    CLEAN = "clean"
    INFECTED = "infected"
    NOT_CHECKED = "not checked"  # the scanner failed: refuse the file
    NOT_SCANNED = "not scanned"  # no scanner configured: take the file


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    signature: str = ""  # what ClamAV found, such as "Win.Test.EICAR_HDB-1"


def scanner_command() -> list[str]:
    """The command line that scans standard input, or [] when no scanner is configured."""
    command = shlex.split(getattr(settings, "CLAMAV_COMMAND", "") or "")
    if not command:
        return []
    database = getattr(settings, "CLAMAV_DATABASE", "")
    if database:
        command.append(f"--database={database}")
    return [*command, "--no-summary", "--stdout", "-"]


def _content(upload: Any) -> bytes:
    upload.seek(0)
    try:
        if hasattr(upload, "chunks"):
            return b"".join(upload.chunks())
        return upload.read()
    finally:
        upload.seek(0)


def _run(command: list[str], upload: Any, timeout: float) -> subprocess.CompletedProcess:
    """The scanner, reading the file on standard input: a large upload Django has put in a
    temporary file is streamed from it, a small one (in memory) is passed as it is."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        with open(temporary_path(), "rb") as stdin:
            return subprocess.run(
                command, stdin=stdin, capture_output=True, timeout=timeout, check=False
            )
    return subprocess.run(
        command, input=_content(upload), capture_output=True, timeout=timeout, check=False
    )


_warned_not_configured = False


def scan(upload: Any) -> ScanResult:
    """Scan an uploaded file (anything with seek and read, such as Django's UploadedFile)."""
    global _warned_not_configured
    command = scanner_command()
    if not command:
        if getattr(settings, "CLAMAV_REQUIRED", False):
            logger.error("An upload was refused: CLAMAV_REQUIRED is set but CLAMAV_COMMAND is not")
            return ScanResult(Verdict.NOT_CHECKED)
        if not _warned_not_configured and not settings.DEBUG:
            _warned_not_configured = True
            logger.warning("Uploads are not scanned for viruses: CLAMAV_COMMAND is not set")
        return ScanResult(Verdict.NOT_SCANNED)
    timeout = getattr(settings, "CLAMAV_TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT
    try:
        finished = _run(command, upload, timeout)
    except subprocess.TimeoutExpired:
        logger.error("A virus scan took longer than %s seconds; the upload was refused", timeout)
        return ScanResult(Verdict.NOT_CHECKED)
    except OSError as error:  # the program is missing or cannot be run
        logger.error(
            "The virus scanner %r could not be run (%s); the upload was refused",
            command[0],
            error.__class__.__name__,
        )
        return ScanResult(Verdict.NOT_CHECKED)
    if finished.returncode == 0:
        return ScanResult(Verdict.CLEAN)
    if finished.returncode == 1:
        signature = _signature(finished.stdout)
        logger.warning("An upload was refused: ClamAV found %s", signature or "a virus")
        return ScanResult(Verdict.INFECTED, signature)
    # The scanner's own error text names its configuration (database, socket), never the file,
    # which it only saw on standard input.
    reason = finished.stderr.decode("utf-8", "replace").strip().splitlines()
    logger.error(
        "The virus scanner failed with exit status %s (%s); the upload was refused",
        finished.returncode,
        reason[-1][:200] if reason else "no message",
    )
    return ScanResult(Verdict.NOT_CHECKED)


def _signature(stdout: bytes) -> str:
    """'stdin: Win.Test.EICAR_HDB-1 FOUND' -> 'Win.Test.EICAR_HDB-1'."""
    for line in stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.endswith(" FOUND"):
            return line.removesuffix(" FOUND").rpartition(": ")[2][:200]
    return ""


def validate_upload(upload: Any) -> None:
    """Raise the GOV.UK file upload component's error when the file is infected or unchecked."""
    verdict = scan(upload).verdict
    if verdict is Verdict.INFECTED:
        raise ValidationError(VIRUS_MESSAGE, code="virus")
    if verdict is Verdict.NOT_CHECKED:
        raise ValidationError(NOT_CHECKED_MESSAGE, code="virus_scan_failed")


@checks.register(checks.Tags.security, deploy=True)
def check_scanner_configured(**kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "CLAMAV_REQUIRED", False) and not scanner_command():
        return [
            checks.Warning(
                "CLAMAV_REQUIRED is set but CLAMAV_COMMAND is not: every upload will be refused.",
                hint="Set CLAMAV_COMMAND=clamdscan (with clamd running) or clamscan.",
                id="council.W001",
            )
        ]
    return []

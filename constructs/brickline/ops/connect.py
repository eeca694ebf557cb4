"""A bounded connection to a Databricks workspace, and what its failures mean to a user.

Every request goes through the Databricks SDK, whose own limits are set here: the read and
connect timeout of one HTTP request (`Config.http_timeout_seconds`, passed to requests as
`timeout=`: databricks-sdk 0.162 `_base_client.py` lines 121 and 321, default 60 s) and the
time it keeps retrying a request that fails to connect or times out
(`Config.retry_timeout_seconds`, `_base_client.py` line 102 and `retries.py` `retried()`,
default 300 s). Building the client asks the host for `/.well-known/databricks-config`
with the same two limits (`config.py` `_resolve_host_metadata`), so a host that never
answers costs two bounded requests: that probe, then the first call.
"""

from __future__ import annotations

import configparser
import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT = 30.0
DEFAULT_QUERY_TIMEOUT = 120.0
# the longest pause between two looks at a run (the SDK's own waiters grow theirs by 1 s up
# to 10 s: service/jobs.py wait_get_run_job_terminated_or_skipped); shorter, for a live view
MAX_PAUSE = 5


class OpsError(Exception):
    """A problem to tell the user about in one sentence (not a bug)."""


@dataclass(frozen=True)
class Limits:
    """How long brickline waits for Databricks.

    `timeout` bounds what a host that never answers can cost: each request is given a
    quarter of it (retries included), and building the client, whose probe of the host is
    the first request, a quarter and a second; the rest is left for brickline's own start
    and the SDK's pauses (measured here: about 12 s in all with the default 30 s, and 637 s
    before these limits). `poll` is the time
    between two looks at a run (None: 1 s, then one more second each time up to MAX_PAUSE).
    `query_timeout` is how long the status query may run: a stopped SQL warehouse takes a
    while to start.
    """

    timeout: float = DEFAULT_TIMEOUT
    poll: float | None = None
    query_timeout: float = DEFAULT_QUERY_TIMEOUT

    @property
    def request(self) -> float:
        """Seconds one request may take, its retries included."""
        return max(1.0, self.timeout / 4)

    def pauses(self) -> Iterator[float]:
        """The pause before each next poll."""
        step = 1
        while True:
            yield self.poll if self.poll is not None else float(min(step, MAX_PAUSE))
            step += 1


@dataclass
class Session:
    ws: Any  # databricks.sdk.WorkspaceClient
    host: str
    limits: Limits

    @contextlib.contextmanager
    def calls(self) -> Iterator[None]:
        """Turns the SDK's errors into one-line OpsErrors that say what happened."""
        try:
            yield
        except OpsError:
            raise
        except Exception as exc:
            error = explain(exc, self.host, self.limits)
            if error is None:
                raise
            raise error from None


def connect(*, profile: str | None = None, host: str | None = None,
            limits: Limits = Limits()) -> Session:
    """A client with bounded requests. `host` (a target's workspace) wins over the
    environment and the profile, as it does for the Terraform provider."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    # the SDK logs a warning when the host-metadata probe fails; the failure that matters
    # comes from the first real call, worded below
    sdk_log = logging.getLogger("databricks.sdk")
    if not any(isinstance(h, logging.NullHandler) for h in sdk_log.handlers):
        sdk_log.addHandler(logging.NullHandler())
    sdk_log.propagate = bool(os.environ.get("BRICKLINE_DEBUG"))
    options: dict[str, Any] = {"http_timeout_seconds": limits.request,
                               "retry_timeout_seconds": max(1, int(limits.request)),
                               "clock": PatientClock(limits.request)}
    if profile:
        options["profile"] = profile
    if host:
        options["host"] = host
    shown = host or os.environ.get("DATABRICKS_HOST") or "the Databricks host"
    try:
        # the probe answers within one request's time, or has failed: the SDK then only
        # pauses before it gives up, and goes on without the host's settings
        config = within(limits.request + 1, lambda: Config(**options), shown)
    except ValueError as exc:
        raise OpsError(credentials_problem(str(exc), profile)) from None
    except Exception as exc:  # e.g. an OAuth token exchange that got no answer
        error = explain(exc, shown, limits)
        if error is None:
            raise
        raise error from None
    return Session(WorkspaceClient(config=config), config.host or shown, limits)


class PatientClock:
    """The SDK's clock (Config(clock=...), used by its retries: `core.py` ApiClient), with
    each pause cut to `longest` seconds: a 429 or 503 answer's Retry-After is slept in full
    (`retries.py`, `errors/customizer.py`), and one of an hour must not keep brickline
    waiting; the retry budget still ends the retries."""

    def __init__(self, longest: float) -> None:
        self._longest = longest

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, self._longest)))


def within(seconds: float, build: Callable[[], Any], host: str) -> Any:
    """`build()`, or an OpsError when it has not returned after `seconds`. Building the
    SDK's Config probes the host with a client of its own (`config.py`
    `_resolve_host_metadata`) that sleeps a Retry-After in full: it runs in a daemon thread,
    left behind when it overstays (brickline then exits)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = build()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="brickline-connect")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise OpsError(f"no answer from {host} within {seconds:.0f} s (asking it for its "
                       "settings): check the host (DATABRICKS_HOST, the profile's or the "
                       "target's host) and the network, or allow longer with --timeout")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def config_file() -> Path:
    """Where the SDK reads profiles: DATABRICKS_CONFIG_FILE, else ~/.databrickscfg."""
    return Path(os.environ.get("DATABRICKS_CONFIG_FILE") or "~/.databrickscfg").expanduser()


def credentials_problem(message: str, profile: str | None) -> str:
    """The SDK's ValueError from building its Config, in the user's terms."""
    missing = re.search(r"has no (\S+) profile configured", message)
    if missing or (profile and "cannot configure default credentials" in message
                   and not config_file().exists()):
        path = config_file()
        wanted = missing.group(1) if missing else profile
        if not path.exists():
            return (f"no profile '{wanted}': {path} does not exist (the profiles of "
                    "`databricks configure` live there; DATABRICKS_CONFIG_FILE names another "
                    "file); create it, or set DATABRICKS_HOST and DATABRICKS_TOKEN")
        names = profiles(path)
        known = f" (it has {', '.join(names)})" if names else ""
        return (f"no profile '{wanted}' in {path}{known}: pick one with --profile, "
                "or set DATABRICKS_HOST and DATABRICKS_TOKEN")
    if "cannot configure default credentials" in message:
        seen = re.search(r"Config: (.*)", message)
        found = ""
        if seen:
            settings = [s for s in re.split(r",\s*|\.\s+", seen.group(1).rstrip("."))
                        if s and not s.startswith(("http_timeout_seconds",
                                                   "retry_timeout_seconds"))]
            found = f" (found only: {', '.join(settings)})" if settings else ""
        where = f"the profile '{profile}' in {config_file()}" if profile else (
            f"DATABRICKS_HOST and DATABRICKS_TOKEN (or another DATABRICKS_* auth setting), "
            f"the DEFAULT profile in {config_file()}, or a profile named with --profile")
        return f"no Databricks credentials: brickline looks for {where}{found}"
    return f"the Databricks settings are not usable: {message.splitlines()[0]}"


def profiles(path: Path) -> list[str]:
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return []
    names = list(parser.sections())
    if parser.defaults():
        names.insert(0, "DEFAULT")
    return names


def explain(exc: BaseException, host: str, limits: Limits) -> OpsError | None:
    """What an SDK or network failure means, or None when it is not one (a bug)."""
    import requests
    from databricks.sdk.errors.base import DatabricksError
    from databricks.sdk.errors.platform import (
        DeadlineExceeded,
        InternalError,
        PermissionDenied,
        TemporarilyUnavailable,
        TooManyRequests,
        Unauthenticated,
    )

    if isinstance(exc, DatabricksError):
        # the SDK appends its settings to some messages ("... Config: host=..., Env: ...")
        said = re.sub(r"\.? Config: .*", "", str(exc), flags=re.DOTALL)
    if isinstance(exc, Unauthenticated):
        return OpsError(f"{host} refused the identity (401 unauthenticated: {said}): check "
                        "DATABRICKS_TOKEN or the profile's credentials; a token may have "
                        "expired")
    if isinstance(exc, PermissionDenied):
        return OpsError(f"{host} refused the identity (403 permission denied: {said}): ask for "
                        "access to the pipeline's jobs, or use another identity (--profile)")
    if isinstance(exc, DatabricksError):
        code = f" ({exc.error_code})" if getattr(exc, "error_code", None) else ""
        if isinstance(exc, (InternalError, TemporarilyUnavailable, DeadlineExceeded,
                            TooManyRequests)):
            return OpsError(f"{host} could not answer{code}: {said}; try again later")
        return OpsError(f"Databricks refused the request{code}: {said}")
    if isinstance(exc, (TimeoutError, requests.RequestException)):
        cause: BaseException = exc
        while cause.__cause__ is not None:
            cause = cause.__cause__
        if isinstance(cause, DatabricksError):  # answers that asked to retry, until the end
            error = explain(cause, host, limits)
            return OpsError(f"{error} (it kept answering so for {limits.request:.0f} s)")
        if isinstance(cause, requests.ConnectTimeout):
            why = "could not connect in time"
        elif isinstance(cause, requests.Timeout):
            why = "connected, but got no reply"
        elif isinstance(cause, requests.ConnectionError):
            why = "could not connect"
        else:
            why = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        return OpsError(f"no answer from {host} within {limits.request:.0f} s ({why}): check "
                        "the host (DATABRICKS_HOST, the profile's or the target's host) and "
                        "the network, or allow longer with --timeout")
    return None

"""The monitoring config (`monitoring.toml`) of `clinicwatch schedule`: parsed and checked up front.

Every problem is one `ConfigError` line naming the file, the table/key and what is wrong, so a
typo never turns into a schedule that silently does nothing. Relative paths in the file are
resolved against the file's own directory (so systemd and cron can start it from anywhere).
The format is documented in README.md ("Scheduled monitoring").
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from crawler import settings as crawl_settings
from crawler.seeds import clinic_key
from scheduler.config_reader import ConfigError, TableReader
from scheduler.timing import cron_trigger, format_duration, parse_duration

__all__ = ["ConfigError", "CrawlJob", "JobSpec", "MonitoringConfig", "ReportJob", "RescoreJob", "check_clinics",
           "cron_trigger", "default_job_store", "format_duration", "load_config", "parse_duration"]

DEFAULT_TIME_LIMIT = timedelta(hours=2)
DEFAULT_GRACE = timedelta(hours=1)
DEFAULT_SHUTDOWN_TIMEOUT = timedelta(seconds=90)
DEFAULT_RESCORE_CHECK = timedelta(hours=1)
KIND_ORDER = {"crawl": 0, "rescore": 1, "report": 2}  # --once runs due jobs in this order
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")

TOP_KEYS = {"db", "job_store", "timezone", "crawl_time_limit", "misfire_grace_time", "max_parallel_jobs",
            "shutdown_timeout", "crawl", "report", "rescore", "alerts"}
TRIGGER_KEYS = {"cron", "every", "timezone"}
CRAWL_KEYS = TRIGGER_KEYS | {"clinics", "tags", "all", "time_limit", "allow_private", "max_pages", "depth",
                             "delay", "settings", "report_after_crawl", "report_out", "parallel", "cluster"}
REPORT_KEYS = TRIGGER_KEYS | {"period", "out"}
RESCORE_KEYS = TRIGGER_KEYS | {"after_classifier_change"}


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job. `trigger` is an APScheduler 3 trigger; `trigger_text` is what the user wrote."""

    id: str  # crawl:<name> | report:<name> | rescore
    kind: str  # crawl | report | rescore
    name: str
    trigger: Any
    trigger_text: str
    timezone: str

    def signature(self) -> str:
        """Identity of the schedule: a persisted next run time is kept only while this is unchanged."""
        return f"{self.trigger_text} ({self.timezone})"

    def job_name(self) -> str:
        """The APScheduler job name (in its log lines); it carries the signature, compared at the next start."""
        return f"{self.id}: {self.signature()}"


@dataclass(frozen=True)
class CrawlJob(JobSpec):
    clinics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    all: bool = False
    time_limit: float = DEFAULT_TIME_LIMIT.total_seconds()
    settings: dict[str, str] = field(default_factory=dict)  # CLINICWATCH_* overrides for the crawl process
    report_after_crawl: bool = False
    report_out: Path | None = None
    parallel: int = crawl_settings.CLINICWATCH_PARALLEL_CRAWLS  # clinic crawls at once (scheduler/sweep.py)
    cluster: str = crawl_settings.CLINICWATCH_CLUSTER  # a Dask scheduler address, "" = this machine

    def selection(self) -> str:
        if self.all:
            return "all active clinics"
        parts = [f"clinics {', '.join(self.clinics)}" if self.clinics else "",
                 f"tags {', '.join(self.tags)}" if self.tags else ""]
        return "; ".join(p for p in parts if p)


@dataclass(frozen=True)
class ReportJob(JobSpec):
    out: Path = Path("reports")
    period: str | None = None  # week | month: "what changed" covers that many days


@dataclass(frozen=True)
class RescoreJob(JobSpec):
    after_classifier_change: bool = False


@dataclass(frozen=True)
class MonitoringConfig:
    path: Path
    db_path: Path | None  # None: the --db option decides
    job_store: Path | None  # None: <db stem>-jobs.sqlite beside the DB
    timezone: str
    crawl_time_limit: float
    misfire_grace_time: float
    max_parallel_jobs: int
    shutdown_timeout: float
    jobs: tuple[JobSpec, ...]
    alerts: Any = None  # scheduler.alerts.AlertConfig, or None without an [alerts] table
    alert_secrets: tuple[str, ...] = ()  # values never to be logged (URLs, passwords, tokens)

    def job(self, job_id: str) -> JobSpec | None:
        return next((j for j in self.jobs if j.id == job_id), None)

    def job_store_for(self, db_path: Path) -> Path:
        return self.job_store or default_job_store(db_path)


def default_job_store(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}-jobs.sqlite"


def _tables(reader: TableReader, key: str) -> dict[str, Any]:
    value = reader.table.get(key, {})
    if not isinstance(value, dict):
        reader.fail(key, f"must be tables like [{key}.NAME]")
    for name in value:
        if not _NAME.match(name):
            reader.fail("", f"[{key}.{name}]: job names may use letters, digits, - and _ only")
    return value


def known_settings() -> set[str]:
    """Every CLINICWATCH_* environment setting crawler/settings.py reads."""
    return set(crawl_settings.READERS)


def _crawl_settings(reader: TableReader) -> dict[str, str]:
    overrides: dict[str, str] = {}
    if reader.get("allow_private", bool, False):
        overrides["CLINICWATCH_ALLOW_PRIVATE"] = "1"
    for key, name, kind in (("max_pages", "CLINICWATCH_MAX_PAGES_PER_CLINIC", int),
                            ("depth", "CLINICWATCH_MAX_DEPTH", int),
                            ("delay", "CLINICWATCH_DOWNLOAD_DELAY", (int, float))):
        value = reader.get(key, kind)
        if value is not None:
            if value < 0 or (key == "max_pages" and value < 1):
                reader.fail(key, f"must be {'at least 1' if key == 'max_pages' else '0 or more'}, not {value!r}")
            overrides[name] = str(value)
    extra = reader.get("settings", dict, {})
    for name, value in extra.items():
        if name not in known_settings() or name == "CLINICWATCH_DB":
            reader.fail(f"settings.{name}", "unknown setting (see the CLINICWATCH_* names in crawler/settings.py)")
        if isinstance(value, bool):
            value = "1" if value else "0"
        if not isinstance(value, (str, int, float)):
            reader.fail(f"settings.{name}", f"must be a string or number, not {value!r}")
        try:  # the crawl reads it with the same reader: a bad value fails here, not in the crawl log
            crawl_settings.check_settings({name: str(value)})
        except crawl_settings.SettingError as exc:
            reader.fail(f"settings.{name}", str(exc))
        overrides[name] = str(value)
    return overrides


def _crawl_job(path: Path, name: str, table: Any, tz: str, time_limit: float) -> CrawlJob:
    r = TableReader(path, f"[crawl.{name}]", table, CRAWL_KEYS)
    trigger, text, tz_name = r.trigger(tz)
    clinics, tags, everything = r.names("clinics"), r.names("tags"), r.get("all", bool, False)
    if everything and (clinics or tags):
        r.fail("all", "all = true crawls every active clinic: drop clinics/tags, or all")
    if not (everything or clinics or tags):
        r.fail("", "choose clinics: clinics = [\"Name\", ...], tags = [\"tag\", ...] or all = true")
    report_after = r.get("report_after_crawl", bool, False)
    parallel = r.get("parallel", int, crawl_settings.CLINICWATCH_PARALLEL_CRAWLS)
    if parallel < 1:
        r.fail("parallel", f"must be at least 1, not {parallel!r}")
    cluster = r.get("cluster", str, crawl_settings.CLINICWATCH_CLUSTER)
    if cluster and not cluster.startswith(("tcp://", "tls://")):
        r.fail("cluster", f"must be a Dask scheduler address like tcp://HOST:8786, not {cluster!r}")
    return CrawlJob(
        id=f"crawl:{name}", kind="crawl", name=name, trigger=trigger, trigger_text=text, timezone=tz_name,
        clinics=clinics, tags=tags, all=everything, time_limit=r.duration("time_limit", timedelta(seconds=time_limit)),
        settings=_crawl_settings(r), report_after_crawl=report_after,
        report_out=r.path_value("report_out", f"reports/{name}" if report_after else None),
        parallel=parallel, cluster=cluster,
    )


def _report_job(path: Path, name: str, table: Any, tz: str) -> ReportJob:
    r = TableReader(path, f"[report.{name}]", table, REPORT_KEYS)
    trigger, text, tz_name = r.trigger(tz)
    period = r.get("period", str)
    if period is not None and period not in ("week", "month"):
        r.fail("period", f"must be \"week\" or \"month\", not {period!r}")
    return ReportJob(id=f"report:{name}", kind="report", name=name, trigger=trigger, trigger_text=text,
                     timezone=tz_name, out=r.path_value("out", f"reports/{name}"), period=period)


def _rescore_job(path: Path, table: Any, tz: str) -> RescoreJob:
    r = TableReader(path, "[rescore]", table, RESCORE_KEYS)
    after_change = r.get("after_classifier_change", bool, False)
    trigger, text, tz_name = r.trigger(tz, DEFAULT_RESCORE_CHECK if after_change else None)
    return RescoreJob(id="rescore", kind="rescore", name="rescore", trigger=trigger, trigger_text=text,
                      timezone=tz_name, after_classifier_change=after_change)


def _alerts(path: Path, table: Any) -> tuple[Any, tuple[str, ...]]:
    if table is None:
        return None, ()
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [alerts] must be a table")
    from scheduler.alerts import AlertConfig

    try:
        alerts = AlertConfig.from_toml(table)
    except ValueError as exc:
        message = " ".join(str(exc).split())
        for prefix in ("alerts.", "alerts: "):  # AlertConfig names its own table: say it once
            message = message[len(prefix):] if message.startswith(prefix) else message
        raise ConfigError(f"{path}: [alerts] {message}") from None
    password = getattr(getattr(alerts, "email", None), "password", None)
    return alerts, tuple(secret_values(table)) + ((password,) if password else ())


_SECRET_KEY = re.compile(r"url|pass|token|secret|key|webhook|auth|user", re.I)


def secret_values(table: Any, key: str = "") -> list[str]:
    """Values in the [alerts] table that must never reach a log (URLs, passwords, tokens)."""
    if isinstance(table, dict):
        return [s for k, v in table.items() for s in secret_values(v, str(k))]
    if isinstance(table, list):
        return [s for v in table for s in secret_values(v, key)]
    if isinstance(table, str) and len(table) >= 4 and (_SECRET_KEY.search(key) or "://" in table):
        return [table]
    return []


def load_config(path: str | Path) -> MonitoringConfig:
    """Read and check a monitoring config; raises ConfigError (one line) on any problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    top = TableReader(path, "", data, TOP_KEYS)
    tz_name = top.get("timezone", str, "UTC")
    top.timezone("UTC")
    time_limit = top.duration("crawl_time_limit", DEFAULT_TIME_LIMIT)
    parallel = top.get("max_parallel_jobs", int, 2)
    if parallel < 1:
        top.fail("max_parallel_jobs", f"must be at least 1, not {parallel}")
    jobs: list[JobSpec] = [_crawl_job(path, n, t, tz_name, time_limit) for n, t in _tables(top, "crawl").items()]
    jobs += [_report_job(path, n, t, tz_name) for n, t in _tables(top, "report").items()]
    if "rescore" in data:
        jobs.append(_rescore_job(path, data["rescore"], tz_name))
    if not jobs:
        top.fail("", "no jobs: add a [crawl.NAME], [report.NAME] or [rescore] table")
    alerts, secrets = _alerts(path, data.get("alerts"))
    return MonitoringConfig(
        path=path, db_path=top.path_value("db", None), job_store=top.path_value("job_store", None),
        timezone=tz_name, crawl_time_limit=time_limit,
        misfire_grace_time=top.duration("misfire_grace_time", DEFAULT_GRACE), max_parallel_jobs=parallel,
        shutdown_timeout=top.duration("shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT),
        jobs=tuple(jobs), alerts=alerts, alert_secrets=secrets,
    )


def check_clinics(config: MonitoringConfig, db: Any) -> None:
    """Every named clinic and tag of every crawl group must exist in the DB (ConfigError otherwise)."""
    rows = list(db.query("SELECT name, tags, active FROM clinics"))
    names = {clinic_key(r["name"]) for r in rows}
    tags = {t.casefold() for r in rows if r["active"] for t in (r["tags"] or "").split()}
    for job in config.jobs:
        if not isinstance(job, CrawlJob):
            continue
        where = f"{config.path}: [crawl.{job.name}]"
        unknown = [n for n in job.clinics if clinic_key(n) not in names]
        if unknown:
            raise ConfigError(f"{where} clinics: unknown clinic {', '.join(map(repr, unknown))}"
                              " (see `clinicwatch seeds list`)")
        unknown = [t for t in job.tags if t.casefold() not in tags]
        if unknown:
            raise ConfigError(f"{where} tags: no active clinic has tag {', '.join(map(repr, unknown))}")
        if job.all and not any(r["active"] for r in rows):
            raise ConfigError(f"{where} all: no active clinics in the database (clinicwatch seeds import ...)")

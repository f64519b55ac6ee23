"""Deterministic sample data for the CRM KPI warehouse.

Writes one extract per table of the raw contract (`shared/spec/raw_extracts.md`, as data in
`models/staging/crm/_crm__sources.yml`) for a fictitious company, Brightline Tools, selling
tools and software subscriptions to businesses and consumers from 2023-01-01 to 2025-06-30.
The CRM goes live on 2024-04-01 (the project's default `crm_go_live_date`); from then on leads
are contacted sooner, convert better, tickets are answered and resolved faster, fewer customers
come back with the same problem, more deals are won and the team uses the CRM more.

A small share of rows (about 1%) is deliberately dirty, one defect per row, each of them
recorded in `_defects.json` next to the extracts with the reason staging must give it
(`expected_reason`, e.g. `unparseable:created_at`), or with `expected_reason: null` for the
problems that are kept and flagged (malformed e-mails, orphan references, duplicate customers,
valid enumeration values spelled oddly).

Same seed and scale give byte-identical files: one `random.Random` stream, no wall clock, rows
written in a fixed order, fixed number formats and `\\n` line endings. Rows are streamed to the
files; only small lookups (users, campaigns, a window of recent customers) stay in memory.

Usage (from the project root)::

    PYTHONPATH=scripts python -m crm_kpi.generator --out seeds/crm_sample --seed 42 --scale 1 \\
        --write-seed-properties
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, ClassVar, TypeVar

T = TypeVar("T")
Row = dict[str, str]

# --------------------------------------------------------------------------------------------
# The contract tables as written (column order of the files)
# --------------------------------------------------------------------------------------------

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": (
        "customer_id", "customer_name", "email", "phone", "segment", "industry", "region",
        "country", "acquisition_channel", "owner_user_id", "created_at", "updated_at",
        "legacy_id",
    ),
    "leads": (
        "lead_id", "created_at", "email", "source_channel", "campaign_id", "owner_user_id",
        "status", "first_contacted_at", "qualified_at", "converted_at", "converted_customer_id",
        "estimated_value", "updated_at",
    ),
    "opportunities": (
        "opportunity_id", "customer_id", "lead_id", "owner_user_id", "opportunity_type", "stage",
        "amount", "currency", "created_at", "closed_at", "updated_at",
    ),
    # deliberately not in contract order: the contract says column order is free
    "orders": (
        "order_id", "ordered_at", "customer_id", "status", "amount", "currency", "cost_amount",
        "opportunity_id", "fulfilled_at", "updated_at",
    ),
    "subscriptions": (
        "subscription_id", "customer_id", "plan", "started_at", "ended_at", "annual_value",
        "currency", "renewed_from_subscription_id", "cancel_reason",
    ),
    "activities": (
        "activity_id", "activity_type", "user_id", "customer_id", "lead_id", "opportunity_id",
        "occurred_at", "due_at", "is_automated",
    ),
    "tickets": (
        "ticket_id", "customer_id", "category", "channel", "priority", "assigned_user_id",
        "created_at", "first_response_at", "resolved_at", "status", "resolution",
        "reopened_count", "updated_at",
    ),
    "survey_responses": (
        "response_id", "customer_id", "ticket_id", "survey_type", "score", "responded_at",
    ),
    "campaigns": (
        "campaign_id", "campaign_name", "channel", "started_at", "ended_at", "cost", "currency",
    ),
    "users": (
        "user_id", "full_name", "email", "team", "role", "region", "licensed_from",
        "licensed_to",
    ),
    "usage_events": ("event_id", "user_id", "occurred_at", "event_type"),
    "trainings": ("user_id", "course", "completed_at", "assessment_score"),
    "sales_targets": ("user_id", "period_start", "target_amount", "currency"),
    "crm_costs": ("cost_id", "incurred_on", "category", "amount", "currency"),
    "web_sessions": (
        "session_id", "visitor_id", "customer_id", "started_at", "duration_seconds", "converted",
    ),
    "exchange_rates": ("currency", "rate_date", "rate_to_reporting"),
    "holidays": ("holiday_date", "name"),
}  # fmt: skip

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "leads": ("lead_id",),
    "opportunities": ("opportunity_id",),
    "orders": ("order_id",),
    "subscriptions": ("subscription_id",),
    "activities": ("activity_id",),
    "tickets": ("ticket_id",),
    "survey_responses": ("response_id",),
    "campaigns": ("campaign_id",),
    "users": ("user_id",),
    "usage_events": ("event_id",),
    "trainings": ("user_id", "course"),
    "sales_targets": ("user_id", "period_start"),
    "crm_costs": ("cost_id",),
    "web_sessions": ("session_id",),
    "exchange_rates": ("currency", "rate_date"),
    "holidays": ("holiday_date",),
}

EXTRA_COLUMN_DESCRIPTIONS = {
    ("customers", "legacy_id"): "Record id in the spreadsheet-based system used before the CRM "
    "(not a contract column: extra columns are allowed and ignored).",
}

MANIFEST_NAME = "_defects.json"
SEED_PROPERTIES_NAME = "_crm_sample__seeds.yml"
CONTRACT_PATH = Path(__file__).resolve().parents[2] / "models/staging/crm/_crm__sources.yml"

# --------------------------------------------------------------------------------------------
# Calendar of the fictitious company
# --------------------------------------------------------------------------------------------

START = datetime(2023, 1, 1)
END = datetime(2025, 6, 30, 23, 59, 59)  # nothing in the extracts is later than this
GO_LIVE = datetime(2024, 4, 1)
N_MONTHS = 30
GO_LIVE_MONTH = 15
REPORTING_CURRENCY = "USD"
SEASON = (0.95, 1.0, 1.05, 1.05, 1.0, 0.95, 0.85, 0.8, 1.05, 1.1, 1.05, 0.85)


def _month_start(index: int) -> datetime:
    return datetime(2023 + index // 12, index % 12 + 1, 1)


def _month_index(moment: datetime) -> int:
    return (moment.year - 2023) * 12 + moment.month - 1


def _effect(moment: datetime) -> float:
    """How far the CRM's effect has come: 0 before go-live, 0.5 at go-live, 1 after 6 months."""
    if moment < GO_LIVE:
        return 0.0
    return min(1.0, 0.5 + (moment - GO_LIVE).days / 365.0)


def _mix(before: float, after: float, moment: datetime) -> float:
    return before + (after - before) * _effect(moment)


def _hours(value: float) -> timedelta:
    return timedelta(seconds=round(value * 3600))


def _days(value: float) -> timedelta:
    return timedelta(seconds=round(value * 86400))


def _midnight(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day)


# --------------------------------------------------------------------------------------------
# Text formats
# --------------------------------------------------------------------------------------------


def _ts(moment: datetime | None, style: str = "naive") -> str:
    """ISO-8601 text of a UTC instant: naive (UTC), `Z`, `+02:00` (same instant) or a date."""
    if moment is None:
        return ""
    if style == "date":
        return moment.strftime("%Y-%m-%d")
    if style == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "offset":
        return (moment + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _day(moment: datetime | date) -> str:
    return moment.strftime("%Y-%m-%d")


def _money(value: float) -> str:
    return f"{value:.2f}"


BOOLEAN_SPELLINGS = ((("true", "false"), 0.8), (("1", "0"), 0.1), (("yes", "no"), 0.05))
BOOLEAN_SPELLINGS_UPPER = (("TRUE", "FALSE"), 0.05)


def _weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    total = sum(weight for _, weight in options)
    pick = rng.random() * total
    for value, weight in options:
        pick -= weight
        if pick < 0:
            return value
    return options[-1][0]


def _bool_text(rng: random.Random, value: bool) -> str:
    spelling = _weighted(rng, (*BOOLEAN_SPELLINGS, BOOLEAN_SPELLINGS_UPPER))
    return spelling[0] if value else spelling[1]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder, stable)."""
    rest = max(0, total - minimum * len(weights))
    raw = [rest * weight / sum(weights) for weight in weights]
    counts = [math.floor(value) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [minimum + count for count in counts]


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A whole-second instant in [start, end)."""
    span = max(1, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randrange(span))


def _work_moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """Like `_moment`, but mostly on weekdays during office hours."""
    for _ in range(4):
        day = _midnight(_moment(rng, start, end))
        if day.weekday() < 5 or rng.random() < 0.1:
            break
    moment = day + _hours(8 + rng.triangular(0, 10, 2))
    return moment if start <= moment < end else _moment(rng, start, end)


# --------------------------------------------------------------------------------------------
# Vocabulary of the fictitious world
# --------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Aisha", "Alejandro", "Amara", "Anders", "Anna", "Arjun", "Beatriz", "Bilal", "Camille",
    "Carlos", "Chen", "Chloe", "Daniel", "Dara", "Dmitri", "Elena", "Emeka", "Emma", "Farah",
    "Fatima", "Felix", "Gabriel", "Hana", "Hassan", "Ines", "Ivan", "Jakob", "Jamal", "Julia",
    "Kamal", "Kenji", "Lars", "Layla", "Leon", "Lucia", "Mateo", "Maya", "Mei", "Mohammed",
    "Nadia", "Nina", "Noah", "Oksana", "Olga", "Omar", "Parisa", "Priya", "Rafael", "Rania",
    "Reza", "Rosa", "Sara", "Sofia", "Tariq", "Thomas", "Viktor", "Yara", "Yusuf", "Zainab",
    "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Abbasi", "Adeyemi", "Alvarez", "Andersen", "Bakker", "Becker", "Bianchi", "Bondarenko",
    "Costa", "Dubois", "Eriksson", "Farouk", "Fischer", "Garcia", "Haddad", "Hansen", "Hoffmann",
    "Ibrahim", "Ito", "Jansen", "Karimi", "Khalil", "Kim", "Kovalenko", "Kowalski", "Larsen",
    "Lee", "Lindqvist", "Lopez", "Martin", "Meyer", "Moradi", "Moreau", "Murphy", "Nakamura",
    "Nguyen", "Novak", "Okafor", "Olsen", "Park", "Patel", "Petrov", "Rahimi", "Rossi",
    "Santos", "Sato", "Schmidt", "Shevchenko", "Silva", "Singh", "Tanaka", "Thompson", "Torres",
    "Wagner", "Walker", "Weber", "Wong", "Yilmaz", "Zhang", "Zielinski",
)  # fmt: skip
COMPANY_PREFIXES = (
    "Amber", "Apex", "Arrow", "Aurora", "Birch", "Blue", "Bright", "Cedar", "Clear", "Cobalt",
    "Copper", "Crest", "Delta", "Eagle", "Ember", "Evergreen", "Falcon", "Fern", "Golden",
    "Granite", "Harbor", "Iron", "Juniper", "Lake", "Maple", "Meadow", "North", "Oak", "Orbit",
    "Pine", "Prairie", "Quartz", "Red", "River", "Silver", "Stone", "Summit", "Swift", "Terra",
    "Willow",
)  # fmt: skip
COMPANY_CORES = (
    "bay", "beam", "bridge", "brook", "dale", "field", "ford", "gate", "grove", "haven", "hill",
    "line", "mark", "mill", "point", "port", "ridge", "rock", "shore", "side", "spring", "vale",
    "view", "wave", "well", "wood", "works", "yard", "crest", "stead",
)  # fmt: skip
INDUSTRIES = (
    ("Manufacturing", "Industries"), ("Retail", "Retail"), ("Healthcare", "Health"),
    ("Software", "Software"), ("Logistics", "Logistics"), ("Financial Services", "Finance"),
    ("Education", "Learning"), ("Hospitality", "Hospitality"), ("Construction", "Builders"),
    ("Energy", "Energy"),
)  # fmt: skip
REGIONS = (("North America", 0.45), ("EMEA", 0.35), ("APAC", 0.12), ("LATAM", 0.08))
COUNTRIES = {
    "North America": (("US", 0.8), ("CA", 0.2)),
    "EMEA": (("GB", 0.35), ("DE", 0.25), ("FR", 0.15), ("NL", 0.1), ("ES", 0.1), ("SE", 0.05)),
    "APAC": (("AU", 0.5), ("SG", 0.3), ("JP", 0.2)),
    "LATAM": (("BR", 0.6), ("MX", 0.4)),
}
COUNTRY_INFO = {  # country: (calling code, legal suffix, billing currency)
    "US": ("1", "Inc.", "USD"), "CA": ("1", "Ltd.", "USD"), "GB": ("44", "Ltd", "GBP"),
    "DE": ("49", "GmbH", "EUR"), "FR": ("33", "SAS", "EUR"), "NL": ("31", "B.V.", "EUR"),
    "ES": ("34", "S.L.", "EUR"), "SE": ("46", "AB", "EUR"), "AU": ("61", "Pty Ltd", "USD"),
    "SG": ("65", "Pte Ltd", "USD"), "JP": ("81", "K.K.", "USD"), "BR": ("55", "Ltda", "USD"),
    "MX": ("52", "S.A. de C.V.", "USD"),
}  # fmt: skip
SEGMENT_SPELLINGS = {
    "consumer": ("consumer", "Consumer"),
    "smb": ("smb", "SMB"),
    "mid_market": ("mid_market", "Mid Market", "Mid-Market"),
    "enterprise": ("enterprise", "Enterprise"),
}
DEAL_SIZE_USD = {"consumer": 120.0, "smb": 650.0, "mid_market": 2400.0, "enterprise": 9000.0}
PLANS = {"smb": ("Starter", 2400.0), "mid_market": ("Professional", 9600.0),
         "enterprise": ("Enterprise", 36000.0)}  # fmt: skip
SUBSCRIBE_SHARE = {"consumer": 0.0, "smb": 0.35, "mid_market": 0.7, "enterprise": 0.8}
MIGRATED_SEGMENTS = (("consumer", 0.3), ("smb", 0.42), ("mid_market", 0.2), ("enterprise", 0.08))
CANCEL_REASONS = (
    ("price", 0.25), ("Switched to competitor", 0.2), ("no longer needed", 0.2),
    ("Poor support", 0.1), ("budget cuts", 0.15), ("Missing features", 0.1),
)  # fmt: skip
LEAD_SOURCES = (("outbound", 0.35), ("referral", 0.25), ("partner", 0.15), ("web", 0.25))
DIRECT_CHANNELS = (("web", 0.6), ("referral", 0.25), ("partner", 0.1), ("event", 0.05))
CAMPAIGN_CHANNELS = (  # channel, lead source it produces, cost range in USD
    ("email", "web", (1500.0, 4000.0)), ("paid_search", "web", (6000.0, 15000.0)),
    ("social", "web", (3000.0, 9000.0)), ("event", "event", (15000.0, 35000.0)),
    ("webinar", "web", (2000.0, 6000.0)),
)  # fmt: skip
CAMPAIGN_THEMES = (  # by quarter of the start date
    ("New Year Kickoff", "Pro Toolkit", "Cloud Migration"),
    ("Spring Launch", "Small Business Week", "Partner Days"),
    ("Summer Deals", "Field Service", "Back to Business"),
    ("Trade Fair", "Year End", "Budget Planning"),
)  # fmt: skip
TEAM_SHARES = (("sales", 0.4), ("support", 0.3), ("marketing", 0.13), ("success", 0.17))
ROLES = {
    "sales": ("Account Executive", "Sales Development Rep", "Account Executive", "Sales Manager"),
    "support": ("Support Agent", "Support Agent", "Support Lead"),
    "marketing": ("Marketing Specialist", "Marketing Manager"),
    "success": ("Customer Success Manager",),
}
TICKET_CATEGORIES = (("question", 0.4), ("request", 0.25), ("incident", 0.2), ("complaint", 0.15))
TICKET_CHANNELS = (("email", 0.35), ("phone", 0.25), ("chat", 0.2), ("web", 0.15), ("social", 0.05))
TICKET_PRIORITIES = (("low", 0.2), ("normal", 0.5), ("high", 0.22), ("urgent", 0.08))
RESOLUTIONS = (("solved", 0.8), ("unsolved", 0.1), ("duplicate", 0.06), ("spam", 0.04))
CSAT_BEFORE = ((1, 0.08), (2, 0.12), (3, 0.2), (4, 0.35), (5, 0.25))
CSAT_AFTER = ((1, 0.03), (2, 0.05), (3, 0.12), (4, 0.38), (5, 0.42))
NPS_BEFORE = tuple(
    (s, w) for s, w in zip(range(11), (2, 2, 3, 3, 4, 6, 8, 16, 19, 20, 17), strict=True)
)
NPS_AFTER = tuple(
    (s, w) for s, w in zip(range(11), (1, 1, 1, 2, 2, 3, 5, 13, 20, 26, 26), strict=True)
)
USAGE_TYPES_BEFORE = (("login", 0.45), ("record_created", 0.2), ("record_updated", 0.25),
                      ("report_viewed", 0.1))  # fmt: skip
USAGE_TYPES_AFTER = (("login", 0.3), ("record_created", 0.2), ("record_updated", 0.25),
                     ("report_viewed", 0.13), ("automation_run", 0.12))  # fmt: skip
COURSES = {
    "sales": "Pipeline Management", "support": "Service Desk Essentials",
    "marketing": "Campaign Tracking", "success": "Account Health Reviews",
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Small records kept in memory
# --------------------------------------------------------------------------------------------


@dataclass
class User:
    user_id: str
    full_name: str
    email: str
    team: str
    role: str
    region: str
    employed_from: datetime | None
    employed_to: datetime | None
    licensed_from: datetime | None
    licensed_to: datetime | None
    engagement: float
    show_licensed_from: bool = True  # False: seat start defaults to the first activity

    def employed(self, moment: datetime) -> bool:
        after_start = self.employed_from is None or moment >= self.employed_from
        return after_start and (self.employed_to is None or moment < self.employed_to)

    def licensed(self, moment: datetime) -> bool:
        start = self.licensed_from or self.employed_from
        started = start is not None and moment >= start
        return started and (self.licensed_to is None or moment < self.licensed_to)


@dataclass
class Campaign:
    campaign_id: str
    channel: str
    lead_source: str
    started: datetime
    ended: datetime


@dataclass
class Company:
    name: str
    email: str
    phone: str
    country: str
    region: str
    currency: str
    industry: str
    consumer: bool


@dataclass
class CustomerRef:
    """What later rows (and defect rows) need to know about a clean customer."""

    customer_id: str
    created: datetime
    email: str
    phone: str
    name: str
    currency: str


@dataclass
class Customer:
    customer_id: str
    company: Company
    segment: str
    created: datetime
    channel: str
    owner: User | None
    won_opportunity: tuple[str, float] | None  # (opportunity_id, amount in USD)
    subscribes: bool
    migrated: bool = False  # imported from the old spreadsheets in the first week
    visitor_id: str = ""


@dataclass
class Lead:
    lead_id: str
    created: datetime
    company: Company
    segment: str
    owner: User
    source: str
    campaign_id: str
    contacted: datetime | None = None
    qualified: datetime | None = None
    converted: datetime | None = None
    customer_id: str = ""
    status: str = "new"
    last_event: datetime = START


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


class TableWriter:
    """One CSV extract: header, RFC 4180 quoting, `\\n` line endings, rows numbered from 1."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self._known = frozenset(columns)
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        self._csv.writerow(self.columns)
        self.rows = 0

    def write(self, row: Row) -> int:
        unknown = row.keys() - self._known
        if unknown:
            raise KeyError(f"columns not in the table: {sorted(unknown)}")
        self._csv.writerow([row.get(column, "") for column in self.columns])
        self.rows += 1
        return self.rows

    def close(self) -> None:
        self._file.close()


class Ids:
    """Sequential ids per prefix (`C00001`); a skipped id is a deleted record."""

    WIDTH: ClassVar[dict[str, int]] = {
        "C": 5,
        "L": 5,
        "OP": 5,
        "OR": 6,
        "SB": 5,
        "A": 6,
        "T": 5,
        "R": 5,
        "E": 6,
        "W": 6,
    }

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def new(self, prefix: str) -> str:
        number = self._next.get(prefix, 1)
        self._next[prefix] = number + 1
        return f"{prefix}{number:0{self.WIDTH.get(prefix, 4)}d}"


# --------------------------------------------------------------------------------------------
# The clean data
# --------------------------------------------------------------------------------------------


@dataclass
class Volumes:
    """Row counts of the big tables at scale 1 (the rest follows from the lifecycles)."""

    leads: int = 4000
    migrated_customers: int = 280
    direct_customers: int = 640
    anonymous_sessions: int = 2200
    anonymous_tickets: int = 90
    usage_events: int = 11000
    users: int = 45
    campaigns: int = 24


class World:
    """Generates the clean rows; `Defects` adds the dirty ones. Both write through `write`."""

    def __init__(self, out_dir: Path, seed: int, scale: float) -> None:
        self.seed = seed
        self.scale = scale
        self.rng = random.Random(seed)
        self.volumes = Volumes()
        self.writers = {
            table: TableWriter(out_dir / f"{table}.csv", columns)
            for table, columns in TABLE_COLUMNS.items()
        }
        self.ids = Ids()
        self.users: list[User] = []
        self.campaigns: list[Campaign] = []
        self.rates: dict[tuple[str, int], float] = {}
        self.recent_customers: deque[CustomerRef] = deque(maxlen=400)
        self.deleted_customer_ids: list[str] = []
        self.deleted_lead_ids: list[str] = []
        self.visitors: deque[str] = deque(maxlen=600)
        self.won_usd_by_month = [0.0] * N_MONTHS
        self._company_counter = 0
        self._phone_counter = 0
        self._person_counter = 0
        self._campaigns_by_month: list[list[Campaign]] = []
        self._usage_scale: float | None = None
        self._user_pools: dict[tuple[str, date], list[User]] = {}
        self._session_weights = self._month_weights(0.02, 1.1)
        self.defects = Defects(self)

    # ---- plumbing ----------------------------------------------------------------------

    def write(self, table: str, row: Row) -> int:
        return self.writers[table].write(row)

    def close(self) -> dict[str, int]:
        for writer in self.writers.values():
            writer.close()
        return {table: writer.rows for table, writer in self.writers.items()}

    def gentle(self, base: int, minimum: int) -> int:
        """Counts that grow slowly with scale (users, campaigns)."""
        return max(minimum, round(base * self.scale**0.35))

    def scaled(self, base: int) -> int:
        return max(1, round(base * self.scale))

    def rate(self, currency: str, moment: datetime) -> float:
        if currency == REPORTING_CURRENCY:
            return 1.0
        return self.rates[(currency, max(-1, min(N_MONTHS - 1, _month_index(moment))))]

    def local(self, usd: float, currency: str, moment: datetime) -> float:
        return round(usd / self.rate(currency, moment), 2)

    def currency_text(self, currency: str) -> str:
        if currency == REPORTING_CURRENCY:
            return _weighted(self.rng, (("USD", 0.7), ("", 0.3)))
        return currency if self.rng.random() < 0.9 else currency.lower()

    def style(self) -> str:
        return _weighted(self.rng, (("naive", 0.82), ("z", 0.11), ("offset", 0.07)))

    def pick_user(self, team: str, moment: datetime) -> User:
        """A user of the team employed at `moment` (employment changes at midnight)."""
        key = (team, moment.date())
        pool = self._user_pools.get(key)
        if pool is None:
            pool = [u for u in self.users if u.team == team and u.employed(moment)]
            pool = pool or [u for u in self.users if u.employed(moment)] or self.users
            self._user_pools[key] = pool
        return self.rng.choice(pool)

    def acting_user(self, owner: User | None, team: str, moment: datetime) -> User:
        if owner is not None and owner.employed(moment):
            return owner
        return self.pick_user(team, moment)

    def pick_customer(self, moment: datetime) -> CustomerRef | None:
        """A recent clean customer created before `moment` (None when there is none yet)."""
        pool = [c for c in self.recent_customers if c.created < moment]
        return self.rng.choice(pool) if pool else None

    # ---- the run ---------------------------------------------------------------------------

    def run(self) -> None:
        self.write_exchange_rates()
        self.write_holidays()
        self.make_users()
        self.make_campaigns()
        self.write_crm_costs()
        self.write_trainings()
        lead_counts = _allocate(self.scaled(self.volumes.leads), self._month_weights(0.02, 1.15))
        direct_counts = _allocate(
            self.scaled(self.volumes.direct_customers), self._month_weights(0.015, 1.1)
        )
        self.migrated_customers()
        for month in range(N_MONTHS):
            self.run_month(month, lead_counts[month], direct_counts[month])
        self.defects.flush()
        self.write_sales_targets()

    def run_month(self, month: int, n_leads: int, n_direct: int) -> None:
        start, end = _month_start(month), min(_month_start(month + 1), END + timedelta(seconds=1))
        self.deleted_customer_ids.append(self.ids.new("C"))
        self.deleted_lead_ids.append(self.ids.new("L"))
        for created in sorted(_work_moment(self.rng, start, end) for _ in range(n_leads)):
            self.lead(created)
        for created in sorted(_moment(self.rng, start, end) for _ in range(n_direct)):
            self.direct_customer(created)
        self.anonymous_tickets(month, start, end)
        self.anonymous_sessions(month, start, end)
        self.usage_events(month, start, end)
        self.defects.emit_month(month)

    def _month_weights(self, growth: float, uplift: float) -> list[float]:
        return [
            (1 + growth * m) * (uplift if m >= GO_LIVE_MONTH else 1.0) * SEASON[m % 12]
            for m in range(N_MONTHS)
        ]

    # ---- reference data ----------------------------------------------------------------

    def write_exchange_rates(self) -> None:
        rates_rng = random.Random(f"{self.seed}-exchange-rates")
        for currency, level, low, high in (("EUR", 1.07, 1.02, 1.14), ("GBP", 1.22, 1.18, 1.32)):
            for month in range(-1, N_MONTHS):
                level = min(high, max(low, level + rates_rng.gauss(0, 0.012)))
                self.rates[(currency, month)] = round(level, 4)
                rate_date = date(2022, 12, 1) if month < 0 else _month_start(month).date()
                self.write(
                    "exchange_rates",
                    {"currency": currency, "rate_date": _day(rate_date),
                     "rate_to_reporting": f"{round(level, 4):.4f}"},
                )  # fmt: skip

    def write_holidays(self) -> None:
        for year in (2023, 2024, 2025):
            for day, name in _holidays(year):
                self.write("holidays", {"holiday_date": _day(day), "name": name})

    def make_users(self) -> None:
        n_users = self.gentle(self.volumes.users, 12)
        counts = _allocate(n_users, [share for _, share in TEAM_SHARES], minimum=2)
        for (team, _), count in zip(TEAM_SHARES, counts, strict=True):
            for index in range(count):
                self.users.append(self._user(team, index, count))
        for user in self.users:
            self.write("users", self._user_row(user))

    def _user(self, team: str, index: int, team_size: int) -> User:
        rng = self.rng
        number = len(self.users) + 1
        first = FIRST_NAMES[(number * 7) % len(FIRST_NAMES)]
        last = LAST_NAMES[(number * 13 + number // len(LAST_NAMES)) % len(LAST_NAMES)]
        region = _weighted(rng, REGIONS[:2] if team != "sales" else REGIONS)
        user = User(
            user_id=f"U{number:03d}", full_name=f"{first} {last}",
            email=f"{first}.{last}{number}@brightline.example.com".lower(), team=team,
            role=ROLES[team][index % len(ROLES[team])], region=region, employed_from=None,
            employed_to=None, licensed_from=None, licensed_to=None,
            engagement=rng.lognormvariate(0, 0.35),
        )  # fmt: skip
        self._licence(user, index, team_size)
        return user

    def _licence(self, user: User, index: int, team_size: int) -> None:
        """Pilots before go-live, most around it, late adopters, new hires and leavers."""
        rng = self.rng
        kind = _weighted(rng, (("standard", 0.72), ("pilot", 0.08), ("late", 0.08), ("hire", 0.12)))
        if index == 0 and user.team in ("sales", "support"):
            kind = "pilot"
        if index == team_size - 1 and user.team == "success":
            kind = "hire_without_seat_date"
        if kind == "pilot":
            user.licensed_from = datetime(2023, 11, 6) + timedelta(days=rng.randrange(60))
        elif kind == "late":
            user.licensed_from = datetime(2024, 5, 2) + timedelta(days=rng.randrange(120))
            user.engagement *= 0.6
        elif kind.startswith("hire"):
            user.employed_from = datetime(2024, 6, 3) + timedelta(days=rng.randrange(270))
            user.licensed_from = user.employed_from + timedelta(days=rng.randrange(6))
            user.show_licensed_from = kind == "hire"
        else:
            user.licensed_from = datetime(2024, 3, 11) + timedelta(days=rng.randrange(22))
        if rng.random() < 0.12 or (index == 1 and user.team in ("sales", "support")):
            self._leaver(user)
        if rng.random() < 0.08:
            user.engagement *= 0.15  # a seat that is hardly used

    def _leaver(self, user: User) -> None:
        start = max(datetime(2024, 9, 2), (user.licensed_from or GO_LIVE) + timedelta(days=90))
        if start < datetime(2025, 5, 1):
            user.licensed_to = start + timedelta(
                days=self.rng.randrange((datetime(2025, 5, 30) - start).days)
            )
            user.employed_to = user.licensed_to

    def _user_row(self, user: User) -> Row:
        style = "date" if self.rng.random() < 0.8 else "naive"
        licensed_from = user.licensed_from if user.show_licensed_from else None
        if licensed_from is not None and style == "naive":
            licensed_from += timedelta(hours=9)
        return {
            "user_id": user.user_id, "full_name": user.full_name, "email": user.email,
            "team": user.team, "role": user.role, "region": user.region,
            "licensed_from": _ts(licensed_from, style),
            "licensed_to": _ts(user.licensed_to, "date"),
        }  # fmt: skip

    def make_campaigns(self) -> None:
        count = self.gentle(self.volumes.campaigns, 6)
        span = (datetime(2025, 5, 20) - datetime(2023, 1, 9)).days
        eur_slots = {count // 5, count // 2, (4 * count) // 5}
        for index in range(count):
            channel, source, (low, high) = CAMPAIGN_CHANNELS[index % len(CAMPAIGN_CHANNELS)]
            started = datetime(2023, 1, 9) + timedelta(days=span * index // count)
            started += timedelta(days=self.rng.randrange(14))
            ended = min(END, started + timedelta(days=self.rng.randrange(28, 95)))
            campaign = Campaign(
                f"CMP{index + 1:03d}", channel, source, _midnight(started), _midnight(ended)
            )
            self.campaigns.append(campaign)
            currency = "EUR" if index in eur_slots else REPORTING_CURRENCY
            cost = self.local(self.rng.uniform(low, high), currency, started)
            themes = CAMPAIGN_THEMES[(started.month - 1) // 3]
            theme = themes[index % len(themes)]
            self.write(
                "campaigns",
                {"campaign_id": campaign.campaign_id,
                 "campaign_name": f"{theme} {started.year} ({channel.replace('_', ' ')})",
                 "channel": channel, "started_at": _day(campaign.started),
                 "ended_at": _day(campaign.ended), "cost": _money(cost),
                 "currency": self.currency_text(currency)},
            )  # fmt: skip
        for month in range(N_MONTHS):
            start, end = _month_start(month), _month_start(month + 1)
            self._campaigns_by_month.append(
                [
                    c
                    for c in self.campaigns
                    if c.started < end and c.ended + timedelta(days=1) > start
                ]
            )

    def pick_campaign(self, moment: datetime) -> Campaign | None:
        running = [
            c
            for c in self._campaigns_by_month[_month_index(moment)]
            if c.started <= moment < c.ended + timedelta(days=1)
        ]
        if not running or self.rng.random() > 0.62:
            return None
        return self.rng.choice(running)

    def write_crm_costs(self) -> None:
        lines: list[tuple[date, str, float, str]] = [
            (date(2023, 8, 14), "research_planning", 6500.0, "USD"),
            (date(2023, 9, 11), "research_planning", 4800.0, "USD"),
            (date(2023, 10, 2), "research_planning", 3200.0, "USD"),
            (date(2023, 11, 15), "implementation", 12000.0, "USD"),
            (date(2023, 12, 15), "implementation", 18500.0, "USD"),
            (date(2024, 1, 15), "implementation", 16000.0, "USD"),
            (date(2024, 2, 15), "implementation", 14200.0, "USD"),
            (date(2024, 2, 20), "other", 3400.0, "EUR"),
            (date(2024, 3, 4), "training", 4500.0, "USD"),
            (date(2024, 3, 15), "implementation", 9800.0, "USD"),
            (date(2024, 3, 25), "training", 3800.0, "USD"),
            (date(2024, 4, 22), "training", 2600.0, "USD"),
            (date(2024, 6, 10), "training", 1900.0, "USD"),
            (date(2024, 9, 16), "training", 900.0, "USD"),
            (date(2024, 10, 7), "other", 1500.0, "USD"),
            (date(2025, 1, 13), "training", 900.0, "USD"),
        ]
        for month in range(10, N_MONTHS):  # licences from the pilot (Nov 2023)
            start = _month_start(month)
            seats = sum(1 for u in self.users if u.licensed(start + timedelta(days=14)))
            lines.append((start.date(), "license", 65.0 * seats, "USD"))
            if month >= GO_LIVE_MONTH:
                support = 2400.0 if month < GO_LIVE_MONTH + 3 else 1250.0
                lines.append((start.date() + timedelta(days=4), "support", support, "USD"))
        for day, category, amount, currency in sorted(lines):
            self.write(
                "crm_costs",
                {"cost_id": self.ids.new("K"), "incurred_on": _day(day), "category": category,
                 "amount": _money(amount), "currency": currency},
            )  # fmt: skip
        self.defects.emit_static("crm_costs")

    def write_trainings(self) -> None:
        for user in self.users:
            start = user.licensed_from or GO_LIVE
            courses = ["CRM Fundamentals", COURSES[user.team]]
            if self.rng.random() < 0.4:
                courses.append("Reports and Dashboards")
            if self.rng.random() < 0.3:
                courses.append("Automation Workflows")
            for course in courses:
                self._training(user, course, start)
        self.defects.emit_static("trainings")

    def _training(self, user: User, course: str, start: datetime) -> None:
        rng = self.rng
        done = _work_moment(rng, start - timedelta(days=10), start + timedelta(days=50))
        if course == "Automation Workflows":
            done += timedelta(days=rng.randrange(60, 200))
        completed = rng.random() < 0.85 and done <= END and (user.employed_to or END) > done
        score = min(100.0, max(48.0, rng.gauss(82, 9)))
        score_text = f"{score:.1f}" if rng.random() < 0.3 else str(round(score))
        style = "date" if rng.random() < 0.3 else "naive"
        self.write(
            "trainings",
            {"user_id": user.user_id, "course": course,
             "completed_at": _ts(done, style) if completed else "",
             "assessment_score": score_text if completed else ""},
        )  # fmt: skip

    def write_sales_targets(self) -> None:
        """Monthly quota per sales rep, set a little above the team's recent won revenue."""
        sales = [u for u in self.users if u.team == "sales"]
        for month in range(N_MONTHS):
            start = _month_start(month)
            reps = [u for u in sales if u.employed(start + timedelta(days=14))]
            per_rep = self._target_per_rep(month, len(reps))
            for user in reps:
                currency = "EUR" if user.region == "EMEA" and user.engagement > 1.0 else "USD"
                usd = per_rep * self.rng.uniform(0.8, 1.2)
                self.write(
                    "sales_targets",
                    {"user_id": user.user_id, "period_start": _day(start),
                     "target_amount": _money(round(self.local(usd, currency, start), -2)),
                     "currency": currency},
                )  # fmt: skip
        self.defects.emit_static("sales_targets")

    def _target_per_rep(self, month: int, reps: int) -> float:
        """A little above the won revenue per rep around the month (never below half the mean)."""
        won = self.won_usd_by_month
        window = won[max(0, month - 3) : month + 3]
        overall = sum(won) / N_MONTHS
        return 1.1 * max(sum(window) / len(window), 0.5 * overall) / max(1, reps)

    # ---- people and companies ----------------------------------------------------------

    def person(self) -> tuple[str, str]:
        self._person_counter += 1
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def phone(self, country: str) -> str:
        """A phone number unique per call (bijection of a counter), in one of a few layouts."""
        self._phone_counter += 1
        body = f"{1_000_000 + (self._phone_counter * 7919) % 9_000_000:07d}"
        code = COUNTRY_INFO[country][0]
        return _format_phone(code, body, self.rng.randrange(3))

    def company(self, consumer: bool) -> Company:
        rng = self.rng
        region = _weighted(rng, REGIONS)
        country = _weighted(rng, COUNTRIES[region])
        first, last = self.person()
        industry, word = rng.choice(INDUSTRIES)
        if consumer:
            name = f"{first} {last}"
            email = f"{first}.{last}{self._person_counter}@mail.example.net".lower()
            industry = "Individual"
        else:
            base = self._company_base()
            name = f"{base} {word} {COUNTRY_INFO[country][1]}"
            email = f"{first}.{last}@{base}.example.com".lower()
        return Company(
            name=name, email=email, phone=self.phone(country),
            country=country, region=region, currency=COUNTRY_INFO[country][2],
            industry=industry, consumer=consumer,
        )  # fmt: skip

    def _company_base(self) -> str:
        """A company stem unique per call: a bijection of a counter onto prefix x core."""
        combos = len(COMPANY_PREFIXES) * len(COMPANY_CORES)
        number = self._company_counter
        self._company_counter += 1
        mixed = (number * 787) % combos
        base = (
            COMPANY_PREFIXES[mixed // len(COMPANY_CORES)]
            + COMPANY_CORES[mixed % len(COMPANY_CORES)]
        )
        return base if number < combos else f"{base}{number // combos + 1}"

    # ---- leads and new business --------------------------------------------------------

    def lead(self, created: datetime) -> None:
        rng = self.rng
        campaign = self.pick_campaign(created)
        segment = _weighted(rng, (("smb", 0.5), ("mid_market", 0.35), ("enterprise", 0.15)))
        lead = Lead(
            lead_id=self.ids.new("L"), created=created, company=self.company(consumer=False),
            segment=segment, owner=self.pick_user("sales", created),
            source=campaign.lead_source if campaign else _weighted(rng, LEAD_SOURCES),
            campaign_id=campaign.campaign_id if campaign else "", last_event=created,
        )  # fmt: skip
        self._lead_funnel(lead)
        self.write("leads", self._lead_row(lead))

    def _lead_funnel(self, lead: Lead) -> None:
        rng = self.rng
        self._automated_welcome(lead)
        lead.contacted = self._first_contact(lead.created)
        if lead.contacted is None:
            lead.status = "new" if END - lead.created < timedelta(days=45) else "lost"
            return
        lead.last_event = lead.contacted
        self._contact_activities(lead)
        decision = lead.contacted + _days(rng.uniform(2, 20))
        if decision > END:
            lead.status = "working"
        elif rng.random() < _mix(0.33, 0.43, lead.contacted):
            lead.qualified, lead.status, lead.last_event = decision, "qualified", decision
            self.new_business(lead)
        else:
            lead.status, lead.last_event = "unqualified", decision

    def _first_contact(self, created: datetime) -> datetime | None:
        rng = self.rng
        if rng.random() < _mix(0.16, 0.03, created):
            return None  # never contacted: a neglected request
        contact = created + _hours(rng.lognormvariate(math.log(_mix(30.0, 3.5, created)), 1.0))
        return contact if contact <= END else None

    def _automated_welcome(self, lead: Lead) -> None:
        if self.rng.random() < _mix(0.0, 0.5, lead.created):
            when = lead.created + timedelta(minutes=self.rng.randrange(1, 15))
            if when <= END:
                self.activity("email", lead.owner, when, lead_id=lead.lead_id, automated=True)

    def _contact_activities(self, lead: Lead) -> None:
        rng = self.rng
        assert lead.contacted is not None
        if rng.random() < _mix(0.65, 1.0, lead.contacted):
            kind = _weighted(rng, (("call", 0.55), ("email", 0.45)))
            self.activity(kind, lead.owner, lead.contacted, lead_id=lead.lead_id)
        for _ in range(_poisson(rng, _mix(0.25, 0.6, lead.contacted))):
            due = lead.contacted + _days(rng.uniform(1, 7))
            kind = _weighted(rng, (("follow_up", 0.6), ("task", 0.4)))
            self.task(kind, lead.owner, lead.contacted, due, lead_id=lead.lead_id)

    def new_business(self, lead: Lead) -> None:
        rng = self.rng
        assert lead.qualified is not None
        created = lead.qualified + _hours(rng.uniform(1, 72))
        if created > END:
            return
        opp_id = self.ids.new("OP")
        amount_usd = DEAL_SIZE_USD[lead.segment] * 4 * rng.lognormvariate(0, 0.45)
        if lead.segment != "smb" and rng.random() < 0.7:
            amount_usd = PLANS[lead.segment][1] * rng.lognormvariate(0, 0.3)
        cycle = _days(rng.lognormvariate(math.log(_mix(48.0, 30.0, created)), 0.5))
        closed = created + cycle
        stale = rng.random() < _mix(0.05, 0.02, created)
        won = rng.random() < _mix(0.27, 0.42, created)
        if stale or closed > END:
            stage = self._open_stage(created, cycle, stale)
            self._write_opportunity(opp_id, "", lead, lead.owner, "new_business", stage, amount_usd,
                                    lead.company.currency, created, None)  # fmt: skip
            self.opportunity_activities(opp_id, "", lead.lead_id, lead.owner, created, END)
            return
        customer_id = self.ids.new("C") if won else ""
        self._write_opportunity(opp_id, customer_id, lead, lead.owner, "new_business",
                                "closed_won" if won else "closed_lost", amount_usd,
                                lead.company.currency, created, closed)  # fmt: skip
        self.opportunity_activities(opp_id, customer_id, lead.lead_id, lead.owner, created, closed)
        lead.last_event = closed
        if not won:
            lead.status = "lost"
            return
        lead.converted, lead.customer_id, lead.status = closed, customer_id, "converted"
        subscribes = rng.random() < SUBSCRIBE_SHARE[lead.segment]
        self.customer_life(
            Customer(customer_id, lead.company, lead.segment, closed, lead.source, lead.owner,
                     (opp_id, amount_usd), subscribes)
        )  # fmt: skip

    def _open_stage(self, created: datetime, cycle: timedelta, stale: bool) -> str:
        if stale:
            return self.rng.choice(("prospecting", "qualification", "proposal"))
        progress = (END - created) / cycle
        for limit, stage in ((0.25, "prospecting"), (0.5, "qualification"), (0.8, "proposal")):
            if progress < limit:
                return stage
        return "negotiation"

    def _write_opportunity(
        self, opp_id: str, customer_id: str, lead: Lead | None, owner: User, kind: str,
        stage: str, amount_usd: float, currency: str, created: datetime, closed: datetime | None,
    ) -> None:  # fmt: skip
        rng = self.rng
        style = self.style()
        last = closed or min(END, created + _days(rng.uniform(0, (END - created).days)))
        updated = min(END, last + _hours(rng.uniform(0, 48)))
        if closed is not None and stage == "closed_won":
            self.won_usd_by_month[_month_index(closed)] += amount_usd
        shown_kind = "" if kind == "new_business" and rng.random() < 0.1 else kind
        self.write(
            "opportunities",
            {"opportunity_id": opp_id, "customer_id": customer_id,
             "lead_id": lead.lead_id if lead else "", "owner_user_id": owner.user_id,
             "opportunity_type": shown_kind, "stage": stage,
             "amount": _money(self.local(amount_usd, currency, closed or created)),
             "currency": self.currency_text(currency), "created_at": _ts(created, style),
             "closed_at": _ts(closed, style), "updated_at": _ts(updated, style)},
        )  # fmt: skip

    def _lead_row(self, lead: Lead) -> Row:
        rng = self.rng
        style = self.style()
        updated = min(END, lead.last_event + _hours(rng.uniform(0, 72)))
        value = DEAL_SIZE_USD[lead.segment] * 4 * rng.lognormvariate(0, 0.5)
        return {
            "lead_id": lead.lead_id, "created_at": _ts(lead.created, style),
            "email": lead.company.email if rng.random() < 0.9 else "",
            "source_channel": lead.source, "campaign_id": lead.campaign_id,
            "owner_user_id": lead.owner.user_id, "status": lead.status,
            "first_contacted_at": _ts(lead.contacted, style),
            "qualified_at": _ts(lead.qualified, style), "converted_at": _ts(lead.converted, style),
            "converted_customer_id": lead.customer_id,
            "estimated_value": _money(value) if rng.random() < 0.85 else "",
            "updated_at": _ts(updated, style) if rng.random() < 0.9 else "",
        }  # fmt: skip

    # ---- customers ---------------------------------------------------------------------

    def migrated_customers(self) -> None:
        """The existing customer base, imported in the first week of January 2023."""
        rng = self.rng
        week = (datetime(2023, 1, 2), datetime(2023, 1, 7))
        count = self.scaled(self.volumes.migrated_customers)
        for created in sorted(_work_moment(rng, *week) for _ in range(count)):
            segment = _weighted(rng, MIGRATED_SEGMENTS)
            consumer = segment == "consumer"
            owner = None
            if not consumer or rng.random() < 0.4:
                owner = self.pick_user("success" if consumer else "sales", created)
            customer = Customer(
                self.ids.new("C"), self.company(consumer=consumer), segment, created,
                _weighted(rng, (*DIRECT_CHANNELS, ("outbound", 0.4))), owner, None,
                subscribes=rng.random() < SUBSCRIBE_SHARE[segment], migrated=True,
            )  # fmt: skip
            self.customer_life(customer)

    def direct_customer(self, created: datetime) -> None:
        rng = self.rng
        consumer = rng.random() < 0.55
        company = self.company(consumer=consumer)
        segment = "consumer" if consumer else "smb"
        owner = None
        if not consumer or rng.random() < 0.4:
            owner = self.pick_user("success" if consumer else "sales", created)
        if rng.random() < 0.06:
            created = _midnight(created)  # a record created with a date only
        customer = Customer(
            self.ids.new("C"), company, segment, created, _weighted(rng, DIRECT_CHANNELS), owner,
            None, subscribes=not consumer and rng.random() < 0.3,
        )  # fmt: skip
        self.customer_life(customer)

    def customer_life(self, customer: Customer) -> None:
        row = self._customer_row(customer)
        self.write("customers", row)
        self.recent_customers.append(
            CustomerRef(customer.customer_id, customer.created, row["email"], row["phone"],
                        row["customer_name"], customer.company.currency)
        )  # fmt: skip
        customer.visitor_id = f"v-{self.rng.getrandbits(40):010x}"
        if customer.subscribes:
            engaged_until = self.subscriptions(customer)
        else:
            engaged_until = self.orders(customer)
        if customer.segment != "consumer":
            self.expansion(customer, engaged_until)
        self.customer_tickets(customer, engaged_until)
        self.nps_surveys(customer, engaged_until)
        self.customer_sessions(customer, engaged_until)
        self.account_activities(customer, engaged_until)

    def _customer_row(self, customer: Customer) -> Row:
        rng = self.rng
        company, created = customer.company, customer.created
        channel, owner = customer.channel, customer.owner
        style = "date" if created == _midnight(created) else self.style()
        gap = _mix(0.14, 0.04, created)
        updated = min(END, created + _days(rng.uniform(0, 400)))
        segment = customer.segment
        if rng.random() < 0.15:
            segment = rng.choice(SEGMENT_SPELLINGS[segment])
        legacy = customer.migrated or (
            created < GO_LIVE - timedelta(days=30) and rng.random() < 0.8
        )
        return {
            "customer_id": customer.customer_id, "customer_name": company.name,
            "email": company.email if rng.random() > gap / 2 else "",
            "phone": company.phone if rng.random() < 0.75 else "",
            "segment": segment if rng.random() > gap else "",
            "industry": company.industry if rng.random() > gap else "",
            "region": company.region, "country": company.country,
            "acquisition_channel": channel if rng.random() < 0.85 else channel.title(),
            "owner_user_id": owner.user_id if owner and rng.random() > gap else "",
            "created_at": _ts(created, style),
            "updated_at": _ts(updated, style) if rng.random() < 0.92 else "",
            "legacy_id": f"LEG-{10000 + rng.randrange(90000)}" if legacy else "",
        }  # fmt: skip

    # ---- orders and subscriptions ------------------------------------------------------

    def orders(self, customer: Customer) -> datetime:
        """Repeat purchases until the customer stops; returns when they went quiet."""
        rng = self.rng
        segment = customer.segment
        first_days = 60 if customer.migrated else 2
        moment = customer.created + _days(rng.uniform(0.01, first_days))
        opportunity = customer.won_opportunity
        last = customer.created
        while moment <= END:
            if opportunity is not None:
                self.order(customer, moment, opportunity[1], opportunity[0])
                opportunity = None
            else:
                size = DEAL_SIZE_USD[segment] * rng.lognormvariate(0, 0.45)
                self.order(customer, moment, size * _mix(1.0, 1.12, moment))
            last = moment
            stop = {"consumer": (0.33, 0.2), "smb": (0.2, 0.12), "mid_market": (0.14, 0.08),
                    "enterprise": (0.1, 0.06)}[segment]  # fmt: skip
            if rng.random() < _mix(*stop, moment) * (0.6 if customer.migrated else 1.0):
                break
            mean_days = {"consumer": 70, "smb": 45, "mid_market": 35, "enterprise": 30}[segment]
            moment += _days(rng.expovariate(1 / (mean_days * _mix(1.0, 0.8, moment))) + 1)
        return min(END, last + timedelta(days=90))

    def order(
        self, customer: Customer, ordered: datetime, amount_usd: float, opportunity_id: str = "",
        margin: tuple[float, float] = (0.45, 0.7),
    ) -> None:  # fmt: skip
        rng = self.rng
        if ordered > END:
            return
        status = _weighted(rng, (("completed", 0.9), ("cancelled", 0.06), ("refunded", 0.04)))
        fulfilled = None
        if status != "cancelled":
            fulfilled = ordered + _hours(
                rng.lognormvariate(math.log(_mix(40.0, 16.0, ordered)), 0.6)
            )
            fulfilled = fulfilled if fulfilled <= END else None
        currency = customer.company.currency
        amount = self.local(amount_usd, currency, ordered)
        style = self.style()
        updated = min(END, (fulfilled or ordered) + _hours(rng.uniform(0, 96)))
        self.write(
            "orders",
            {"order_id": self.ids.new("OR"), "ordered_at": _ts(ordered, style),
             "customer_id": customer.customer_id, "status": status, "amount": _money(amount),
             "currency": self.currency_text(currency),
             "cost_amount": _money(amount * rng.uniform(*margin)) if rng.random() < 0.87 else "",
             "opportunity_id": opportunity_id, "fulfilled_at": _ts(fulfilled, style),
             "updated_at": _ts(updated, style) if rng.random() < 0.9 else ""},
        )  # fmt: skip

    def subscriptions(self, customer: Customer) -> datetime:
        """A chain of yearly subscriptions, invoiced quarterly; returns when the customer left.

        A migrated customer's first term is what was left of the contract at the migration.
        """
        rng = self.rng
        value_usd = PLANS[customer.segment][1] * rng.lognormvariate(0, 0.3)
        opportunity_id = ""
        if customer.won_opportunity is not None:
            opportunity_id, value_usd = customer.won_opportunity
        dates_only = rng.random() < 0.7
        start = _midnight(customer.created) if dates_only else customer.created
        previous, term_days = "", rng.randrange(30, 366) if customer.migrated else 365
        while True:
            sub_id = self.ids.new("SB")
            ended, reason, renewed = self._subscription_term(customer, start, term_days, value_usd)
            self._invoices(customer, start, ended, value_usd, opportunity_id)
            style = "date" if dates_only else "naive"
            self.write(
                "subscriptions",
                {"subscription_id": sub_id, "customer_id": customer.customer_id,
                 "plan": PLANS[customer.segment][0], "started_at": _ts(start, style),
                 "ended_at": _ts(ended, style),
                 "annual_value": _money(self.local(value_usd, customer.company.currency, start)),
                 "currency": self.currency_text(customer.company.currency),
                 "renewed_from_subscription_id": previous, "cancel_reason": reason},
            )  # fmt: skip
            if ended is None or not renewed:
                return ended or END
            previous, start, term_days = sub_id, ended, 365
            value_usd *= rng.uniform(1.0, 1.12)
            opportunity_id = renewed

    def _invoices(
        self, customer: Customer, start: datetime, ended: datetime | None, value_usd: float,
        opportunity_id: str,
    ) -> None:  # fmt: skip
        """Quarterly invoices (orders) while a subscription runs."""
        moment, until = max(start, customer.created), min(ended or END, END)
        while moment < until:
            invoiced = moment + _hours(self.rng.uniform(1, 30))
            self.order(customer, invoiced, value_usd / 4, opportunity_id, margin=(0.2, 0.35))
            opportunity_id = ""
            moment += timedelta(days=91)

    def _subscription_term(
        self, customer: Customer, start: datetime, term_days: int, value_usd: float
    ) -> tuple[datetime | None, str, str]:
        """(ended_at or None while running, cancel reason, id of the won renewal deal or '')."""
        rng = self.rng
        if term_days > 90 and rng.random() < _mix(0.1, 0.05, start):
            ended = start + timedelta(days=rng.randrange(45, term_days - 20))
            if ended <= END:
                return ended, self._cancel_reason(), ""
        term_end = start + timedelta(days=term_days)
        renew = rng.random() < _mix(0.72, 0.88, term_end)
        opp_id = self._renewal_opportunity(customer, term_end, value_usd, renew)
        if term_end > END:
            return None, "", ""
        return term_end, "" if renew else self._cancel_reason(), opp_id if renew else ""

    def _cancel_reason(self) -> str:
        return _weighted(self.rng, CANCEL_REASONS) if self.rng.random() < 0.9 else ""

    def _renewal_opportunity(
        self, customer: Customer, term_end: datetime, value_usd: float, renew: bool
    ) -> str:
        rng = self.rng
        created = term_end - timedelta(days=rng.randrange(30, 75)) + _hours(rng.uniform(8, 17))
        if created > END:
            return ""
        owner = self.acting_user(customer.owner, "sales", created)
        opp_id = self.ids.new("OP")
        closed = term_end - timedelta(days=rng.randrange(1, 10)) + _hours(rng.uniform(8, 18))
        closed = max(closed, created + timedelta(days=1))
        stage = ("closed_won" if renew else "closed_lost") if closed <= END else "negotiation"
        self._write_opportunity(opp_id, customer.customer_id, None, owner, "renewal", stage,
                                value_usd * 1.05, customer.company.currency, created,
                                closed if closed <= END else None)  # fmt: skip
        return opp_id

    def expansion(self, customer: Customer, engaged_until: datetime) -> None:
        """Up-sell and cross-sell deals with existing business customers."""
        rng = self.rng
        moment = customer.created + timedelta(days=30)
        while True:
            moment += _days(rng.expovariate(_mix(0.045, 0.08, moment) / 30))
            if moment > engaged_until:
                return
            self._expansion_deal(customer, moment)

    def _expansion_deal(self, customer: Customer, created: datetime) -> None:
        rng = self.rng
        owner = self.acting_user(customer.owner, "sales", created)
        opp_id = self.ids.new("OP")
        kind = _weighted(rng, (("upsell", 0.55), ("cross_sell", 0.45)))
        amount_usd = DEAL_SIZE_USD[customer.segment] * 4 * rng.uniform(0.15, 0.5)
        cycle = _days(rng.lognormvariate(math.log(_mix(35.0, 22.0, created)), 0.5))
        closed = created + cycle
        won = rng.random() < _mix(0.45, 0.6, created)
        if closed > END:
            stage = self._open_stage(created, cycle, stale=False)
            self._write_opportunity(opp_id, customer.customer_id, None, owner, kind, stage,
                                    amount_usd, customer.company.currency, created,
                                    None)  # fmt: skip
            return
        self._write_opportunity(opp_id, customer.customer_id, None, owner, kind,
                                "closed_won" if won else "closed_lost", amount_usd,
                                customer.company.currency, created, closed)  # fmt: skip
        self.opportunity_activities(opp_id, customer.customer_id, "", owner, created, closed)
        ordered = closed + _hours(rng.uniform(1, 120))
        if won and ordered <= END:
            self.order(customer, ordered, amount_usd, opp_id)

    # ---- activities --------------------------------------------------------------------

    def activity(
        self, kind: str, user: User, occurred: datetime | None, *, customer_id: str = "",
        lead_id: str = "", opportunity_id: str = "", due: datetime | None = None,
        automated: bool = False,
    ) -> None:  # fmt: skip
        rng = self.rng
        moment = occurred or due or END
        if moment > END or (due is not None and due > END):
            return
        if not user.employed(moment):
            user = self.pick_user(user.team, moment)
        legacy = moment < GO_LIVE and rng.random() < 0.1
        style = self.style()
        self.write(
            "activities",
            {"activity_id": self.ids.new("A"), "activity_type": kind, "user_id": user.user_id,
             "customer_id": customer_id, "lead_id": lead_id, "opportunity_id": opportunity_id,
             "occurred_at": _ts(occurred, style), "due_at": _ts(due, style),
             "is_automated": "" if legacy else _bool_text(rng, automated)},
        )  # fmt: skip

    def task(self, kind: str, user: User, created: datetime, due: datetime, **links: str) -> None:
        """A task or follow-up: done early, done late, or still open (occurred_at empty)."""
        rng = self.rng
        if due > END:
            return
        late, never = _mix(0.35, 0.12, due), _mix(0.08, 0.03, due)
        pick = rng.random()
        if pick < never:
            done = None
        elif pick < never + late:
            done = due + _hours(rng.uniform(2, 120))
        else:
            done = max(created, due - _hours(rng.uniform(0, 48)))
        if done is not None and done > END:
            done = None
        automated = kind == "task" and rng.random() < _mix(0.0, 0.3, created)
        self.activity(kind, user, done, due=due, automated=automated, **links)

    def opportunity_activities(
        self, opp_id: str, customer_id: str, lead_id: str, owner: User, start: datetime,
        end: datetime,
    ) -> None:  # fmt: skip
        rng = self.rng
        links = {"customer_id": customer_id, "lead_id": lead_id, "opportunity_id": opp_id}
        logged = _mix(0.6, 1.0, start)
        for _ in range(1 + _poisson(rng, _mix(0.4, 1.0, start))):
            moment = _work_moment(rng, start, max(end, start + timedelta(hours=1)))
            if moment <= END and rng.random() < logged:
                self.activity(rng.choice(("meeting", "call", "note")), owner, moment, **links)
        due = start + (end - start) * 0.4 + timedelta(days=2)
        self.task("task", owner, start, due, **links)

    def account_activities(self, customer: Customer, engaged_until: datetime) -> None:
        """Check-ins by the account owner and, after go-live, automated e-mails."""
        rng = self.rng
        business = customer.segment != "consumer"
        moment = customer.created
        while True:
            manual, automated = _touch_rates(business, moment)
            moment += _days(rng.expovariate((manual + automated) / 30) + 1)
            if moment > engaged_until:
                return
            self._account_touch(customer, moment, business)

    def _account_touch(self, customer: Customer, moment: datetime, business: bool) -> None:
        rng = self.rng
        user = self.acting_user(customer.owner, "success", moment)
        manual, automated = _touch_rates(business, moment)
        if rng.random() < automated / (manual + automated):
            self.activity("email", user, moment, customer_id=customer.customer_id, automated=True)
        elif rng.random() < 0.25:
            kind = _weighted(rng, (("follow_up", 0.6), ("task", 0.4)))
            due = moment + _days(rng.uniform(1, 10))
            self.task(kind, user, moment, due, customer_id=customer.customer_id)
        else:
            kind = _weighted(
                rng, (("call", 0.35), ("email", 0.3), ("meeting", 0.2), ("note", 0.15))
            )
            self.activity(kind, user, _work_moment(rng, moment, moment + timedelta(days=2)),
                          customer_id=customer.customer_id)  # fmt: skip

    # ---- service -----------------------------------------------------------------------

    def customer_tickets(self, customer: Customer, engaged_until: datetime) -> None:
        rng = self.rng
        rate = {"consumer": 0.12, "smb": 0.22, "mid_market": 0.38, "enterprise": 0.62}[
            customer.segment
        ]
        moment, until = customer.created, min(END, engaged_until + timedelta(days=20))
        while True:
            moment += _days(rng.expovariate(rate / 30))
            if moment > until:
                return
            self.ticket(customer.customer_id, _work_moment(rng, moment, moment + timedelta(days=1)))

    def anonymous_tickets(self, month: int, start: datetime, end: datetime) -> None:
        count = _poisson(self.rng, self.volumes.anonymous_tickets * self.scale / N_MONTHS)
        for _ in range(count):
            self.ticket("", _moment(self.rng, start, end), repeat_allowed=False)

    def ticket(
        self, customer_id: str, created: datetime, category: str = "", repeat_allowed: bool = True
    ) -> None:
        rng = self.rng
        if created > END:
            return
        category = category or _weighted(rng, TICKET_CATEGORIES)
        priority = _weighted(rng, TICKET_PRIORITIES)
        responded, resolved = self._ticket_times(created, category, priority)
        status, resolution = self._ticket_status(responded, resolved)
        reopened = 0
        if resolved is not None and rng.random() < _mix(0.12, 0.05, created):
            reopened = 1 if rng.random() < 0.8 else 2
        ticket_id = self.ids.new("T")
        style = self.style()
        assignee = self.pick_user(_weighted(rng, (("support", 0.85), ("success", 0.15))), created)
        self.write(
            "tickets",
            {"ticket_id": ticket_id, "customer_id": customer_id, "category": category,
             "channel": _weighted(rng, TICKET_CHANNELS), "priority": priority,
             "assigned_user_id": assignee.user_id if responded or rng.random() < 0.6 else "",
             "created_at": _ts(created, style), "first_response_at": _ts(responded, style),
             "resolved_at": _ts(resolved, style), "status": status, "resolution": resolution,
             "reopened_count": str(reopened) if reopened or rng.random() < 0.7 else "",
             "updated_at": _ts(min(END, (resolved or responded or created) + _hours(1)), style)},
        )  # fmt: skip
        if resolved is not None and resolution in ("solved", "unsolved"):
            self.csat_survey(customer_id, ticket_id, resolved)
        if customer_id and repeat_allowed and rng.random() < _mix(0.16, 0.06, created):
            again = created + _hours(rng.uniform(0.5, 156))
            self.ticket(customer_id, again, category if rng.random() < 0.6 else "", False)

    def _ticket_times(
        self, created: datetime, category: str, priority: str
    ) -> tuple[datetime | None, datetime | None]:
        rng = self.rng
        speed = {"low": 1.4, "normal": 1.0, "high": 0.7, "urgent": 0.35}[priority]
        median = _mix(26.0, 6.0, created) if category == "complaint" else _mix(18.0, 4.0, created)
        responded = created + _hours(rng.lognormvariate(math.log(median * speed), 0.8) + 0.05)
        if responded > END:
            return None, None
        work = rng.lognormvariate(math.log(_mix(60.0, 22.0, created) * speed), 0.7)
        resolved = responded + _hours(work)
        return responded, resolved if resolved <= END else None

    def _ticket_status(
        self, responded: datetime | None, resolved: datetime | None
    ) -> tuple[str, str]:
        rng = self.rng
        if resolved is None:
            return ("pending" if responded and rng.random() < 0.6 else "open"), ""
        status = (
            "resolved" if END - resolved < timedelta(days=7) or rng.random() < 0.3 else "closed"
        )
        return status, _weighted(rng, RESOLUTIONS)

    def csat_survey(self, customer_id: str, ticket_id: str, resolved: datetime) -> None:
        rng = self.rng
        if rng.random() > _mix(0.28, 0.36, resolved):
            return
        responded = resolved + _hours(rng.uniform(0.5, 72))
        if responded > END:
            return
        scores = CSAT_AFTER if rng.random() < _effect(resolved) else CSAT_BEFORE
        self._survey(customer_id, ticket_id, "csat", _weighted(rng, scores), responded)

    def nps_surveys(self, customer: Customer, engaged_until: datetime) -> None:
        rng = self.rng
        moment = customer.created + timedelta(days=rng.randrange(60, 120))
        while moment <= engaged_until:
            if rng.random() < 0.3:
                scores = NPS_AFTER if rng.random() < _effect(moment) else NPS_BEFORE
                self._survey(customer.customer_id, "", "nps", _weighted(rng, scores), moment)
            moment += timedelta(days=rng.randrange(160, 200))

    def _survey(
        self, customer_id: str, ticket_id: str, kind: str, score: int, responded: datetime
    ) -> None:
        self.write(
            "survey_responses",
            {"response_id": self.ids.new("R"), "customer_id": customer_id,
             "ticket_id": ticket_id, "survey_type": kind, "score": str(score),
             "responded_at": _ts(responded, self.style())},
        )  # fmt: skip

    # ---- web and CRM usage -------------------------------------------------------------

    def customer_sessions(self, customer: Customer, engaged_until: datetime) -> None:
        rng = self.rng
        moment = customer.created
        while True:
            moment += _days(rng.expovariate(0.2 / 30))
            if moment > engaged_until:
                return
            converted = rng.random() < 0.1
            self.session(customer.visitor_id, customer.customer_id, moment, converted)

    def anonymous_sessions(self, month: int, start: datetime, end: datetime) -> None:
        rng = self.rng
        weights = self._session_weights
        expected = self.volumes.anonymous_sessions * self.scale * weights[month] / sum(weights)
        count = _poisson(rng, expected)
        for moment in sorted(_moment(rng, start, end) for _ in range(count)):
            if self.visitors and rng.random() < 0.3:
                visitor = rng.choice(self.visitors)
            else:
                visitor = f"v-{rng.getrandbits(40):010x}"
                self.visitors.append(visitor)
            self.session(visitor, "", moment, rng.random() < _mix(0.02, 0.03, moment))

    def session(
        self, visitor_id: str, customer_id: str, started: datetime, converted: bool
    ) -> None:
        rng = self.rng
        pick = rng.random()
        duration = (
            "0" if pick < 0.08 else "" if pick < 0.1 else str(round(rng.lognormvariate(5.0, 1.0)))
        )
        self.write(
            "web_sessions",
            {"session_id": self.ids.new("W"), "visitor_id": visitor_id, "customer_id": customer_id,
             "started_at": _ts(started, self.style()), "duration_seconds": duration,
             "converted": _bool_text(rng, converted)},
        )  # fmt: skip

    def usage_events(self, month: int, start: datetime, end: datetime) -> None:
        """CRM usage of the month, per licensed user, sorted by time."""
        rng = self.rng
        expected = self._usage_expectations(start, end)
        factor = self._usage_factor()
        events: list[tuple[datetime, str, str]] = []
        for user in self.users:
            lo, hi = self._licensed_span(user, start, end)
            for _ in range(_poisson(rng, expected.get(user.user_id, 0.0) * factor) if lo else 0):
                moment = _work_moment(rng, lo, hi)
                kinds = USAGE_TYPES_AFTER if rng.random() < _effect(moment) else USAGE_TYPES_BEFORE
                events.append((moment, user.user_id, _weighted(rng, kinds)))
        for moment, user_id, kind in sorted(events):
            self.write(
                "usage_events",
                {"event_id": self.ids.new("E"), "user_id": user_id,
                 "occurred_at": _ts(moment, self.style()), "event_type": kind},
            )  # fmt: skip

    def _usage_factor(self) -> float:
        """Scales the expectations so that the whole period has the planned number of events."""
        if self._usage_scale is None:
            total = sum(
                self._usage_expectations(_month_start(m), _month_start(m + 1))[""]
                for m in range(N_MONTHS)
            )
            self._usage_scale = self.scaled(self.volumes.usage_events) / total if total else 0.0
        return self._usage_scale

    def _licensed_span(
        self, user: User, start: datetime, end: datetime
    ) -> tuple[datetime | None, datetime]:
        seat_start = user.licensed_from or user.employed_from
        if seat_start is None:
            return None, end
        lo = max(start, seat_start)
        hi = min(end, user.licensed_to or end)
        return (lo, hi) if lo < hi else (None, end)

    def _usage_expectations(self, start: datetime, end: datetime) -> dict[str, float]:
        """Expected events per user in a month (unnormalised); key '' holds the month's sum."""
        expected: dict[str, float] = {}
        intensity = 0.5 if start < GO_LIVE else 0.7 + 0.3 * _effect(start)
        for user in self.users:
            lo, hi = self._licensed_span(user, start, end)
            if lo is not None:
                expected[user.user_id] = (hi - lo).days * user.engagement * intensity
        expected[""] = sum(expected.values())
        return expected


def _touch_rates(business: bool, moment: datetime) -> tuple[float, float]:
    """Account touches per month: (by hand, by a CRM automation)."""
    manual = _mix(0.2, 0.45, moment) if business else 0.03
    return manual, _mix(0.0, 0.25, moment)


def _format_phone(code: str, body: str, layout: int) -> str:
    """Three layouts with the same digits, so duplicates can be found by digits alone."""
    if layout == 0:
        return f"+{code} 555 {body[:3]} {body[3:]}"
    if layout == 1:
        return f"+{code}-555-{body}"
    return f"({code}) 555{body}"


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _holidays(year: int) -> list[tuple[date, str]]:
    easter = _easter(year)
    days = [
        (date(year, 1, 1), "New Year's Day"),
        (easter - timedelta(days=2), "Good Friday"),
        (easter + timedelta(days=1), "Easter Monday"),
        (date(year, 5, 1), "Labour Day"),
        (date(year, 12, 24), "Christmas Eve"),
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Boxing Day"),
    ]
    return sorted(days)


# --------------------------------------------------------------------------------------------
# Dirty rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefectSpec:
    """`base` rows of one kind of defect at scale 1 (at least 3 at any scale)."""

    table: str
    kind: str
    column: str
    base: int


DEFECT_SPECS: tuple[DefectSpec, ...] = (
    DefectSpec("customers", "duplicate_updated_at", "updated_at", 8),
    DefectSpec("customers", "unparseable_date", "created_at", 5),
    DefectSpec("customers", "missing_required", "created_at", 5),
    DefectSpec("customers", "kept_invalid_email", "email", 8),
    DefectSpec("customers", "kept_duplicate_customer", "email", 24),
    DefectSpec("leads", "duplicate_updated_at", "updated_at", 10),
    DefectSpec("leads", "unparseable_date", "created_at", 6),
    DefectSpec("leads", "unparseable_date", "first_contacted_at", 5),
    DefectSpec("leads", "unparseable_number", "estimated_value", 6),
    DefectSpec("leads", "unknown_enum", "status", 6),
    DefectSpec("leads", "missing_required", "created_at", 5),
    DefectSpec("leads", "converted_before_created", "converted_at", 5),
    DefectSpec("leads", "kept_invalid_email", "email", 10),
    DefectSpec("leads", "kept_noncanonical_enum", "status", 5),
    DefectSpec("opportunities", "duplicate_updated_at", "updated_at", 8),
    DefectSpec("opportunities", "unparseable_date", "created_at", 4),
    DefectSpec("opportunities", "unparseable_number", "amount", 4),
    DefectSpec("opportunities", "unknown_enum", "stage", 5),
    DefectSpec("opportunities", "negative_amount", "amount", 4),
    DefectSpec("opportunities", "closed_before_created", "closed_at", 5),
    DefectSpec("opportunities", "closed_without_closed_at", "closed_at", 5),
    DefectSpec("opportunities", "no_exchange_rate", "amount", 4),
    DefectSpec("opportunities", "kept_noncanonical_enum", "stage", 6),
    DefectSpec("orders", "duplicate_updated_at", "updated_at", 12),
    DefectSpec("orders", "unparseable_date", "ordered_at", 8),
    DefectSpec("orders", "unparseable_date", "fulfilled_at", 5),
    DefectSpec("orders", "unparseable_number", "amount", 8),
    DefectSpec("orders", "unparseable_number", "cost_amount", 5),
    DefectSpec("orders", "unknown_enum", "status", 8),
    DefectSpec("orders", "negative_amount", "amount", 6),
    DefectSpec("orders", "missing_required", "customer_id", 8),
    DefectSpec("orders", "no_exchange_rate", "amount", 8),
    DefectSpec("orders", "fulfilled_before_ordered", "fulfilled_at", 6),
    DefectSpec("orders", "kept_orphan", "customer_id", 8),
    DefectSpec("orders", "kept_noncanonical_enum", "status", 8),
    DefectSpec("tickets", "duplicate_updated_at", "updated_at", 12),
    DefectSpec("tickets", "unparseable_date", "created_at", 6),
    DefectSpec("tickets", "unparseable_date", "resolved_at", 4),
    DefectSpec("tickets", "unparseable_number", "reopened_count", 5),
    DefectSpec("tickets", "unknown_enum", "priority", 8),
    DefectSpec("tickets", "missing_required", "created_at", 5),
    DefectSpec("tickets", "resolved_before_created", "resolved_at", 8),
    DefectSpec("tickets", "first_response_before_created", "first_response_at", 6),
    DefectSpec("tickets", "kept_orphan", "customer_id", 8),
    DefectSpec("tickets", "kept_noncanonical_enum", "priority", 6),
    DefectSpec("tickets", "kept_noncanonical_enum", "channel", 4),
    DefectSpec("activities", "duplicate_last_row", "activity_id", 40),
    DefectSpec("activities", "missing_occurred_at", "occurred_at", 40),
    DefectSpec("activities", "unparseable_date", "occurred_at", 25),
    DefectSpec("activities", "unparseable_date", "due_at", 10),
    DefectSpec("activities", "unparseable_boolean", "is_automated", 15),
    DefectSpec("activities", "unknown_enum", "activity_type", 20),
    DefectSpec("activities", "missing_required", "user_id", 15),
    DefectSpec("activities", "kept_orphan", "lead_id", 10),
    DefectSpec("activities", "kept_noncanonical_enum", "activity_type", 8),
    DefectSpec("usage_events", "duplicate_last_row", "event_id", 60),
    DefectSpec("usage_events", "unknown_enum", "event_type", 50),
    DefectSpec("usage_events", "unparseable_date", "occurred_at", 40),
    DefectSpec("usage_events", "missing_required", "user_id", 20),
    DefectSpec("survey_responses", "out_of_range", "score", 15),
    DefectSpec("survey_responses", "unparseable_number", "score", 5),
    DefectSpec("survey_responses", "unknown_enum", "survey_type", 5),
    DefectSpec("survey_responses", "missing_required", "responded_at", 5),
    DefectSpec("web_sessions", "duplicate_last_row", "session_id", 10),
    DefectSpec("web_sessions", "unparseable_number", "duration_seconds", 20),
    DefectSpec("web_sessions", "out_of_range", "duration_seconds", 20),
    DefectSpec("web_sessions", "unparseable_boolean", "converted", 20),
    DefectSpec("web_sessions", "unparseable_date", "started_at", 20),
    DefectSpec("subscriptions", "ended_before_started", "ended_at", 3),
    DefectSpec("subscriptions", "unparseable_number", "annual_value", 3),
    DefectSpec("subscriptions", "no_exchange_rate", "annual_value", 3),
    DefectSpec("trainings", "out_of_range", "assessment_score", 3),
    DefectSpec("sales_targets", "unparseable_date", "period_start", 3),
    DefectSpec("crm_costs", "unknown_enum", "category", 3),
)

REASON_TEMPLATES: dict[str, str | None] = {
    "duplicate_updated_at": "duplicate_superseded",
    "duplicate_last_row": "duplicate_superseded",
    "unparseable_date": "unparseable:{column}",
    "unparseable_number": "unparseable:{column}",
    "unparseable_boolean": "unparseable:{column}",
    "unknown_enum": "unknown_value:{column}",
    "out_of_range": "out_of_range:{column}",
    "negative_amount": "out_of_range:{column}",
    "closed_before_created": "closed_at_before_created_at",
    "resolved_before_created": "resolved_at_before_created_at",
    "first_response_before_created": "first_response_at_before_created_at",
    "fulfilled_before_ordered": "fulfilled_at_before_ordered_at",
    "converted_before_created": "converted_at_before_created_at",
    "ended_before_started": "ended_at_before_started_at",
    "closed_without_closed_at": "missing:closed_at",
    "missing_occurred_at": "missing:occurred_at",
    "missing_required": "missing:{column}",
    "no_exchange_rate": "no_exchange_rate:{column}",
    "kept_invalid_email": None,
    "kept_orphan": None,
    "kept_noncanonical_enum": None,
    "kept_duplicate_customer": None,
}

BAD_DATES = ("2024-13-45", "31/02/2024", "yesterday")
BAD_NUMBERS = ("12,34.5", "abc")
BAD_BOOLEANS = ("maybe", "unknown", "2")
BAD_EMAILS = (
    "john.doe@", "no-at-sign.example.com", "mary smith@example.com", "anna@@example.com",
    "sales@example",
)  # fmt: skip
UNKNOWN_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("opportunities", "stage"): ("won", "lost", "pending"),
    ("tickets", "priority"): ("urgentish", "critical", "p1"),
    ("orders", "status"): ("canceled?", "shipped", "on hold"),
    ("leads", "status"): ("contacted", "nurturing"),
    ("activities", "activity_type"): ("sms", "linkedin message", "visit"),
    ("usage_events", "event_type"): ("logout", "page_view"),
    ("survey_responses", "survey_type"): ("ces", "nps2"),
    ("crm_costs", "category"): ("consulting", "hardware"),
}
# valid values spelled oddly: (as written, canonical value) -- staging must keep these rows
KEPT_VARIANTS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("orders", "status"): ((" Completed ", "completed"), ("COMPLETED", "completed"),
                           ("Refunded", "refunded")),
    ("opportunities", "stage"): (("CLOSED_WON", "closed_won"), ("Closed Won", "closed_won"),
                                 (" closed_lost ", "closed_lost")),
    ("tickets", "priority"): (("HIGH", "high"), (" Urgent", "urgent"), ("Normal ", "normal")),
    ("tickets", "channel"): ((" Phone", "phone"), ("CHAT", "chat")),
    ("activities", "activity_type"): (("Follow Up", "follow_up"), ("CALL", "call"),
                                      (" Meeting ", "meeting")),
    ("leads", "status"): (("Qualified", "qualified"), ("WORKING", "working")),
}  # fmt: skip
STATIC_TABLES = ("trainings", "sales_targets", "crm_costs")
SCORE_OUT_OF_RANGE = (("nps", "11"), ("csat", "0"), ("csat", "6"))
ASSESSMENT_OUT_OF_RANGE = ("120", "-5", "101.5")

Base = tuple[Row, dict[str, datetime]]  # a clean row and its instants ("created", "updated")
Made = tuple[list[Row], int, dict[str, Any]]  # rows to write, index of the defective row, extras


class Defects:
    """Plans the dirty rows, writes them as extra rows and keeps the manifest.

    Every dirty row is a record of its own that nothing else references (a quarantined
    customer has no orders), except the kept problems, which are meant to be staged.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = random.Random(f"{world.seed}-defects")
        self.entries: list[dict[str, Any]] = []
        self._monthly: dict[int, list[tuple[DefectSpec, int]]] = {}
        self._static: dict[str, list[tuple[DefectSpec, int]]] = {}
        for spec in DEFECT_SPECS:
            for index in range(max(3, round(spec.base * world.scale))):
                if spec.table in STATIC_TABLES:
                    self._static.setdefault(spec.table, []).append((spec, index))
                else:
                    first = GO_LIVE_MONTH + 1 if spec.table == "usage_events" else 1
                    month = self.rng.randrange(first, N_MONTHS)
                    self._monthly.setdefault(month, []).append((spec, index))

    # ---- scheduling --------------------------------------------------------------------

    def emit_month(self, month: int) -> None:
        start = _month_start(month)
        end = min(_month_start(month + 1), END - timedelta(days=14))
        for spec, index in self._monthly.pop(month, []):
            if not self._emit(spec, index, _moment(self.rng, start, end)):
                self._monthly.setdefault(month + 1, []).append((spec, index))

    def flush(self) -> None:
        """Rows that could not be placed earlier (no customer existed yet)."""
        for month in sorted(self._monthly):
            for spec, index in self._monthly[month]:
                self._emit(spec, index, END - timedelta(days=20))
        self._monthly.clear()

    def emit_static(self, table: str) -> None:
        for spec, index in self._static.get(table, []):
            self._emit(spec, index, _moment(self.rng, GO_LIVE, END - timedelta(days=14)))

    def _emit(self, spec: DefectSpec, index: int, moment: datetime) -> bool:
        maker: Callable[[DefectSpec, int, datetime], Made | None] = getattr(self, f"_{spec.kind}")
        made = maker(spec, index, moment)
        if made is None:
            return False
        rows, subject, extra = made
        numbers = [self.world.write(spec.table, row) for row in rows]
        if len(rows) == 2:
            extra["superseded_by_row_number"] = numbers[1 - subject]
        self._record(spec, rows[subject], numbers[subject], extra)
        return True

    def _record(self, spec: DefectSpec, row: Row, number: int, extra: dict[str, Any]) -> None:
        template = REASON_TEMPLATES[spec.kind]
        key_columns = PRIMARY_KEYS[spec.table]
        key: str | list[str] = (
            row[key_columns[0]] if len(key_columns) == 1 else [row[c] for c in key_columns]
        )
        entry: dict[str, Any] = {
            "table": spec.table,
            "key": key,
            "kind": spec.kind,
            "expected_reason": template.format(column=spec.column) if template else None,
            "column": extra.pop("column", spec.column),
            "value": row.get(extra.pop("column_for_value", spec.column), ""),
            "row_number": number,
        }
        if spec.kind.startswith("duplicate"):
            entry["updated_at"] = row.get("updated_at") or None
        entry.update(extra)
        self.entries.append(entry)

    # ---- clean standalone rows to spoil --------------------------------------------------

    def _base(self, table: str, moment: datetime, index: int = 0, **options: str) -> Base | None:
        builder: Callable[..., Base | None] = getattr(self, f"_base_{table}")
        if table in ("trainings", "sales_targets"):
            return builder(moment, index, **options)
        return builder(moment, **options)

    def _customer_id(self, moment: datetime) -> str | None:
        customer = self.world.pick_customer(moment)
        return customer.customer_id if customer else None

    def _base_customers(self, moment: datetime) -> Base:
        world = self.world
        company = world.company(consumer=self.rng.random() < 0.4)
        updated = moment + _days(self.rng.uniform(2, 10))
        row = {
            "customer_id": world.ids.new("C"), "customer_name": company.name,
            "email": company.email, "phone": company.phone,
            "segment": "consumer" if company.consumer else "smb", "industry": company.industry,
            "region": company.region, "country": company.country, "acquisition_channel": "web",
            "owner_user_id": world.pick_user("sales", moment).user_id,
            "created_at": _ts(moment), "updated_at": _ts(updated), "legacy_id": "",
        }  # fmt: skip
        return row, {"created": moment, "updated": updated}

    def _base_leads(self, moment: datetime, status: str = "working") -> Base:
        world = self.world
        contacted = moment + _hours(self.rng.uniform(0.5, 30))
        qualified = contacted + _days(self.rng.uniform(2, 5)) if status == "qualified" else None
        updated = (qualified or contacted) + _hours(2)
        row = {
            "lead_id": world.ids.new("L"), "created_at": _ts(moment),
            "email": world.company(consumer=False).email, "source_channel": "outbound",
            "campaign_id": "", "owner_user_id": world.pick_user("sales", moment).user_id,
            "status": status, "first_contacted_at": _ts(contacted),
            "qualified_at": _ts(qualified), "converted_at": "", "converted_customer_id": "",
            "estimated_value": _money(self.rng.uniform(1500, 20000)), "updated_at": _ts(updated),
        }  # fmt: skip
        return row, {"created": moment, "updated": updated}

    def _base_opportunities(self, moment: datetime, stage: str = "proposal") -> Base:
        world = self.world
        closed = moment + _days(self.rng.uniform(5, 12)) if stage.startswith("closed") else None
        updated = (closed or moment) + _hours(self.rng.uniform(1, 48))
        row = {
            "opportunity_id": world.ids.new("OP"),
            "customer_id": self._customer_id(moment) or "", "lead_id": "",
            "owner_user_id": world.pick_user("sales", moment).user_id,
            "opportunity_type": "upsell", "stage": stage,
            "amount": _money(self.rng.uniform(2000, 20000)), "currency": "USD",
            "created_at": _ts(moment), "closed_at": _ts(closed), "updated_at": _ts(updated),
        }  # fmt: skip
        return row, {"created": moment, "updated": updated}

    def _base_orders(self, moment: datetime, status: str = "completed") -> Base | None:
        world = self.world
        customer_id = self._customer_id(moment)
        if customer_id is None:
            return None
        amount = self.rng.uniform(80, 3000)
        fulfilled = moment + _hours(self.rng.uniform(2, 60)) if status != "cancelled" else None
        updated = (fulfilled or moment) + _hours(3)
        row = {
            "order_id": world.ids.new("OR"), "ordered_at": _ts(moment),
            "customer_id": customer_id, "status": status, "amount": _money(amount),
            "currency": "USD", "cost_amount": _money(amount * 0.6), "opportunity_id": "",
            "fulfilled_at": _ts(fulfilled), "updated_at": _ts(updated),
        }  # fmt: skip
        return row, {"created": moment, "updated": updated}

    def _base_tickets(
        self, moment: datetime, priority: str = "normal", channel: str = "email"
    ) -> Base | None:
        world = self.world
        customer_id = self._customer_id(moment)
        if customer_id is None:
            return None
        responded = moment + _hours(self.rng.uniform(0.5, 8))
        resolved = responded + _hours(self.rng.uniform(2, 60))
        updated = resolved + _hours(1)
        row = {
            "ticket_id": world.ids.new("T"), "customer_id": customer_id,
            "category": "question", "channel": channel, "priority": priority,
            "assigned_user_id": world.pick_user("support", moment).user_id,
            "created_at": _ts(moment), "first_response_at": _ts(responded),
            "resolved_at": _ts(resolved), "status": "closed", "resolution": "solved",
            "reopened_count": "0", "updated_at": _ts(updated),
        }  # fmt: skip
        return row, {"created": moment, "updated": updated}

    def _base_activities(self, moment: datetime, activity_type: str = "call") -> Base:
        world = self.world
        due = moment + _days(1) if activity_type in ("task", "follow_up") else None
        row = {
            "activity_id": world.ids.new("A"), "activity_type": activity_type,
            "user_id": world.pick_user("sales", moment).user_id,
            "customer_id": self._customer_id(moment) or "", "lead_id": "", "opportunity_id": "",
            "occurred_at": _ts(moment), "due_at": _ts(due), "is_automated": "false",
        }  # fmt: skip
        return row, {"created": moment}

    def _base_usage_events(self, moment: datetime) -> Base:
        world = self.world
        users = [u for u in world.users if u.licensed(moment)] or world.users
        row = {
            "event_id": world.ids.new("E"), "user_id": self.rng.choice(users).user_id,
            "occurred_at": _ts(moment), "event_type": "login",
        }  # fmt: skip
        return row, {"created": moment}

    def _base_survey_responses(self, moment: datetime) -> Base | None:
        customer_id = self._customer_id(moment)
        if customer_id is None:
            return None
        row = {
            "response_id": self.world.ids.new("R"), "customer_id": customer_id, "ticket_id": "",
            "survey_type": "nps", "score": "8", "responded_at": _ts(moment),
        }  # fmt: skip
        return row, {"created": moment}

    def _base_web_sessions(self, moment: datetime) -> Base:
        row = {
            "session_id": self.world.ids.new("W"),
            "visitor_id": f"v-{self.rng.getrandbits(40):010x}", "customer_id": "",
            "started_at": _ts(moment), "duration_seconds": str(self.rng.randrange(20, 900)),
            "converted": "false",
        }  # fmt: skip
        return row, {"created": moment}

    def _base_subscriptions(self, moment: datetime) -> Base | None:
        customer_id = self._customer_id(moment)
        if customer_id is None:
            return None
        started = _midnight(moment)
        row = {
            "subscription_id": self.world.ids.new("SB"), "customer_id": customer_id,
            "plan": "Starter", "started_at": _day(started), "ended_at": "",
            "annual_value": _money(self.rng.uniform(1800, 3000)), "currency": "USD",
            "renewed_from_subscription_id": "", "cancel_reason": "",
        }  # fmt: skip
        return row, {"created": started}

    def _base_trainings(self, moment: datetime, index: int = 0) -> Base:
        user = self.world.users[index % len(self.world.users)]
        row = {
            "user_id": user.user_id, "course": "Data Privacy Essentials",
            "completed_at": _ts(moment), "assessment_score": "85",
        }  # fmt: skip
        return row, {"created": moment}

    def _base_sales_targets(self, moment: datetime, index: int = 0) -> Base:
        sales = [u for u in self.world.users if u.team == "sales"]
        row = {
            "user_id": sales[(index // len(BAD_DATES)) % len(sales)].user_id,
            "period_start": _day(datetime(moment.year, moment.month, 1)),
            "target_amount": _money(25000), "currency": "USD",
        }  # fmt: skip
        return row, {"created": moment}

    def _base_crm_costs(self, moment: datetime) -> Base:
        row = {
            "cost_id": self.world.ids.new("K"), "incurred_on": _day(moment),
            "category": "other", "amount": _money(self.rng.uniform(200, 900)), "currency": "USD",
        }  # fmt: skip
        return row, {"created": moment}

    def _spoil(
        self, spec: DefectSpec, index: int, moment: datetime, value: str, **options: str
    ) -> Made | None:
        """A clean row with one column replaced by `value`."""
        base = self._base(spec.table, moment, index, **options)
        if base is None:
            return None
        row, _ = base
        row[spec.column] = value
        return [row], 0, {}

    # ---- one method per kind of defect ---------------------------------------------------

    def _duplicate_updated_at(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        options = {"leads": {"status": "qualified"}, "opportunities": {"stage": "closed_won"},
                   "orders": {"status": "refunded"}}.get(spec.table, {})  # fmt: skip
        base = self._base(spec.table, moment, **options)
        if base is None:
            return None
        newer, times = base
        older = dict(newer)
        _earlier_state(spec.table, older)
        share = self.rng.uniform(0.1, 0.8)
        older["updated_at"] = _ts(times["created"] + (times["updated"] - times["created"]) * share)
        if self.rng.random() < 0.5:
            return [older, newer], 0, {}
        return [newer, older], 1, {}

    def _duplicate_last_row(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        base = self._base(spec.table, moment)
        if base is None:
            return None
        last, _ = base
        first = dict(last)
        if spec.table == "activities":
            first["occurred_at"] = _ts(moment - _hours(self.rng.uniform(1, 30)))
        elif spec.table == "usage_events":
            first["event_type"] = "record_updated"
        else:
            first["duration_seconds"] = str(int(last["duration_seconds"]) + 30)
        return [first, last], 0, {"column_for_value": PRIMARY_KEYS[spec.table][0]}

    def _unparseable_date(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        # an activity row is a task: for a call, an unreadable occurred_at would also count as
        # missing (staging checks the parsed value), and the row would carry two reasons
        options = {"activity_type": "task"} if spec.table == "activities" else {}
        return self._spoil(spec, index, moment, BAD_DATES[index % len(BAD_DATES)], **options)

    def _unparseable_number(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        return self._spoil(spec, index, moment, BAD_NUMBERS[index % len(BAD_NUMBERS)])

    def _unparseable_boolean(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        return self._spoil(spec, index, moment, BAD_BOOLEANS[index % len(BAD_BOOLEANS)])

    def _unknown_enum(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        values = UNKNOWN_VALUES[(spec.table, spec.column)]
        options = {"stage": "closed_won"} if spec.table == "opportunities" else {}
        return self._spoil(spec, index, moment, values[index % len(values)], **options)

    def _out_of_range(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        if spec.table == "survey_responses":
            survey_type, score = SCORE_OUT_OF_RANGE[index % len(SCORE_OUT_OF_RANGE)]
            made = self._spoil(spec, index, moment, score)
            if made is not None:
                made[0][0]["survey_type"] = survey_type
            return made
        if spec.table == "trainings":
            value = ASSESSMENT_OUT_OF_RANGE[index % len(ASSESSMENT_OUT_OF_RANGE)]
            return self._spoil(spec, index, moment, value)
        return self._spoil(spec, index, moment, f"-{self.rng.randrange(5, 600)}")

    def _negative_amount(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        return self._spoil(spec, index, moment, _money(-self.rng.uniform(50, 5000)))

    def _shifted(
        self, spec: DefectSpec, moment: datetime, before: timedelta, **options: str
    ) -> Made | None:
        """A row whose `spec.column` lies `before` ahead of its creation instant."""
        base = self._base(spec.table, moment, **options)
        if base is None:
            return None
        row, times = base
        row[spec.column] = _ts(times["created"] - before)
        return [row], 0, {}

    def _closed_before_created(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        stage = "closed_won" if index % 2 == 0 else "closed_lost"
        return self._shifted(spec, moment, _days(self.rng.uniform(1, 30)), stage=stage)

    def _resolved_before_created(
        self, spec: DefectSpec, index: int, moment: datetime
    ) -> Made | None:
        made = self._shifted(spec, moment, _hours(self.rng.uniform(2, 48)))
        if made is not None:
            made[0][0].update({"first_response_at": "", "status": "resolved"})
        return made

    def _first_response_before_created(
        self, spec: DefectSpec, index: int, moment: datetime
    ) -> Made | None:
        return self._shifted(spec, moment, _hours(self.rng.uniform(1, 6)))

    def _fulfilled_before_ordered(
        self, spec: DefectSpec, index: int, moment: datetime
    ) -> Made | None:
        return self._shifted(spec, moment, _hours(self.rng.uniform(1, 72)))

    def _converted_before_created(
        self, spec: DefectSpec, index: int, moment: datetime
    ) -> Made | None:
        made = self._shifted(spec, moment, _days(self.rng.uniform(1, 10)))
        if made is not None:
            made[0][0].update(
                {"status": "converted", "first_contacted_at": "", "qualified_at": "",
                 "converted_customer_id": self._customer_id(moment) or ""}
            )  # fmt: skip
        return made

    def _ended_before_started(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        made = self._shifted(spec, moment, timedelta(days=self.rng.randrange(10, 90)))
        if made is not None:
            row = made[0][0]
            row.update({"ended_at": row["ended_at"][:10], "cancel_reason": "price"})
        return made

    def _closed_without_closed_at(
        self, spec: DefectSpec, index: int, moment: datetime
    ) -> Made | None:
        stage = "closed_won" if index % 2 == 0 else "closed_lost"
        return self._spoil(spec, index, moment, "", stage=stage)

    def _missing_occurred_at(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        kind = ("call", "email", "meeting")[index % 3]
        return self._spoil(spec, index, moment, "", activity_type=kind)

    def _missing_required(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        return self._spoil(spec, index, moment, "")

    def _no_exchange_rate(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        base = self._base(spec.table, moment)
        if base is None:
            return None
        row, _ = base
        row[spec.column] = _money(float(row[spec.column]) * 150)
        row["currency"] = "JPY"
        if "cost_amount" in row:
            row["cost_amount"] = ""
        return [row], 0, {}

    def _kept_invalid_email(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        """The literal examples once each, then the same mistakes with other names (unique,
        so that malformed e-mails do not also make customers look like duplicates)."""
        if index < len(BAD_EMAILS):
            return self._spoil(spec, index, moment, BAD_EMAILS[index])
        first, last = (name.lower() for name in self.world.person())
        patterns = (f"{first}.{last}{index}@", f"{first}-{last}{index}.example.com",
                    f"{first} {last}{index}@example.com", f"{first}{index}@@example.com",
                    f"{first}.{last}{index}@example")  # fmt: skip
        return self._spoil(spec, index, moment, patterns[index % len(patterns)])

    def _kept_orphan(self, spec: DefectSpec, index: int, moment: datetime) -> Made | None:
        world = self.world
        deleted = world.deleted_lead_ids if spec.column == "lead_id" else world.deleted_customer_ids
        made = self._spoil(spec, index, moment, self.rng.choice(deleted))
        if made is not None and spec.table == "activities":
            made[0][0]["customer_id"] = ""
        return made

    def _kept_noncanonical_enum(
        self, spec: DefectSpec, index: int, moment: datetime
    ) -> Made | None:
        variants = KEPT_VARIANTS[(spec.table, spec.column)]
        written, canonical = variants[index % len(variants)]
        return self._spoil(spec, index, moment, written, **{spec.column: canonical})

    def _kept_duplicate_customer(
        self, spec: DefectSpec, index: int, moment: datetime
    ) -> Made | None:
        """A second record of a known customer: same e-mail (other case) or same phone digits."""
        original = self.world.pick_customer(moment)
        if original is None or not (original.email or original.phone):
            return None
        row, _ = self._base_customers(moment)
        by_email = bool(original.email) and (index % 2 == 0 or not original.phone)
        if by_email:
            row["email"] = original.email.title()
        else:
            digits = "".join(ch for ch in original.phone if ch.isdigit())
            row["phone"] = f"+{digits[:-7]} {digits[-7:-4]} {digits[-4:]}"
        row["customer_name"] = original.name.rsplit(" ", 1)[0]
        column = "email" if by_email else "phone"
        return [row], 0, {"column": column, "column_for_value": column,
                          "duplicate_of": original.customer_id}  # fmt: skip


def _earlier_state(table: str, row: Row) -> None:
    """Turn the newest version of a record into a plausible, valid earlier version."""
    if table == "customers":
        row.update({"phone": "", "owner_user_id": ""})
    elif table == "leads":
        row.update({"status": "working", "qualified_at": ""})
    elif table == "opportunities":
        amount = float(row["amount"]) * 0.9
        row.update({"stage": "negotiation", "closed_at": "", "amount": _money(amount)})
    elif table == "orders":
        row.update({"status": "completed"})
    elif table == "tickets":
        row.update({"status": "pending", "resolved_at": "", "resolution": ""})


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def generate(
    out_dir: Path,
    seed: int = 42,
    scale: float = 1.0,
    fmt: str = "csv",
    *,
    write_seed_properties: bool = False,
) -> dict[str, Any]:
    """Write every contract table to `out_dir` (CSV or Parquet) plus `_defects.json`.

    Returns a summary: rows per table, defects per kind, expected quarantined rows per table.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        rows, entries = _write_csv(out_dir, seed, scale)
    else:
        with tempfile.TemporaryDirectory(prefix="crm_kpi_generator_") as tmp:
            rows, entries = _write_csv(Path(tmp), seed, scale)
            _csv_to_parquet(Path(tmp), out_dir)
    _remove_other_format(out_dir, fmt)
    manifest = out_dir / MANIFEST_NAME
    manifest.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if write_seed_properties:
        write_seed_properties_file(out_dir, seed, scale)
    return _summary(out_dir, seed, scale, fmt, rows, entries)


def _write_csv(
    out_dir: Path, seed: int, scale: float
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    world = World(out_dir, seed, scale)
    try:
        world.run()
    finally:
        rows = world.close()
    order = {table: i for i, table in enumerate(TABLE_COLUMNS)}
    entries = sorted(world.defects.entries, key=lambda e: (order[e["table"]], e["row_number"]))
    return rows, entries


def _csv_to_parquet(csv_dir: Path, out_dir: Path) -> None:
    """Each CSV to Parquet with every column as text, streamed by DuckDB."""
    import duckdb  # only needed for Parquet output

    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")
        for table in TABLE_COLUMNS:
            source = _sql_literal(str(csv_dir / f"{table}.csv"))
            target = _sql_literal(str(out_dir / f"{table}.parquet"))
            connection.execute(
                f"copy (select * from read_csv({source}, all_varchar = true, header = true, "
                f"delim = ',', quote = '\"', escape = '\"')) to {target} (format parquet)"
            )


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _remove_other_format(out_dir: Path, fmt: str) -> None:
    """A stale `customers.csv` would shadow a fresh `customers.parquet` (CSV is read first)."""
    other = "parquet" if fmt == "csv" else "csv"
    for table in TABLE_COLUMNS:
        (out_dir / f"{table}.{other}").unlink(missing_ok=True)


def _summary(
    out_dir: Path, seed: int, scale: float, fmt: str, rows: dict[str, int],
    entries: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    kinds: dict[str, int] = {}
    quarantined: dict[str, int] = dict.fromkeys(TABLE_COLUMNS, 0)
    for entry in entries:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
        if entry["expected_reason"] is not None:
            quarantined[entry["table"]] += 1
    return {
        "out_dir": str(out_dir),
        "seed": seed,
        "scale": scale,
        "format": fmt,
        "rows": rows,
        "total_rows": sum(rows.values()),
        "defects": dict(sorted(kinds.items())),
        "expected_quarantined": quarantined,
        "expected_quarantined_total": sum(quarantined.values()),
    }


def load_contract(path: Path = CONTRACT_PATH) -> dict[str, dict[str, Any]]:
    """The contract tables of `_crm__sources.yml` by name ({} when the file is not there)."""
    if not path.exists():
        return {}
    import yaml  # a dependency of dbt-core; only needed for the seed properties

    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for source in document.get("sources", []):
        if source.get("name") == "crm":
            return {table["name"]: table for table in source.get("tables", [])}
    return {}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def write_seed_properties_file(out_dir: Path, seed: int, scale: float) -> Path:
    """dbt properties of the sample seeds: every column of every file loaded as varchar."""
    import yaml

    contract = load_contract()
    seeds = []
    for table, columns in TABLE_COLUMNS.items():
        spec = contract.get(table, {})
        described = {c["name"]: c.get("description", "") for c in spec.get("columns", [])}
        seeds.append(
            {
                "name": table,
                "description": _one_line(
                    f"Bundled sample extract `{table}`, every column loaded as text. "
                    f"{spec.get('description', '')}"
                ),
                "config": {"column_types": dict.fromkeys(columns, "varchar")},
                "columns": [
                    {"name": column, "description": _one_line(
                        described.get(column)
                        or EXTRA_COLUMN_DESCRIPTIONS.get((table, column))
                        or f"Raw text of {column}."
                    )}
                    for column in columns
                ],
            }
        )  # fmt: skip
    header = (
        "# Properties of the bundled sample seeds: every column is loaded as text (varchar).\n"
        "# Written by scripts/crm_kpi/generator.py --write-seed-properties "
        f"(seed {seed}, scale {scale:g}):\n# do not edit by hand, regenerate the sample.\n"
    )
    body = yaml.safe_dump(
        {"version": 2, "seeds": seeds}, sort_keys=False, width=100, allow_unicode=True
    )
    path = out_dir / SEED_PROPERTIES_NAME
    path.write_text(header + body, encoding="utf-8")
    return path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_kpi.generator",
        description="Write deterministic sample CRM extracts (one file per contract table).",
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to write the files to")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--scale", type=float, default=1.0, help="row-count multiplier")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument(
        "--write-seed-properties",
        action="store_true",
        help=f"also write {SEED_PROPERTIES_NAME} (dbt properties: every column as varchar)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    summary = generate(
        args.out,
        seed=args.seed,
        scale=args.scale,
        fmt=args.format,
        write_seed_properties=args.write_seed_properties,
    )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

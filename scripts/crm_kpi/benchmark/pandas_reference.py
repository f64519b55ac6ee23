"""The benchmark's notebook reference: the ten KPIs of reference.sql written in pandas.

What an analyst would write in a notebook: read the extract files into DataFrames
(`pd.read_parquet`, text in pandas 3's default `str` columns, stored in Arrow), clean and parse
the columns, drop the rows the contract quarantines (every rule of the tables read), keep one row
per key (latest updated_at, else the later row of the file), then group. Written with pandas'
vectorised built-ins (no Python function per group), one table at a time with only the columns
the KPIs need kept, so that the 10M size fits in memory; everything is pandas.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

TZ_PATTERN = (
    r"[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]*)?)? ?(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)$"
)
LOW, HIGH = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-01-01")
OPEN_END = pd.Timestamp("2200-01-01")  # open-ended (staged timestamps are < 2100)
OWNER = ["user_id", "team", "segment", "region", "acquisition_channel"]
GRAINS = {"month": "M", "quarter": "Q", "year": "Y"}
KPIS = {  # kpi_id: (aggregation, breakdowns, scale)
    "revenue": ("sum", OWNER, 1.0),
    "win_rate": ("ratio", OWNER, 1.0),
    "average_deal_size": ("mean", OWNER, 1.0),
    "sales_cycle_days": ("mean", OWNER, 1.0),
    "lead_conversion_rate": (
        "ratio",
        ["user_id", "team", "acquisition_channel", "campaign_id"],
        1.0,
    ),
    "first_response_hours": ("mean", OWNER, 1.0),
    "resolution_hours": ("mean", OWNER, 1.0),
    "nps": ("ratio", OWNER, 100.0),
    "churn_rate": ("ratio", OWNER, 1.0),
    "active_user_rate": ("ratio", ["team"], 1.0),
}


# ------------------------------------------------------------------------------- reading, parsing
def read(folder: Path, table: str, columns: list[str]) -> pd.DataFrame:
    """The columns of one extract as cleaned text (None when empty) plus the row number."""
    path = next(p for p in (folder / f"{table}.parquet", folder / f"{table}.csv") if p.exists())
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype="str", keep_default_na=False, usecols=columns)
    else:
        frame = pd.read_parquet(path, columns=columns)
    for column in columns:
        text = frame[column].astype("str").str.strip(" \t\r\n")
        frame[column] = text.where(text != "", None)
    frame["_rn"] = np.arange(len(frame))
    return frame


def ts(text: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    present = text.notna()
    with_zone = present & text.str.contains(TZ_PATTERN, regex=True, na=False)
    plain = present & ~with_zone
    if with_zone.any():
        zoned = pd.to_datetime(text[with_zone], format="ISO8601", utc=True, errors="coerce")
        out[with_zone] = zoned.dt.tz_convert(None).astype("datetime64[ns]")
    if plain.any():
        out[plain] = pd.to_datetime(text[plain], format="ISO8601", errors="coerce").astype(
            "datetime64[ns]"
        )
    return out


def bad_ts(text: pd.Series, parsed: pd.Series) -> pd.Series:
    return text.notna() & (parsed.isna() | (parsed < LOW) | (parsed >= HIGH))


def number(text: pd.Series) -> pd.Series:
    values = pd.to_numeric(text, errors="coerce").astype(float)
    return values.where(np.isfinite(values))


def bad_money(text: pd.Series) -> pd.Series:
    values = number(text)
    return text.notna() & (values.isna() | (values.abs() >= 1e14) | (values < 0))


def round4(values: pd.Series) -> pd.Series:
    """Money to 4 decimals, halves away from zero (as a cast to decimal(18, 4) does)."""
    return np.sign(values) * np.floor(values.abs() * 10_000 + 0.5) / 10_000


def integer(text: pd.Series) -> pd.Series:
    values = number(text)
    return np.sign(values) * np.floor(values.abs() + 0.5)


def bad_int(text: pd.Series) -> pd.Series:
    values = integer(text)
    return text.notna() & (values.isna() | (values < 0))


def label(text: pd.Series) -> pd.Series:
    out = text.str.lower().str.replace(r"[\W_]+", "_", regex=True)
    return out.where(out != "_", None)


def bad_enum(text: pd.Series, accepted: list[str]) -> pd.Series:
    labels = label(text)
    return labels.notna() & ~labels.isin(accepted)


def bad_bool(text: pd.Series) -> pd.Series:
    lowered = text.str.lower()
    known = lowered.isin(["true", "1", "yes", "t", "y", "false", "0", "no", "f", "n"])
    return text.notna() & ~known


def missing(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return frame[columns].isna().any(axis=1)


def latest(frame: pd.DataFrame, key: list[str], updated: str | None = None) -> pd.DataFrame:
    """One row per key: the latest `updated` (nulls last), else the later row of the file."""
    if updated is None:
        return frame[~frame.duplicated(key, keep="last")]
    order = frame[[*key, updated, "_rn"]].sort_values(
        [*key, updated, "_rn"], ascending=[True] * len(key) + [False, False], na_position="last"
    )
    return frame.loc[order.drop_duplicates(key, keep="first").index]


def with_rate(frame: pd.DataFrame, rates: pd.DataFrame, at: str) -> pd.Series:
    """The rate into USD of each row's currency on the day of column `at` (NaN: no rate)."""
    currency = frame["currency"].str.upper().fillna("USD")
    rate = pd.Series(np.where(currency == "USD", 1.0, np.nan), index=frame.index)
    need = (currency != "USD") & frame[at].notna()
    if need.any():
        left = pd.DataFrame(
            {
                "currency": currency[need],
                "day": frame.loc[need, at].dt.normalize(),
                "_i": frame.index[need],
            }
        ).sort_values("day")
        right = rates.rename(columns={"rate_date": "day"}).sort_values("day")
        joined = pd.merge_asof(left, right, on="day", by="currency", direction="backward")
        rate.loc[joined["_i"].to_numpy()] = joined["rate"].to_numpy()
    return rate


# ------------------------------------------------------------------------------- staged tables
def _rates(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    r = read(folder, "exchange_rates", ["currency", "rate_date", "rate_to_reporting"])
    r["cur"] = r["currency"].str.upper()
    r["day"] = pd.to_datetime(r["rate_date"], format="ISO8601", errors="coerce").dt.normalize()
    r["rate"] = number(r["rate_to_reporting"])
    bad = (
        missing(r, ["currency", "rate_date", "rate_to_reporting"])
        | r["day"].isna()
        | r["rate"].isna()
    )
    bad |= (r["day"] < LOW) | (r["day"] >= HIGH) | (r["rate"] <= 0)
    r = latest(r[~bad].assign(currency=r["cur"], rate_date=r["day"]), ["currency", "rate_date"])
    t["rates"] = r[["currency", "rate_date", "rate"]].astype({"rate_date": "datetime64[ns]"})


def _users(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    u = read(folder, "users", ["user_id", "team", "licensed_from", "licensed_to"])
    u["lf"], u["lt"] = ts(u["licensed_from"]), ts(u["licensed_to"])
    bad = (
        missing(u, ["user_id"])
        | bad_ts(u["licensed_from"], u["lf"])
        | bad_ts(u["licensed_to"], u["lt"])
    )
    bad |= (u["lt"] < u["lf"]).fillna(False)
    u = latest(u[~bad], ["user_id"])
    t["users"] = pd.DataFrame(
        {
            "user_id": u["user_id"],
            "team": label(u["team"]),
            "licensed_from": u["lf"],
            "licensed_to": u["lt"],
        }
    )


def _customers(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    c = read(
        folder,
        "customers",
        [
            "customer_id",
            "segment",
            "region",
            "acquisition_channel",
            "owner_user_id",
            "created_at",
            "updated_at",
        ],
    )
    c["created"], c["updated"] = ts(c["created_at"]), ts(c["updated_at"])
    bad = missing(c, ["customer_id", "created_at"]) | bad_ts(c["created_at"], c["created"])
    bad |= bad_ts(c["updated_at"], c["updated"])
    c = latest(c[~bad], ["customer_id"], "updated")
    teams = t["users"].set_index("user_id")["team"]
    t["customers"] = c[["customer_id", "created"]]
    t["breakdowns"] = pd.DataFrame(
        {
            "customer_id": c["customer_id"],
            "user_id": c["owner_user_id"],
            "team": c["owner_user_id"].map(teams),
            "segment": label(c["segment"]),
            "region": c["region"],
            "acquisition_channel": label(c["acquisition_channel"]),
        }
    )


def _orders(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    o = read(
        folder,
        "orders",
        [
            "order_id",
            "customer_id",
            "ordered_at",
            "amount",
            "cost_amount",
            "currency",
            "status",
            "fulfilled_at",
            "updated_at",
        ],
    )
    o["at"], o["updated"], o["fulfilled"] = (
        ts(o["ordered_at"]),
        ts(o["updated_at"]),
        ts(o["fulfilled_at"]),
    )
    o["rate"] = with_rate(o, t["rates"], "at")
    o["original"] = round4(number(o["amount"]))
    bad = missing(o, ["order_id", "customer_id", "ordered_at", "amount", "status"])
    bad |= bad_ts(o["ordered_at"], o["at"]) | bad_money(o["amount"]) | bad_money(o["cost_amount"])
    bad |= bad_enum(o["status"], ["completed", "cancelled", "refunded"])
    bad |= bad_ts(o["fulfilled_at"], o["fulfilled"]) | bad_ts(o["updated_at"], o["updated"])
    bad |= (o["fulfilled"] < o["at"]).fillna(False)
    bad |= o["original"].notna() & o["at"].notna() & o["rate"].isna()
    o = latest(o[~bad], ["order_id"], "updated")
    t["orders"] = pd.DataFrame(
        {
            "order_id": o["order_id"],
            "customer_id": o["customer_id"],
            "status": label(o["status"]),
            "ordered_at": o["at"],
            "amount": round4(o["original"] * o["rate"]),
        }
    )


def _opportunities(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    p = read(
        folder,
        "opportunities",
        [
            "opportunity_id",
            "customer_id",
            "owner_user_id",
            "opportunity_type",
            "stage",
            "amount",
            "currency",
            "created_at",
            "closed_at",
            "updated_at",
        ],
    )
    p["created"], p["closed"], p["updated"] = (
        ts(p["created_at"]),
        ts(p["closed_at"]),
        ts(p["updated_at"]),
    )
    p["stage_label"] = label(p["stage"])
    p["rate_at"] = p["closed"].fillna(p["created"])  # the rate of the closing day
    p["rate"] = with_rate(p, t["rates"], "rate_at")
    p["original"] = round4(number(p["amount"]))
    stages = [
        "prospecting",
        "qualification",
        "proposal",
        "negotiation",
        "closed_won",
        "closed_lost",
    ]
    bad = missing(p, ["opportunity_id", "stage", "amount", "created_at"])
    bad |= bad_enum(p["opportunity_type"], ["new_business", "upsell", "cross_sell", "renewal"])
    bad |= bad_enum(p["stage"], stages) | bad_money(p["amount"])
    bad |= bad_ts(p["created_at"], p["created"]) | bad_ts(p["closed_at"], p["closed"])
    bad |= bad_ts(p["updated_at"], p["updated"]) | (p["closed"] < p["created"]).fillna(False)
    bad |= p["stage_label"].isin(["closed_won", "closed_lost"]) & p["closed"].isna()
    bad |= p["original"].notna() & p["created"].notna() & p["rate"].isna()
    p = latest(p[~bad], ["opportunity_id"], "updated")
    t["opportunities"] = pd.DataFrame(
        {
            "opportunity_id": p["opportunity_id"],
            "customer_id": p["customer_id"],
            "user_id": p["owner_user_id"],
            "stage": p["stage_label"],
            "created_at": p["created"],
            "closed_at": p["closed"],
            "amount": round4(p["original"] * p["rate"]),
        }
    )


def _leads(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    lead = read(
        folder,
        "leads",
        [
            "lead_id",
            "created_at",
            "source_channel",
            "campaign_id",
            "owner_user_id",
            "status",
            "first_contacted_at",
            "qualified_at",
            "converted_at",
            "estimated_value",
            "updated_at",
        ],
    )
    parsed = {c: ts(lead[c]) for c in ["created_at", "first_contacted_at", "qualified_at",
                                       "converted_at", "updated_at"]}  # fmt: skip
    bad = missing(lead, ["lead_id", "created_at", "status"])
    bad |= bad_enum(
        lead["status"], ["new", "working", "qualified", "unqualified", "converted", "lost"]
    )
    for column, values in parsed.items():
        bad |= bad_ts(lead[column], values)
    bad |= bad_money(lead["estimated_value"])
    for column in ["first_contacted_at", "qualified_at", "converted_at"]:
        bad |= (parsed[column] < parsed["created_at"]).fillna(False)
    lead = lead.assign(
        created=parsed["created_at"], converted=parsed["converted_at"], updated=parsed["updated_at"]
    )
    lead = latest(lead[~bad], ["lead_id"], "updated")
    t["leads"] = lead[["created", "converted", "owner_user_id", "source_channel", "campaign_id"]]


def _tickets(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    k = read(
        folder,
        "tickets",
        [
            "ticket_id",
            "customer_id",
            "category",
            "channel",
            "priority",
            "assigned_user_id",
            "created_at",
            "first_response_at",
            "resolved_at",
            "status",
            "resolution",
            "reopened_count",
            "updated_at",
        ],
    )
    parsed = {c: ts(k[c]) for c in ["created_at", "first_response_at", "resolved_at", "updated_at"]}
    bad = missing(k, ["ticket_id", "category", "created_at", "status"])
    bad |= bad_enum(k["category"], ["complaint", "question", "incident", "request"])
    bad |= bad_enum(k["channel"], ["email", "phone", "chat", "web", "social"])
    bad |= bad_enum(k["priority"], ["low", "normal", "high", "urgent"])
    bad |= bad_enum(k["status"], ["open", "pending", "resolved", "closed"])
    bad |= bad_enum(k["resolution"], ["solved", "unsolved", "duplicate", "spam"])
    for column, values in parsed.items():
        bad |= bad_ts(k[column], values)
    bad |= bad_int(k["reopened_count"])
    bad |= (parsed["first_response_at"] < parsed["created_at"]).fillna(False)
    bad |= (parsed["resolved_at"] < parsed["created_at"]).fillna(False)
    k = k.assign(
        created=parsed["created_at"],
        responded=parsed["first_response_at"],
        resolved=parsed["resolved_at"],
        updated=parsed["updated_at"],
    )
    k = latest(k[~bad], ["ticket_id"], "updated")
    t["tickets"] = k[
        ["ticket_id", "customer_id", "assigned_user_id", "created", "responded", "resolved"]
    ]


def _surveys(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    s = read(
        folder,
        "survey_responses",
        ["response_id", "customer_id", "ticket_id", "survey_type", "score", "responded_at"],
    )
    s["at"], s["type"], s["points"] = (
        ts(s["responded_at"]),
        label(s["survey_type"]),
        integer(s["score"]),
    )
    bad = missing(s, ["response_id", "survey_type", "score", "responded_at"])
    bad |= bad_enum(s["survey_type"], ["nps", "csat"]) | bad_int(s["score"])
    bad |= bad_ts(s["responded_at"], s["at"])
    bad |= ((s["type"] == "nps") & ((s["points"] < 0) | (s["points"] > 10))).fillna(False)
    bad |= ((s["type"] == "csat") & ((s["points"] < 1) | (s["points"] > 5))).fillna(False)
    t["surveys"] = latest(s[~bad], ["response_id"])[
        ["customer_id", "ticket_id", "type", "points", "at"]
    ]


def _subscriptions(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    b = read(
        folder,
        "subscriptions",
        [
            "subscription_id",
            "customer_id",
            "started_at",
            "ended_at",
            "annual_value",
            "currency",
            "cancel_reason",
        ],
    )
    b["start"], b["end"] = ts(b["started_at"]), ts(b["ended_at"])
    b["rate"] = with_rate(b, t["rates"], "start")
    bad = missing(b, ["subscription_id", "customer_id", "started_at", "annual_value"])
    bad |= bad_ts(b["started_at"], b["start"]) | bad_ts(b["ended_at"], b["end"])
    bad |= bad_money(b["annual_value"]) | (b["end"] < b["start"]).fillna(False)
    bad |= number(b["annual_value"]).notna() & b["start"].notna() & b["rate"].isna()
    b = latest(b[~bad], ["subscription_id"])
    b["reason"] = label(b["cancel_reason"])
    t["subscriptions"] = b[["subscription_id", "customer_id", "start", "end", "reason"]]


def _usage(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    e = read(folder, "usage_events", ["event_id", "user_id", "occurred_at", "event_type"])
    e["at"] = ts(e["occurred_at"])
    bad = missing(e, ["event_id", "user_id", "occurred_at", "event_type"])
    bad |= bad_ts(e["occurred_at"], e["at"])
    bad |= bad_enum(
        e["event_type"],
        ["login", "record_created", "record_updated", "report_viewed", "automation_run"],
    )
    t["usage"] = latest(e[~bad], ["event_id"])[["user_id", "at"]]


def _activities(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    a = read(
        folder,
        "activities",
        ["activity_id", "activity_type", "user_id", "occurred_at", "due_at", "is_automated"],
    )
    a["at"], a["due"], a["type"] = ts(a["occurred_at"]), ts(a["due_at"]), label(a["activity_type"])
    bad = missing(a, ["activity_id", "activity_type", "user_id"])
    bad |= bad_enum(a["activity_type"], ["call", "email", "meeting", "note", "task", "follow_up"])
    bad |= (
        bad_ts(a["occurred_at"], a["at"])
        | bad_ts(a["due_at"], a["due"])
        | bad_bool(a["is_automated"])
    )
    bad |= a["occurred_at"].isna() & ~a["type"].isin(["task", "follow_up"])
    t["activities"] = latest(a[~bad], ["activity_id"])[["user_id", "at"]]


def stage(folder: Path) -> dict[str, pd.DataFrame]:
    """The staged tables the ten KPIs read, one table at a time (its raw frame is freed
    before the next is read)."""
    t: dict[str, pd.DataFrame] = {}
    for table in (
        _rates,
        _users,
        _customers,
        _orders,
        _opportunities,
        _leads,
        _tickets,
        _surveys,
        _subscriptions,
        _usage,
        _activities,
    ):
        table(folder, t)
    return t


# ------------------------------------------------------------------------------- calendar
def calendar(t: dict[str, pd.DataFrame], as_of_date: dt.date) -> tuple[pd.DataFrame, pd.Timestamp]:
    as_of_at = pd.Timestamp(as_of_date) + pd.Timedelta(days=1)
    first = min(
        t["orders"]["ordered_at"].min(),
        t["leads"]["created"].min(),
        t["opportunities"]["created_at"].min(),
        t["tickets"]["created"].min(),
        t["usage"]["at"].min(),
        t["activities"]["at"].min(),
        t["customers"]["created"].min(),
    )
    start = pd.Timestamp(first.year, first.month, 1)
    months = pd.date_range(start, pd.Timestamp(as_of_date), freq="MS")
    rows = []
    for grain, code in GRAINS.items():
        for period in sorted({m.to_period(code) for m in months}):
            rows.append((grain, period.start_time, (period + 1).start_time))
    rows.append(("all_time", start, pd.Timestamp(as_of_date) + pd.Timedelta(days=1)))
    periods = pd.DataFrame(rows, columns=["period_grain", "period_start", "period_end"])
    periods["end_instant"] = periods["period_end"].clip(upper=as_of_at)
    periods["is_period_complete"] = periods["period_end"] <= as_of_at
    return periods, as_of_at


# ------------------------------------------------------------------------------- KPI inputs
def event_inputs(t: dict[str, pd.DataFrame], as_of_at: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Per KPI: event_at, measure or numerator/denominator, the breakdown columns."""
    breakdowns = t["breakdowns"]
    teams = t["users"].set_index("user_id")["team"]
    by_customer = breakdowns.drop(columns=["user_id", "team"])

    o = t["orders"]
    o = o[(o["status"] == "completed") & (o["ordered_at"] <= as_of_at)]
    o = o.merge(breakdowns, on="customer_id", how="left")
    inputs = {"revenue": o.assign(event_at=o["ordered_at"], measure=o["amount"])}

    p = t["opportunities"]
    p = p[p["stage"].isin(["closed_won", "closed_lost"]) & (p["closed_at"] <= as_of_at)]
    p = p.merge(by_customer, on="customer_id", how="left").assign(
        team=lambda f: f["user_id"].map(teams)
    )
    won = p[p["stage"] == "closed_won"]
    inputs["win_rate"] = p.assign(
        event_at=p["closed_at"], numerator=(p["stage"] == "closed_won") * 1.0, denominator=1.0
    )
    inputs["average_deal_size"] = won.assign(event_at=won["closed_at"], measure=won["amount"])
    cycle = (won["closed_at"] - won["created_at"]).dt.total_seconds() / 86400.0
    inputs["sales_cycle_days"] = won.assign(event_at=won["closed_at"], measure=cycle)

    lead = t["leads"]
    inputs["lead_conversion_rate"] = pd.DataFrame(
        {
            "event_at": lead["created"],
            "numerator": (lead["converted"] <= as_of_at).astype(float),
            "denominator": 1.0,
            "user_id": lead["owner_user_id"],
            "team": lead["owner_user_id"].map(teams),
            "acquisition_channel": label(lead["source_channel"]),
            "campaign_id": lead["campaign_id"],
        }
    )

    k = t["tickets"].merge(by_customer, on="customer_id", how="left")
    k = k.assign(user_id=k["assigned_user_id"], team=k["assigned_user_id"].map(teams))
    responded = k[k["responded"] <= as_of_at]
    resolved = k[k["resolved"] <= as_of_at]
    hours = 3600.0
    inputs["first_response_hours"] = responded.assign(
        event_at=responded["created"],
        measure=(responded["responded"] - responded["created"]).dt.total_seconds() / hours,
    )
    inputs["resolution_hours"] = resolved.assign(
        event_at=resolved["resolved"],
        measure=(resolved["resolved"] - resolved["created"]).dt.total_seconds() / hours,
    )

    s = t["surveys"]
    s = s[s["type"] == "nps"].merge(
        t["tickets"][["ticket_id", "customer_id", "assigned_user_id"]].rename(
            columns={"customer_id": "ticket_customer_id"}
        ),
        on="ticket_id",
        how="left",
    )
    s["effective_customer_id"] = s["customer_id"].fillna(s["ticket_customer_id"])
    s = s.merge(
        breakdowns.rename(
            columns={
                "customer_id": "effective_customer_id",
                "user_id": "owner_id",
                "team": "owner_team",
            }
        ),
        on="effective_customer_id",
        how="left",
    )
    s["user_id"] = s["assigned_user_id"].fillna(s["owner_id"])
    s["team"] = s["user_id"].map(teams)
    score = np.select([s["points"] >= 9, s["points"] <= 6], [1.0, -1.0], 0.0)
    inputs["nps"] = s.assign(event_at=s["at"], numerator=score, denominator=1.0)
    return inputs


def churn_inputs(
    t: dict[str, pd.DataFrame], periods: pd.DataFrame, as_of_at: pd.Timestamp, churn_days: int
) -> pd.DataFrame:
    subs = t["subscriptions"]
    subs = subs[subs["start"] <= as_of_at]
    sub_customers = set(subs["customer_id"])
    subs = subs[subs["end"].isna() | (subs["end"] > subs["start"])]
    intervals_sub = pd.DataFrame(
        {
            "customer_id": subs["customer_id"],
            "interval_id": subs["subscription_id"],
            "basis": "subscription",
            "s": subs["start"],
            "e": subs["end"].fillna(OPEN_END),
            "reason": subs["reason"],
        }
    )
    o = t["orders"]
    o = o[
        (o["status"] == "completed")
        & (o["ordered_at"] <= as_of_at)
        & ~o["customer_id"].isin(sub_customers)
    ]
    intervals_order = pd.DataFrame(
        {
            "customer_id": o["customer_id"],
            "interval_id": o["order_id"],
            "basis": "order",
            "s": o["ordered_at"],
            "e": o["ordered_at"] + pd.Timedelta(days=churn_days),
            "reason": None,
        }
    )
    iv = pd.concat([intervals_sub, intervals_order], ignore_index=True)
    iv = iv.sort_values(["customer_id", "s", "e", "interval_id"]).reset_index(drop=True)
    prev_end = iv.groupby("customer_id")["e"].cummax().groupby(iv["customer_id"]).shift(1)
    iv["island"] = (
        (prev_end.isna() | (iv["s"] > prev_end)).astype(int).groupby(iv["customer_id"]).cumsum()
    )
    spans = iv.groupby(["customer_id", "island"]).agg(
        span_start=("s", "min"), span_end=("e", "max"), basis=("basis", "first")
    )
    ends = iv.join(spans["span_end"], on=["customer_id", "island"])
    closing = ends[ends["e"] == ends["span_end"]].sort_values(
        ["customer_id", "island", "reason", "s", "interval_id"],
        ascending=[True, True, True, False, False],
        na_position="last",
    )
    closing = closing.drop_duplicates(["customer_id", "island"]).set_index(
        ["customer_id", "island"]
    )
    spans["reason"] = closing["reason"].reindex(spans.index)
    spans = spans.reset_index()
    churned = (spans["span_end"] <= as_of_at) & (spans["basis"] == "subscription")
    spans["reason"] = spans["reason"].where(churned, None)
    spans["span_end"] = spans["span_end"].where(spans["span_end"] < OPEN_END)

    frames = []
    start_ = spans["span_start"]
    end_ = spans["span_end"]
    for period in periods.itertuples():
        ps = pd.Timestamp(period.period_start)
        touches = (start_ <= period.end_instant) & (end_.isna() | (end_ >= ps))
        sp = spans[touches]
        at_start = (sp["span_start"] < ps) & (sp["span_end"].isna() | (sp["span_end"] >= ps))
        at_end = (sp["span_start"] < period.end_instant) & (
            sp["span_end"].isna() | (sp["span_end"] >= period.end_instant)
        )
        # a customer counts when a span covers the period's start; lost when none covers its end
        per = pd.DataFrame({"customer_id": sp.loc[at_start, "customer_id"].unique()})
        per["at_end"] = per["customer_id"].isin(sp.loc[at_end, "customer_id"])
        ended = sp[at_start & ~at_end & sp["reason"].notna()]
        reasons = ended.groupby("customer_id")["reason"].max()
        per["ended_reason"] = per["customer_id"].map(reasons)
        per["numerator"] = (~per["at_end"]).astype(float)
        per["denominator"] = 1.0
        per["reason"] = per["ended_reason"].where(~per["at_end"])
        per["period_grain"], per["period_start"] = period.period_grain, ps
        frames.append(per)
    rows = pd.concat(frames, ignore_index=True)
    return rows.merge(t["breakdowns"], on="customer_id", how="left")


def active_user_inputs(
    t: dict[str, pd.DataFrame], periods: pd.DataFrame, as_of_at: pd.Timestamp
) -> pd.DataFrame:
    used = (
        pd.concat([t["activities"].dropna(subset=["at"]), t["usage"]], ignore_index=True)
        .groupby("user_id")["at"]
        .min()
    )
    users = t["users"].copy()
    users["licensed_from"] = users["licensed_from"].fillna(users["user_id"].map(used))
    usage = t["usage"][t["usage"]["at"] <= as_of_at]
    frames = []
    for grain in ["month", "quarter", "year", "all_time"]:
        if grain == "all_time":
            starts = pd.Series(
                periods.loc[periods["period_grain"] == "all_time", "period_start"].iloc[0],
                index=usage.index,
            )
        else:
            starts = usage["at"].dt.to_period(GRAINS[grain]).dt.start_time
        used_in = set(zip(usage["user_id"], starts, strict=False))
        for period in periods[periods["period_grain"] == grain].itertuples():
            ps = pd.Timestamp(period.period_start)
            licensed = users[
                (users["licensed_from"] < period.end_instant)
                & (users["licensed_to"].isna() | (users["licensed_to"] >= ps))
            ]
            frames.append(
                pd.DataFrame(
                    {
                        "period_grain": grain,
                        "period_start": ps,
                        "numerator": [float((u, ps) in used_in) for u in licensed["user_id"]],
                        "denominator": 1.0,
                        "team": licensed["team"].to_numpy(),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------------------- aggregation
def rollup(
    inputs: pd.DataFrame,
    periods: pd.DataFrame,
    as_of_at: pd.Timestamp,
    aggregation: str,
    breakdowns: list[str],
) -> pd.DataFrame:
    """An event KPI's rows placed in each grain's periods and aggregated, one grain at a time."""
    inputs = inputs[inputs["event_at"] <= as_of_at]
    measures = [c for c in ("measure", "numerator", "denominator") if c in inputs.columns]
    inputs = inputs[["event_at", *measures, *breakdowns]]
    start = periods.loc[periods["period_grain"] == "all_time", "period_start"].iloc[0]
    parts = []
    for grain, code in [*GRAINS.items(), ("all_time", None)]:
        placed = inputs.drop(columns="event_at").assign(
            period_grain=grain,
            period_start=start
            if code is None
            else inputs["event_at"].dt.to_period(code).dt.start_time,
        )
        parts.append(aggregate(placed, aggregation, breakdowns))
    return pd.concat(parts, ignore_index=True)


def aggregate(rows: pd.DataFrame, aggregation: str, breakdowns: list[str]) -> pd.DataFrame:
    keys = ["period_grain", "period_start"]
    out = []
    for breakdown in ["overall", *breakdowns]:
        by = keys if breakdown == "overall" else [*keys, breakdown]
        g = rows.groupby(by, dropna=False)
        if aggregation == "sum":
            part = g["measure"].sum().rename("value").to_frame()
            part["numerator"] = part["denominator"] = np.nan
        elif aggregation == "mean":
            part = pd.DataFrame(
                {
                    "numerator": g["measure"].sum(min_count=1),
                    "denominator": g["measure"].count().astype(float),
                }
            )
        else:
            part = pd.DataFrame(
                {
                    "numerator": g["numerator"].sum(min_count=1),
                    "denominator": g["denominator"].sum().astype(float),
                }
            )
        part = part.reset_index()
        if breakdown == "overall":
            part["breakdown_value"] = None
        else:
            value = part.pop(breakdown).astype(object)
            part["breakdown_value"] = value.where(value.notna(), "(none)")
        part["breakdown"] = breakdown
        out.append(part)
    return pd.concat(out, ignore_index=True)


def finish(kpi_id: str, long: pd.DataFrame, periods: pd.DataFrame, available: bool) -> pd.DataFrame:
    aggregation, _, scale = KPIS[kpi_id]
    overall = periods.merge(
        long[long["breakdown"] == "overall"], on=["period_grain", "period_start"], how="left"
    )
    overall["breakdown"] = "overall"
    if aggregation == "sum":
        overall["value"] = overall["value"].fillna(0.0)
    rest = long[long["breakdown"] != "overall"].merge(periods, on=["period_grain", "period_start"])
    out = pd.concat([overall, rest], ignore_index=True)
    if aggregation != "sum":
        denominator = out["denominator"].where(out["denominator"] != 0)
        out["value"] = out["numerator"] / denominator * scale
    out["kpi_id"], out["kpi_version"], out["is_available"] = kpi_id, 1, available
    if not available:
        out[["value", "numerator", "denominator"]] = np.nan
    return out


def compute(folder: Path, as_of_date: dt.date, churn_days: int = 90) -> pd.DataFrame:
    """The ten KPIs in the long shape of kpi_values."""
    t = stage(Path(folder))
    periods, as_of_at = calendar(t, as_of_date)
    results = []
    for kpi_id, rows in event_inputs(t, as_of_at).items():
        aggregation, breakdowns, _ = KPIS[kpi_id]
        long = rollup(rows, periods, as_of_at, aggregation, breakdowns)
        available = kpi_id != "nps" or bool((t["surveys"]["type"] == "nps").any())
        results.append(finish(kpi_id, long, periods, available))
    churn = churn_inputs(t, periods, as_of_at, churn_days)
    long = aggregate(churn, "ratio", OWNER)
    lost = churn[churn["numerator"] == 1].assign(reason=lambda f: f["reason"].fillna("(none)"))
    parts = (
        lost.groupby(["period_grain", "period_start", "reason"])["numerator"].sum().reset_index()
    )
    totals = (
        churn.groupby(["period_grain", "period_start"])["denominator"].sum().rename("denominator")
    )
    parts = parts.join(totals, on=["period_grain", "period_start"]).rename(
        columns={"reason": "breakdown_value"}
    )
    parts["breakdown"] = "reason"
    results.append(finish("churn_rate", pd.concat([long, parts], ignore_index=True), periods, True))
    active = active_user_inputs(t, periods, as_of_at)
    results.append(
        finish(
            "active_user_rate", aggregate(active, "ratio", ["team"]), periods, len(t["usage"]) > 0
        )
    )
    columns = [
        "kpi_id",
        "kpi_version",
        "period_grain",
        "period_start",
        "breakdown",
        "breakdown_value",
        "value",
        "numerator",
        "denominator",
        "is_available",
        "is_period_complete",
    ]
    return pd.concat(results, ignore_index=True)[columns]

"""Reading log events: GetLogEvents' forward and backward pages, and FilterLogEvents' scan.

Events are ordered by (timestamp, id): the id keeps the order in which equal-timestamp events
were written. Tokens are positions in that order:
- GetLogEvents: ``f/<ts>/<id>`` reads events after the position, ``b/<ts>/<id>`` the page before it;
  at the end of the stream the token given comes back unchanged, which is how clients (the AWS CLI's
  paginator among them) know to stop
  (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html);
- FilterLogEvents: ``<ts>/<id>`` of the last event examined; no token when the scan is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamina.services.logs.errors import InvalidParameterException
from lamina.services.logs.filter_pattern import Matcher
from lamina.store.base import Store

MAX_EVENTS = 10_000
MAX_PAGE_BYTES = 1_048_576
SCAN_BATCH = 2_000
# A FilterLogEvents call examines at most this many events before answering with a token, as
# CloudWatch answers a long scan with a partial page rather than making the caller wait.
SCAN_BUDGET = 200_000

Position = tuple[int, int]  # (timestamp, id)


@dataclass
class Window:
    start: int | None = None  # ms, inclusive
    end: int | None = None  # ms, exclusive


def event_id(position: Position) -> str:
    return f"{position[0]:020d}{position[1]:020d}"


def _position(token: str, prefix: str) -> Position:
    try:
        kind, ts, ident = token.split("/")
        if kind != prefix:
            raise ValueError
        return int(ts), int(ident)
    except ValueError:
        raise InvalidParameterException("The specified nextToken is invalid.") from None


def _window_sql(window: Window) -> tuple[str, list[Any]]:
    sql, args = "", []
    if window.start is not None:
        sql += " AND ts >= ?"
        args.append(window.start)
    if window.end is not None:
        sql += " AND ts < ?"
        args.append(window.end)
    return sql, args


def _limited(rows: list[tuple], limit: int) -> list[tuple]:
    """At most ``limit`` events and about 1 MB, whichever comes first."""
    size, kept = 0, []
    for row in rows[:limit]:
        size += len(row[2]) + 26
        if kept and size > MAX_PAGE_BYTES:
            break
        kept.append(row)
    return kept


def stream_page(db: Store, stream: int, window: Window, token: str | None, limit: int | None,
                from_head: bool) -> dict[str, Any]:
    limit = min(limit or MAX_EVENTS, MAX_EVENTS)
    base = "SELECT ts, id, message, ingested FROM logs_events WHERE stream=?"
    args: list[Any] = [stream]
    extra, extra_args = _window_sql(window)
    forward = from_head if token is None else token.startswith("f/")
    if token is not None:
        ts, ident = _position(token, "f" if forward else "b")
        cmp = ">" if forward else "<"
        extra += f" AND (ts {cmp} ? OR (ts = ? AND id {cmp} ?))"
        extra_args += [ts, ts, ident]
    order = "ASC" if forward else "DESC"
    rows = db.query(f"{base}{extra} ORDER BY ts {order}, id {order} LIMIT ?", args + extra_args + [limit])
    rows = _limited(rows, limit)
    if not forward:
        rows.reverse()
    events = [{"timestamp": ts, "message": message, "ingestionTime": ingested} for ts, _, message, ingested in rows]
    if rows:
        first, last = (rows[0][0], rows[0][1]), (rows[-1][0], rows[-1][1])
        forward_token, backward_token = f"f/{last[0]}/{last[1]}", f"b/{first[0]}/{first[1]}"
    elif token is not None:
        position = _position(token, "f" if forward else "b")
        forward_token = backward_token = token
        if forward:
            backward_token = f"b/{position[0]}/{position[1] + 1}"
        else:
            forward_token = f"f/{position[0]}/{position[1] - 1}"
    else:
        forward_token, backward_token = "f/0/0", "b/0/0"
    return {"events": events, "nextForwardToken": forward_token, "nextBackwardToken": backward_token}


def filter_group(db: Store, group: int, names: dict[int, str], streams: list[int] | None, window: Window,
                 matcher: Matcher, token: str | None, limit: int | None) -> dict[str, Any]:
    """FilterLogEvents over a group (``names``: its streams' names by id; ``streams``: only these)."""
    limit = min(limit or MAX_EVENTS, MAX_EVENTS)
    position: Position | None = None
    if token:
        try:
            ts_text, id_text = token.split("/")
            position = (int(ts_text), int(id_text))
        except ValueError:
            raise InvalidParameterException("The specified nextToken is invalid.") from None
    extra, extra_args = _window_sql(window)
    if streams is not None:
        if not streams:
            return {"events": [], "searchedLogStreams": []}
        extra += f" AND stream IN ({', '.join('?' * len(streams))})"
        extra_args += streams
    found: list[dict[str, Any]] = []
    examined, size, more = 0, 0, False
    while True:
        cursor_sql, cursor_args = "", []
        if position is not None:
            cursor_sql = " AND (ts > ? OR (ts = ? AND id > ?))"
            cursor_args = [position[0], position[0], position[1]]
        rows = db.query(
            f"SELECT ts, id, message, ingested, stream FROM logs_events WHERE grp=?{extra}{cursor_sql} "
            "ORDER BY ts, id LIMIT ?", [group, *extra_args, *cursor_args, SCAN_BATCH])
        full = False
        for ts, ident, message, ingested, stream in rows:
            position = (ts, ident)
            examined += 1
            if matcher(message):
                found.append({"logStreamName": names.get(stream, ""), "timestamp": ts, "message": message,
                              "ingestionTime": ingested, "eventId": event_id(position)})
                size += len(message) + 26
                if len(found) >= limit or size >= MAX_PAGE_BYTES:
                    full = True
                    break
        if full or examined >= SCAN_BUDGET:
            more = position is not None and _has_after(db, group, extra, extra_args, position)
            break
        if len(rows) < SCAN_BATCH:
            break
    result: dict[str, Any] = {"events": found, "searchedLogStreams": []}
    if more and position is not None:
        result["nextToken"] = f"{position[0]}/{position[1]}"
    return result


def _has_after(db: Store, group: int, extra: str, extra_args: list[Any], position: Position) -> bool:
    return bool(db.query(
        f"SELECT 1 FROM logs_events WHERE grp=?{extra} AND (ts > ? OR (ts = ? AND id > ?)) LIMIT 1",
        [group, *extra_args, position[0], position[0], position[1]]))


def expire(db: Store, now_ms: int, only: int | None = None) -> int:
    """Delete events older than their group's retention (every group, or the group ``only``);
    returns how many went."""
    removed = 0
    sql = "SELECT id, retention_days FROM logs_groups WHERE retention_days IS NOT NULL"
    for group, days in db.query(sql + (" AND id = ?" if only is not None else ""),
                                (only,) if only is not None else ()):
        cutoff = now_ms - days * 86_400_000
        with db.transaction():
            count, freed = db.query("SELECT COUNT(*), COALESCE(SUM(LENGTH(message) + 26), 0) FROM logs_events "
                                    "WHERE grp=? AND ts < ?", (group, cutoff))[0]
            if count:
                removed += db.execute("DELETE FROM logs_events WHERE grp=? AND ts < ?", (group, cutoff))
                db.execute("UPDATE logs_groups SET stored = stored - ? WHERE id=?", (freed, group))
    return removed

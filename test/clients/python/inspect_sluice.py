"""
Superset's path through psycopg2 + SQLAlchemy against a running sluice server: connect, inspect the catalog
(schemas, tables, views, materialized views, columns, primary key) and run a parameterised query, printing one
JSON object on stdout: each step's result under its name, or its error under errors[name] (so a test sees them all).
Usage: /usr/bin/python3 inspect_sluice.py PORT. Stateless; works with SQLAlchemy 1.4 (Debian 12) and 2.x.
"""
import json
import sys

from sqlalchemy import create_engine, inspect, text


def columns(insp, name):
    return [
        {"name": c["name"], "type": str(c["type"]), "nullable": c["nullable"], "timezone": getattr(c["type"], "timezone", None)}
        for c in insp.get_columns(name)
    ]


def main() -> None:
    port = sys.argv[1]
    engine = create_engine(f"postgresql+psycopg2://root@127.0.0.1:{port}/dev")
    out = {"errors": {}}
    with engine.connect() as conn:
        insp = inspect(conn)

        def step(name, fn):
            try:
                out[name] = fn()
            except Exception as e:  # noqa: BLE001 - report every failing step, not just the first
                out["errors"][name] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
                conn.rollback() if hasattr(conn, "rollback") else None

        step("server_version", lambda: list(engine.dialect.server_version_info))
        step("schemas", insp.get_schema_names)
        step("tables", insp.get_table_names)
        if hasattr(insp, "get_materialized_view_names"):  # SQLAlchemy 2.x
            step("views", insp.get_view_names)
            step("materialized_views", insp.get_materialized_view_names)
        else:  # SQLAlchemy 1.4: PGInspector.get_view_names(include=...)
            step("views", lambda: insp.get_view_names(include=("plain",)))
            step("materialized_views", lambda: insp.get_view_names(include=("materialized",)))
        step("foreign_tables", insp.get_foreign_table_names)
        step("columns_mv", lambda: columns(insp, "suspicious_process_chains"))
        step("columns_view", lambda: columns(insp, "risky_hosts"))
        step("columns_table", lambda: columns(insp, "hosts"))
        step("columns_foreign", lambda: columns(insp, "auth_stream"))
        step("pk_hosts", lambda: insp.get_pk_constraint("hosts"))
        step("foreign_keys_hosts", lambda: insp.get_foreign_keys("hosts"))
        step("indexes_hosts", lambda: insp.get_indexes("hosts"))
        step("unique_constraints_hosts", lambda: insp.get_unique_constraints("hosts"))
        step("view_definition", lambda: insp.get_view_definition("risky_hosts"))
        step("has_table", lambda: [insp.dialect.has_table(conn, "hosts"), insp.dialect.has_table(conn, "nope")])

        def query():
            rows = conn.execute(
                text("SELECT host_id, child_pid, event_time FROM suspicious_process_chains WHERE host_id = :h ORDER BY child_pid"),
                {"h": "h1"},
            ).fetchall()
            return [[r[0], r[1], r[2].isoformat()] for r in rows]

        step("rows", query)
        step("alerts", lambda: [list(r) for r in conn.execute(text(
            "SELECT alert_type, count(*) FROM siem_alerts GROUP BY alert_type ORDER BY alert_type")).fetchall()])
    engine.dispose()
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()

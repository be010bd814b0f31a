"""
Superset's path through psycopg2 + SQLAlchemy against a running sluice server: connect, inspect the catalog
(tables, views, materialized views, columns, primary key) and run a query, printing one JSON object on stdout.
Usage: /usr/bin/python3 inspect_sluice.py PORT VIEW. Stateless; exits non-zero with the error on stderr.
"""
import json
import sys

from sqlalchemy import create_engine, inspect, text


def main() -> None:
    port, view = sys.argv[1], sys.argv[2]
    engine = create_engine(f"postgresql+psycopg2://root@127.0.0.1:{port}/dev")
    out = {}
    with engine.connect() as conn:
        insp = inspect(conn)
        out["schemas"] = insp.get_schema_names()
        out["tables"] = insp.get_table_names()
        if hasattr(insp, "get_materialized_view_names"):  # SQLAlchemy 2.x
            out["views"] = insp.get_view_names()
            out["materialized_views"] = insp.get_materialized_view_names()
        else:  # SQLAlchemy 1.4 (Debian 12): PGInspector.get_view_names(include=...)
            out["views"] = insp.get_view_names(include=("plain",))
            out["materialized_views"] = insp.get_view_names(include=("materialized",))
        out["columns"] = [
            {"name": c["name"], "type": str(c["type"]), "nullable": c["nullable"]}
            for c in insp.get_columns(view)
        ]
        out["pk_hosts"] = insp.get_pk_constraint("hosts")
        out["view_definition"] = insp.get_view_definition(view)
        rows = conn.execute(
            text(f"SELECT host_id, child_pid, event_time FROM {view} WHERE host_id = :h ORDER BY child_pid"),
            {"h": "h1"},
        ).fetchall()
        out["rows"] = [[r[0], r[1], r[2].isoformat()] for r in rows]
    engine.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()

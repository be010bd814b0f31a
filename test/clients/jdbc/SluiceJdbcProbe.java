/*
 * The DBeaver / DataGrip / Metabase path through pgjdbc against a running sluice server: DatabaseMetaData
 * (schemas, tables by type, columns with java.sql.Types, primary, imported keys, index info) and PreparedStatements
 * with parameters on materialized views. Prints one "key<TAB>value" line per fact; a failing step prints "error<TAB>step<TAB>msg".
 * Usage: java -cp postgresql.jar SluiceJdbcProbe.java PORT. Stateless; exit code 0 even when steps fail.
 */
import java.sql.*;
import java.util.*;

public class SluiceJdbcProbe {
  interface Step { void run() throws Exception; }

  static void step(String name, Step s) {
    try {
      s.run();
    } catch (Exception e) {
      System.out.println("error\t" + name + "\t" + String.valueOf(e.getMessage()).split("\n")[0]);
    }
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/dev";
    Properties props = new Properties();
    props.setProperty("user", "root");
    try (Connection c = DriverManager.getConnection(url, props)) {
      DatabaseMetaData md = c.getMetaData();
      System.out.println("product\t" + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
      step("getSchemas", () -> {
        try (ResultSet rs = md.getSchemas()) {
          while (rs.next()) System.out.println("schema\t" + rs.getString("TABLE_SCHEM"));
        }
      });
      step("getTableTypes", () -> {
        try (ResultSet rs = md.getTableTypes()) {
          while (rs.next()) System.out.println("tabletype\t" + rs.getString(1));
        }
      });
      step("getTables", () -> {
        String[] types = {"TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE"};
        try (ResultSet rs = md.getTables(null, "public", "%", types)) {
          while (rs.next()) System.out.println("table\t" + rs.getString("TABLE_NAME") + "\t" + rs.getString("TABLE_TYPE"));
        }
      });
      step("getColumns", () -> {
        try (ResultSet rs = md.getColumns(null, "public", "%", "%")) {
          while (rs.next()) {
            System.out.println("column\t" + rs.getString("TABLE_NAME") + "\t" + rs.getString("COLUMN_NAME") + "\t" + rs.getInt("DATA_TYPE")
                + "\t" + rs.getString("TYPE_NAME") + "\t" + rs.getInt("ORDINAL_POSITION") + "\t" + rs.getString("IS_NULLABLE"));
          }
        }
      });
      step("getPrimaryKeys", () -> {
        try (ResultSet rs = md.getPrimaryKeys(null, "public", "hosts")) {
          while (rs.next()) System.out.println("pk\t" + rs.getString("TABLE_NAME") + "\t" + rs.getString("COLUMN_NAME") + "\t" + rs.getInt("KEY_SEQ") + "\t" + rs.getString("PK_NAME"));
        }
      });
      step("getImportedKeys", () -> {
        try (ResultSet rs = md.getImportedKeys(null, "public", "hosts")) {
          int n = 0;
          while (rs.next()) n++;
          System.out.println("importedkeys\thosts\t" + n);
        }
      });
      step("getIndexInfo", () -> {
        try (ResultSet rs = md.getIndexInfo(null, "public", "hosts", false, false)) {
          while (rs.next()) System.out.println("index\t" + rs.getString("TABLE_NAME") + "\t" + rs.getString("INDEX_NAME") + "\t" + rs.getBoolean("NON_UNIQUE") + "\t" + rs.getString("COLUMN_NAME") + "\t" + rs.getInt("ORDINAL_POSITION") + "\t" + rs.getString("ASC_OR_DESC"));
        }
      });
      step("prepared", () -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT host_id, child_pid, event_time FROM suspicious_process_chains WHERE host_id = ? ORDER BY child_pid")) {
          ps.setString(1, "h1");
          try (ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData rmd = rs.getMetaData();
            System.out.println("rsmeta\t" + rmd.getColumnName(3) + "\t" + rmd.getColumnType(3) + "\t" + rmd.getColumnTypeName(3));
            while (rs.next()) System.out.println("row\t" + rs.getString(1) + "\t" + rs.getInt(2) + "\t" + rs.getTimestamp(3).toInstant());
          }
        }
      });
      step("preparedTimestamp", () -> {
        // setTimestamp travels as an untyped (OID 0) parameter; the server infers timestamptz from the column.
        try (PreparedStatement ps = c.prepareStatement("SELECT alert_type, entity, detected_at FROM siem_alerts WHERE detected_at < ? ORDER BY detected_at")) {
          ps.setTimestamp(1, Timestamp.from(java.time.Instant.parse("2026-07-01T00:00:00Z")));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) System.out.println("alert\t" + rs.getString(1) + "\t" + rs.getString(2) + "\t" + rs.getTimestamp(3).toInstant());
          }
        }
      });
      step("preparedRepeat", () -> {
        // pgjdbc switches to a named server-side statement after prepareThreshold (5) executions.
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM hosts WHERE risk > ?")) {
          long last = -1;
          for (int i = 0; i < 7; i++) {
            ps.setInt(1, 0);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              last = rs.getLong(1);
            }
          }
          System.out.println("repeat\t" + last);
        }
      });
    }
  }
}

/*
 * RunFlinkSql: runs one Flink SQL file in an in-process MiniCluster (the Flink peer of bench/compare.bench.ts) and
 * prints one machine-readable line, "FLINK_RESULT {json}", with the job's net runtime and the JVM's CPU time.
 * Usage: java -cp 'target/lib/*:target/sluice-flink-peer-1.jar' sluice.bench.RunFlinkSql FILE.sql [NAME=value ...]
 * Invariant: ${NAME} placeholders are replaced before parsing; all INSERTs run as one job; a failure exits non-zero.
 */
package sluice.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

public final class RunFlinkSql {
  private RunFlinkSql() {}

  private static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
    }
    return -1;
  }

  private static String json(Map<String, Object> m) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (b.length() > 1) b.append(',');
      b.append('"').append(e.getKey()).append("\":");
      Object v = e.getValue();
      if (v instanceof Number || v instanceof Boolean) b.append(v);
      else b.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
    }
    return b.append('}').toString();
  }

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
    if (args.length < 1) throw new IllegalArgumentException("usage: RunFlinkSql FILE.sql [NAME=value ...]");
    String sql = Files.readString(Path.of(args[0]));
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("not NAME=value: " + args[i]);
      sql = sql.replace("${" + args[i].substring(0, eq) + "}", args[i].substring(eq + 1));
    }
    Matcher left = Pattern.compile("\\$\\{(\\w+)\\}").matcher(sql.replaceAll("(?m)--.*$", ""));
    if (left.find()) throw new IllegalArgumentException("no value given for ${" + left.group(1) + "}");
    sql = sql.replaceAll("(?m)--.*$", "");
    String parallelism = System.getProperty("flink.parallelism", "2");
    Configuration conf = new Configuration();
    conf.setString("parallelism.default", parallelism);
    conf.setString("table.exec.resource.default-parallelism", parallelism);
    conf.setString("table.local-time-zone", "UTC");
    conf.setString("rest.bind-address", "127.0.0.1");
    conf.setString("rest.bind-port", "0");
    // Window aggregates take their buckets from managed memory, split across all operators of a slot: the local
    // default (128 MiB) is too small for ~30 window operators (the 100-view run), so give it more (off-heap).
    conf.setString("taskmanager.memory.managed.size", System.getProperty("flink.managed", "512m"));
    conf.setString("taskmanager.memory.network.max", System.getProperty("flink.network", "256m"));
    TableEnvironment t = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
    Pattern set = Pattern.compile("(?is)^SET\\s+'([^']+)'\\s*=\\s*'([^']*)'$");
    StatementSet inserts = t.createStatementSet();
    int n = 0;
    for (String raw : sql.split(";\\s*(\\n|$)")) {
      String s = raw.strip();
      if (s.isEmpty()) continue;
      Matcher m = set.matcher(s);
      if (m.matches()) {
        t.getConfig().getConfiguration().setString(m.group(1), m.group(2));
      } else if (s.regionMatches(true, 0, "INSERT", 0, 6)) {
        inserts.addInsertSql(s);
        n++;
      } else {
        t.executeSql(s);
      }
    }
    if (n == 0) throw new IllegalArgumentException("no INSERT statement in " + args[0]);
    long tPlan = System.nanoTime();
    long cpuBefore = cpuNanos();
    TableResult r = inserts.execute();
    JobClient job = r.getJobClient().orElseThrow();
    long tSubmitted = System.nanoTime();
    JobExecutionResult res = job.getJobExecutionResult().get();
    long tEnd = System.nanoTime();
    long cpuAfter = cpuNanos();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("engine", "flink");
    out.put("flink_version", EnvironmentInformation.getVersion());
    out.put("java_version", System.getProperty("java.version"));
    out.put("parallelism", Integer.parseInt(parallelism));
    out.put("inserts", n);
    out.put("jvm_start_to_main_ms", System.currentTimeMillis() - jvmStartMs - (tEnd - t0) / 1_000_000);
    out.put("plan_ms", (tPlan - t0) / 1_000_000);
    out.put("submit_ms", (tSubmitted - tPlan) / 1_000_000);
    out.put("job_net_runtime_ms", res.getNetRuntime());
    out.put("execute_to_end_ms", (tEnd - tPlan) / 1_000_000);
    out.put("job_cpu_ms", cpuBefore < 0 ? -1 : (cpuAfter - cpuBefore) / 1_000_000);
    out.put("total_cpu_ms", cpuAfter < 0 ? -1 : cpuAfter / 1_000_000);
    out.put("heap_max_mib", Runtime.getRuntime().maxMemory() >> 20);
    out.put("heap_used_mib", (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    System.out.println("FLINK_RESULT " + json(out));
    System.out.flush();
    System.exit(0);
  }
}

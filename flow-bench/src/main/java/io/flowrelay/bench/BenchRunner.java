package io.flowrelay.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The plain runner: measures every scenario (T1-T8) for FlowRelay and its peers in this one JVM,
 * prints a table of absolute figures and of the ratios against the targets of
 * {@code BENCH.md} with PASS/FAIL, and writes {@code results.csv}, {@code checks.csv} and
 * {@code results.json} (and a chart of the ratios) to the output directory.
 *
 * <pre>
 * java -jar flow-bench/target/flow-bench.jar            # full run, about 5 minutes
 * java -jar flow-bench/target/flow-bench.jar --quick    # smoke run, under a minute
 * java -jar flow-bench/target/flow-bench.jar --only T1,T3 --out /tmp/bench
 * java -jar flow-bench/target/flow-bench.jar --jmh ScenarioBenchmark -p caseId=T1.flowrelay -prof gc
 * </pre>
 *
 * A throughput figure is the median of the measured rounds (min and max are printed beside it);
 * a latency figure comes from the measured rounds' histograms merged. Ratios are FlowRelay/peer
 * from this one run: compare ratios, never absolute figures from two runs.
 */
public final class BenchRunner {

    private final boolean quick;
    private final Set<String> only;
    private final Path out;
    private final PrintStream log = System.out;
    private final Map<String, Double> figures = new LinkedHashMap<>(); // "caseId:metric" -> value
    private final List<String[]> results = new ArrayList<>();          // target, case, subject, metric, unit, value
    private final Set<String> skipped = new LinkedHashSet<>();
    /** Cases that threw or timed out: a peer's failure is reported and its checks skipped; ours fails the run. */
    private final Map<String, String> failed = new LinkedHashMap<>();

    private BenchRunner(boolean quick, Set<String> only, Path out) {
        this.quick = quick;
        this.only = only;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        boolean quick = false;
        Set<String> only = new LinkedHashSet<>();
        Path out = Files.isDirectory(Paths.get("flow-bench")) ? Paths.get("flow-bench", "results", "latest") : Paths.get("bench-results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> only.addAll(Arrays.asList(args[++i].toUpperCase(Locale.ROOT).split(",")));
                case "--out" -> out = Paths.get(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("usage: java -jar flow-bench.jar [--quick] [--only T1,T2,...] [--out DIR] | --jmh [JMH options]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
        }
        new BenchRunner(quick, only, out).runAll();
    }

    private boolean wanted(String target) {
        return only.isEmpty() || only.contains(target);
    }

    private void runAll() throws Exception {
        long t0 = System.nanoTime();
        log.printf("FlowRelay benchmarks, %s mode, JDK %s (%s), %d cores, max heap %d MiB%n%n", quick ? "quick" : "full",
                Runtime.version(), System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        String scenario = null;
        for (Scenarios.Case c : Scenarios.all()) {
            if (!wanted(c.target())) {
                continue;
            }
            if (!c.scenario().equals(scenario)) {
                scenario = c.scenario();
                log.printf("%s  %s%n", c.target(), scenario);
            }
            if (c.skipped()) {
                skipped.add(c.id());
                log.printf("  %-44s skipped: %s%n", c.subject(), c.skipReason());
                continue;
            }
            collectGarbage();
            try {
                if (c.kind() == Scenarios.Kind.THROUGHPUT) {
                    throughput(c);
                } else {
                    latency(c);
                }
            } catch (Exception ex) {
                // e.g. JDK 17's SubmissionPublisher once left a subscriber one item short (a 120 s timeout)
                failed.put(c.id(), ex.toString());
                log.printf("  %-44s FAILED: %s%n", c.subject(), ex);
            }
        }
        if (wanted("T7")) {
            footprint();
        }
        if (wanted("T8")) {
            allocation();
        }
        List<String[]> checks = checks();
        printChecks(checks);
        write(checks, (System.nanoTime() - t0) / 1e9);
        List<String> ours = Scenarios.all().stream().filter(c -> c.ours() && failed.containsKey(c.id())).map(Scenarios.Case::id).toList();
        if (!ours.isEmpty()) {
            throw new IllegalStateException("FlowRelay cases failed: " + ours);
        }
    }

    private int warmups() {
        return quick ? 1 : 3;
    }

    private int rounds() {
        return quick ? 2 : 5;
    }

    /**
     * A full run warms each case up for at least this long (and {@link #warmups()} rounds): the
     * JIT recompiles a hot loop each time it first takes a rare branch (a full buffer, a sleeping
     * consumer), and half a second of rounds is not enough for it to settle. JMH's defaults warm
     * up far longer; the same rule holds for every case, FlowRelay's and its peers'.
     */
    private long warmupNanos() {
        return quick ? 0L : 3_000_000_000L;
    }

    /**
     * Before each case: a full collection, so that no case pays for the garbage of the one before
     * (a flood of 10M messages leaves hundreds of MB, whose collection otherwise runs, with its
     * pauses and concurrent threads, during the next case's rounds).
     */
    private static void collectGarbage() {
        System.gc();
        System.gc();
    }

    /** Runs {@code w} for at least {@link #warmups()} rounds of {@code n} and {@link #warmupNanos()}. */
    private void warmUp(Workload w, int n) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < warmups() || System.nanoTime() - start < warmupNanos(); i++) {
            w.run(n);
        }
    }

    private void throughput(Scenarios.Case c) throws Exception {
        int n = quick ? c.quickOps() : c.fullOps();
        double[] rates = new double[rounds()];
        try (Workload w = c.factory().create()) {
            warmUp(w, n);
            for (int i = 0; i < rates.length; i++) {
                long t = System.nanoTime();
                w.run(n);
                rates[i] = w.deliveries(n) / ((System.nanoTime() - t) / 1e9) / 1e6;
            }
        }
        Arrays.sort(rates);
        double median = rates[rates.length / 2];
        record(c, "throughput", "Mitems/s", median);
        log.printf("  %-44s %8.2f Mitems/s  (min %.2f, max %.2f, %d rounds of %,d)%n", c.subject(), median, rates[0],
                rates[rates.length - 1], rates.length, n);
    }

    private void latency(Scenarios.Case c) throws Exception {
        int n = quick ? c.quickOps() : c.fullOps();
        Histogram merged = ActorCases.newHistogram();
        try (Workload w = c.factory().create()) {
            warmUp(w, n);
            for (int i = 0; i < rounds(); i++) {
                w.run(n);
                merged.add(w.latencies());
            }
        }
        double p50 = merged.getValueAtPercentile(50) / 1e3;
        double p99 = merged.getValueAtPercentile(99) / 1e3;
        double p999 = merged.getValueAtPercentile(99.9) / 1e3;
        record(c, "p50", "us", p50);
        record(c, "p99", "us", p99);
        record(c, "p99.9", "us", p999);
        log.printf("  %-44s p50 %8.2f us  p99 %8.2f us  p99.9 %8.2f us  (%,d samples)%n", c.subject(), p50, p99, p999,
                merged.getTotalCount());
    }

    private void footprint() throws Exception {
        int n = quick ? 100_000 : 1_000_000;
        log.printf("T7  footprint: %,d idle actors%n", n);
        footprintCase("T7.flowrelay", "FlowRelay actor", true, n, Footprint.measure(n));
        collectGarbage();
        // a reference, not a target: the same measurement for Pekko typed
        footprintCase("T7.pekko", "Pekko typed actor (reference)", false, n, Footprint.measurePekko(n));
    }

    private void footprintCase(String id, String subject, boolean ours, int n, Footprint.Result r) {
        Scenarios.Case c = new Scenarios.Case(id, "T7", "footprint", subject, ours, Scenarios.Kind.THROUGHPUT, n, n, null, null);
        record(c, "bytes-per-idle-actor", "B", r.bytesPerActor());
        record(c, "own-bytes-per-idle-actor", "B", r.ownBytesPerActor()); // a reference: without the caller's name and factory
        record(c, "spawn-seconds", "s", r.spawnSeconds());
        record(c, "all-started-seconds", "s", r.startedSeconds());
        record(c, "cold-spawn-seconds", "s", r.coldSpawnSeconds());
        // the target is for 1M actors: scale a quick run's time linearly
        record(c, "spawn-1M-seconds", "s", r.spawnSeconds() * 1_000_000 / n);
        log.printf("  %-44s %8.1f B retained per idle actor (%.1f B without the caller's name and factory); spawned in %.3f s"
                        + " (cold round: %.3f s), all started after %.3f s%n",
                subject, r.bytesPerActor(), r.ownBytesPerActor(), r.spawnSeconds(), r.coldSpawnSeconds(), r.startedSeconds());
    }

    private void allocation() throws Exception {
        log.printf("T8  allocation in steady state (all threads, payload pre-boxed)%n");
        Map<String, Scenarios.Case> cases = Scenarios.byId();
        for (String id : List.of("T1.flowrelay", "T1.submission-publisher", "T3.flowrelay", "T3.flowrelay-bounded", "T3.flowrelay-paced", "T3.pekko")) {
            Scenarios.Case c = cases.get(id);
            int n = quick ? 200_000 : 2_000_000;
            double b;
            try (Workload w = c.factory().create()) {
                b = Allocation.bytesPerOp(w, n, warmups());
            }
            Scenarios.Case t8 = new Scenarios.Case("T8." + id, "T8", "allocation", c.subject(), c.ours(),
                    Scenarios.Kind.THROUGHPUT, n, n, null, null);
            record(t8, "bytes-per-op", "B/op", b);
            log.printf("  %-44s %8.2f B/op  (%s)%n", c.subject(), b, c.target().equals("T1") ? "channel hand-off" : "tell");
        }
    }

    private void record(Scenarios.Case c, String metric, String unit, double value) {
        figures.put(c.id() + ":" + metric, value);
        results.add(new String[] {c.target(), c.id(), c.subject(), metric, unit, fmt(value)});
    }

    // ------------------------------------------------------------------ targets

    private List<String[]> checks() {
        List<String[]> rows = new ArrayList<>();
        ratio(rows, "T1", "T1 channel hand-off vs SubmissionPublisher", "T1.flowrelay", "T1.submission-publisher", "throughput", 3.0, true);
        ratio(rows, "T1", "T1 channel hand-off vs ArrayBlockingQueue", "T1.flowrelay", "T1.array-blocking-queue", "throughput", 2.0, true);
        ratio(rows, "T1", "T1 channel hand-off vs jox", "T1.flowrelay", "T1.jox", "throughput", 4.0, true);
        ratio(rows, "T2", "T2 fan-in (2 producers) vs ArrayBlockingQueue", "T2.flowrelay", "T2.array-blocking-queue", "throughput", 2.0, true);
        ratio(rows, "T3", "T3 actor tell vs Pekko typed tell", "T3.flowrelay", "T3.pekko", "throughput", 4.0, true);
        ratio(rows, "T4", "T4 4-stage pipeline vs Reactor publishOn x4", "T4.flowrelay", "T4.reactor", "throughput", 1.0, true);
        ratio(rows, "T4", "T4 4-stage pipeline vs Pekko Streams async x4", "T4.flowrelay", "T4.pekko-streams", "throughput", 10.0, true);
        ratio(rows, "T5", "T5 ask p50 vs Pekko ask p50", "T5.ask.flowrelay", "T5.ask.pekko", "p50", 0.25, false);
        ratio(rows, "T5", "T5 actor ping-pong round trip p50 (us)", "T5.pingpong.flowrelay", null, "p50", 1.0, false);
        ratio(rows, "T6", "T6 broadcast 1->10 vs SubmissionPublisher", "T6.flowrelay", "T6.submission-publisher", "throughput", 2.0, true);
        ratio(rows, "T7", "T7 retained bytes per idle actor", "T7.flowrelay", null, "bytes-per-idle-actor", 150.0, false);
        ratio(rows, "T7", "T7 seconds to spawn 1M actors", "T7.flowrelay", null, "spawn-1M-seconds", 1.0, false);
        ratio(rows, "T8", "T8 bytes/op, bounded channel hand-off", "T8.T1.flowrelay", null, "bytes-per-op", 1.0, false);
        ratio(rows, "T8", "T8 bytes/op, tell, bounded(1024) mailbox", "T8.T3.flowrelay-bounded", null, "bytes-per-op", 1.0, false);
        ratio(rows, "T8", "T8 bytes/op, tell, unbounded mailbox, flood", "T8.T3.flowrelay", null, "bytes-per-op", 1.0, false);
        ratio(rows, "T8", "T8 bytes/op, tell, unbounded mailbox, steady", "T8.T3.flowrelay-paced", null, "bytes-per-op", 1.0, false);
        return rows;
    }

    /** A ratio check (peer != null) or an absolute one; skipped when a figure is missing. */
    private void ratio(List<String[]> rows, String target, String label, String ours, String peer, String metric,
                       double goal, boolean higherBetter) {
        if (!wanted(target)) {
            return;
        }
        Double a = figures.get(ours + ":" + metric);
        Double b = peer == null ? null : figures.get(peer + ":" + metric);
        if (a == null || (peer != null && b == null)) {
            rows.add(new String[] {target, label, "", "", "", fmt(goal), higherBetter ? "higher" : "lower", "SKIP"});
            return;
        }
        double r = peer == null ? a : a / b;
        boolean pass = higherBetter ? r >= goal : r <= goal;
        rows.add(new String[] {target, label, fmt(a), peer == null ? "" : fmt(b), fmt(r), fmt(goal),
                higherBetter ? "higher" : "lower", pass ? "PASS" : "FAIL"});
    }

    private void printChecks(List<String[]> rows) {
        log.printf("%n%-48s %12s %12s %9s %9s  %s%n", "target", "FlowRelay", "peer", "ratio", "goal", "verdict");
        int pass = 0;
        for (String[] r : rows) {
            String goal = ("higher".equals(r[6]) ? ">= " : "<= ") + r[5] + (r[3].isEmpty() && !r[7].equals("SKIP") ? "" : "x");
            String ratio = r[4].isEmpty() ? "-" : r[4] + (r[3].isEmpty() ? "" : "x");
            log.printf("%-48s %12s %12s %9s %9s  %s%n", r[1], r[2].isEmpty() ? "-" : r[2], r[3].isEmpty() ? "-" : r[3], ratio,
                    goal, r[7]);
            if (r[7].equals("PASS")) {
                pass++;
            }
        }
        log.printf("%d of %d targets pass%s%s%n", pass, rows.size(), skipped.isEmpty() ? "" : "; skipped cases: " + skipped,
                failed.isEmpty() ? "" : "; FAILED cases (their checks are SKIP): " + failed.keySet());
    }

    // ------------------------------------------------------------------ files

    private void write(List<String[]> checks, double seconds) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("target,case,subject,metric,unit,value\n");
        for (String[] r : results) {
            csv.append(Csv.line(r)).append('\n');
        }
        Files.writeString(out.resolve("results.csv"), csv);
        StringBuilder chk = new StringBuilder("target,check,flowrelay,peer,ratio,goal,better,verdict\n");
        for (String[] r : checks) {
            chk.append(Csv.line(r)).append('\n');
        }
        Files.writeString(out.resolve("checks.csv"), chk);

        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"date\": ").append(q(ZonedDateTime.now().toString())).append(",\n");
        json.append("  \"mode\": ").append(q(quick ? "quick" : "full")).append(",\n");
        json.append("  \"jdk\": ").append(q(Runtime.version().toString())).append(",\n");
        json.append("  \"vm\": ").append(q(System.getProperty("java.vm.name"))).append(",\n");
        json.append("  \"cores\": ").append(Runtime.getRuntime().availableProcessors()).append(",\n");
        json.append("  \"seconds\": ").append(fmt(seconds)).append(",\n");
        json.append("  \"results\": [\n");
        for (int i = 0; i < results.size(); i++) {
            String[] r = results.get(i);
            json.append(String.format(Locale.ROOT, "    {\"target\": %s, \"case\": %s, \"subject\": %s, \"metric\": %s, \"unit\": %s, \"value\": %s}%s%n",
                    q(r[0]), q(r[1]), q(r[2]), q(r[3]), q(r[4]), r[5], i + 1 < results.size() ? "," : ""));
        }
        json.append("  ],\n  \"checks\": [\n");
        for (int i = 0; i < checks.size(); i++) {
            String[] r = checks.get(i);
            json.append(String.format(Locale.ROOT, "    {\"target\": %s, \"check\": %s, \"flowrelay\": %s, \"peer\": %s, \"ratio\": %s, \"goal\": %s, \"better\": %s, \"verdict\": %s}%s%n",
                    q(r[0]), q(r[1]), num(r[2]), num(r[3]), num(r[4]), r[5], q(r[6]), q(r[7]), i + 1 < checks.size() ? "," : ""));
        }
        json.append("  ]\n}\n");
        Files.writeString(out.resolve("results.json"), json);
        try {
            ChartRenderer.render(out.resolve("checks.csv"), out.resolve("ratios.png"),
                    String.format("FlowRelay vs peers, %s, JDK %d, %d cores, %s run", LocalDate.now(), Runtime.version().feature(),
                            Runtime.getRuntime().availableProcessors(), quick ? "quick" : "full"),
                    new LinkedHashSet<>(List.of("T1", "T2", "T3", "T4", "T5", "T6")));
        } catch (RuntimeException | IOException | Error ex) {
            log.println("chart not written: " + ex);
        }
        log.printf("wrote %s (results.csv, checks.csv, results.json, ratios.png) in %.0f s%n", out.toAbsolutePath(), seconds);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3f", v);
    }

    private static String num(String s) {
        return s.isEmpty() ? "null" : s;
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

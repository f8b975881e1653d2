package io.flowrelay.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every measured case, FlowRelay's and its peers', by target. The runner, the JMH benchmarks and
 * the smoke test all take their cases from here, so each scenario is written once.
 */
public final class Scenarios {

    /** What a case measures. */
    public enum Kind {
        /** Items (or deliveries) per second; higher is better. */
        THROUGHPUT,
        /** Per-operation latency percentiles; lower is better. */
        LATENCY
    }

    /** Creates a case's workload. */
    @FunctionalInterface
    public interface Factory {
        Workload create() throws Exception;
    }

    /**
     * One case.
     *
     * @param id       stable id, {@code target.subject} (used in result files and JMH {@code -p caseId=})
     * @param target   T1..T6
     * @param scenario what the target measures
     * @param subject  who is measured ("FlowRelay" or the peer's name)
     * @param ours     {@code true} for FlowRelay
     * @param fullOps  operations per round in a full run
     * @param quickOps operations per round with {@code --quick}
     * @param factory  creates the workload, or {@code null} if {@code skipReason} says why not here
     */
    public record Case(String id, String target, String scenario, String subject, boolean ours, Kind kind,
                       int fullOps, int quickOps, Factory factory, String skipReason) {

        public boolean skipped() {
            return factory == null;
        }
    }

    static final String T1 = "channel hand-off: 1 producer thread -> 1 Flow.Subscriber, bounded(1024)";
    static final String T2 = "fan-in: 2 producer threads -> 1 subscriber, bounded(1024)";
    static final String T3 = "actor tell: 1 sender thread -> 1 actor";
    static final String T4 = "pipeline: range -> 4 async stages (map x -> x + 1) -> subscriber";
    static final String T5A = "ask from a plain thread, one at a time";
    static final String T5P = "actor <-> actor ping-pong round trip";
    static final String T6 = "broadcast: 1 producer -> 10 subscribers, deliveries/s";

    private static final int M = 1_000_000;
    private static final List<Case> ALL = build();

    private Scenarios() {
    }

    /** All cases, in report order. */
    public static List<Case> all() {
        return ALL;
    }

    /** Cases by id. */
    public static Map<String, Case> byId() {
        return ALL.stream().collect(Collectors.toMap(Case::id, Function.identity()));
    }

    private static List<Case> build() {
        List<Case> c = new ArrayList<>();
        c.add(tp("T1.flowrelay", "T1", T1, "FlowRelay Channel", true, 10 * M, M, () -> new ChannelCases.FlowRelayChannel(1)));
        c.add(tp("T1.submission-publisher", "T1", T1, "JDK SubmissionPublisher", false, 10 * M, M, ChannelCases.JdkSubmissionPublisher::new));
        c.add(tp("T1.array-blocking-queue", "T1", T1, "ArrayBlockingQueue put/take", false, 10 * M, M, () -> new ChannelCases.BlockingQueue(1)));
        c.add(jox());
        c.add(tp("T1.jctools-spsc-spin", "T1", T1, "JCTools SpscArrayQueue, spinning (limit)", false, 10 * M, M, () -> new ChannelCases.SpinningQueue(true)));
        c.add(tp("T1.jctools-mpsc-spin", "T1", T1, "JCTools MpscArrayQueue, spinning (limit)", false, 10 * M, M, () -> new ChannelCases.SpinningQueue(false)));

        c.add(tp("T2.flowrelay", "T2", T2, "FlowRelay Channel", true, 10 * M, M, () -> new ChannelCases.FlowRelayChannel(2)));
        c.add(tp("T2.array-blocking-queue", "T2", T2, "ArrayBlockingQueue, 2 producers", false, 10 * M, M, () -> new ChannelCases.BlockingQueue(2)));

        c.add(tp("T3.flowrelay", "T3", T3, "FlowRelay actor", true, 10 * M, M, () -> new ActorCases.FlowRelayTell(0)));
        c.add(tp("T3.flowrelay-bounded", "T3", T3, "FlowRelay actor, bounded(1024) mailbox", true, 10 * M, M, () -> new ActorCases.FlowRelayTell(1024)));
        c.add(tp("T3.flowrelay-paced", "T3", T3, "FlowRelay actor, sender <= 32 ahead", true, 10 * M, M, () -> new ActorCases.FlowRelayPacedTell(32)));
        c.add(tp("T3.pekko", "T3", T3, "Pekko typed actor", false, 10 * M, M, PeerCases.PekkoTell::new));

        c.add(tp("T4.flowrelay", "T4", T4, "FlowRelay actor stages", true, 10 * M, M / 2, ActorCases.FlowRelayPipeline::new));
        c.add(tp("T4.reactor", "T4", T4, "Reactor publishOn(parallel)+map x4", false, 10 * M, M / 2, PeerCases.ReactorPipeline::new));
        c.add(tp("T4.rxjava", "T4", T4, "RxJava observeOn(computation)+map x4", false, 10 * M, M / 2, PeerCases.RxJavaPipeline::new));
        c.add(tp("T4.pekko-streams", "T4", T4, "Pekko Streams map+async x4", false, 2 * M, M / 5, PeerCases.PekkoStreamsPipeline::new));

        c.add(lat("T5.ask.flowrelay", "T5", T5A, "FlowRelay ask", true, 100_000, 10_000, ActorCases.FlowRelayAsk::new));
        c.add(lat("T5.ask.pekko", "T5", T5A, "Pekko AskPattern.ask", false, 100_000, 10_000, PeerCases.PekkoAsk::new));
        c.add(lat("T5.pingpong.flowrelay", "T5", T5P, "FlowRelay actors", true, 1_000_000, 50_000, ActorCases.FlowRelayPingPong::new));
        c.add(lat("T5.pingpong.pekko", "T5", T5P, "Pekko typed actors", false, 1_000_000, 50_000, PeerCases.PekkoPingPong::new));

        c.add(tp("T6.flowrelay", "T6", T6, "FlowRelay Broadcast (HOLD)", true, 2 * M, M / 5, ChannelCases.FlowRelayBroadcast::new));
        c.add(tp("T6.submission-publisher", "T6", T6, "JDK SubmissionPublisher, 10 subscribers", false, 2 * M, M / 5, ChannelCases.JdkBroadcast::new));
        return Collections.unmodifiableList(c);
    }

    private static Case tp(String id, String target, String scenario, String subject, boolean ours, int full, int quick, Factory f) {
        return new Case(id, target, scenario, subject, ours, Kind.THROUGHPUT, full, quick, f, null);
    }

    private static Case lat(String id, String target, String scenario, String subject, boolean ours, int full, int quick, Factory f) {
        return new Case(id, target, scenario, subject, ours, Kind.LATENCY, full, quick, f, null);
    }

    /** jox needs JDK 21+: its workload is compiled only by a JDK 21+ build and loaded by name. */
    private static Case jox() {
        String id = "T1.jox";
        String subject = "jox Channel (JDK 21+)";
        String reason = null;
        Factory f = null;
        if (Runtime.version().feature() < 21) {
            reason = "jox needs JDK 21+; this JVM is " + Runtime.version().feature()
                    + " (run the runner on /usr/lib/jvm/temurin-25-jdk-amd64)";
        } else {
            try {
                Class<?> k = Class.forName("io.flowrelay.bench.jox.JoxHandOff");
                f = () -> (Workload) k.getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException ex) {
                reason = "the jox workload was not compiled: build flow-bench with a JDK 21+ (JAVA_HOME)";
            }
        }
        return new Case(id, "T1", T1, subject, false, Kind.THROUGHPUT, 10 * M, M, f, reason);
    }
}

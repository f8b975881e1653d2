package io.flowrelay.stress.actor;

import io.flowrelay.actor.ActorOptions;
import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behaviors;
import io.flowrelay.actor.Dispatcher;
import io.flowrelay.actor.Mailbox;
import io.flowrelay.actor.StageHandler;
import io.flowrelay.channel.SendResult;
import io.flowrelay.stress.support.Inline;
import io.flowrelay.stress.support.SignalLog;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Mailbox scheduling: an actor's turns are the kernel's delivery loop over its mailbox. Its
 * dispatcher here is an inline executor, so a turn runs on whichever teller wins the loop: the
 * behavior flags any overlap (an actor must never run on two threads at once) and the arbiter
 * checks that every message was handled or dead-lettered exactly once, in each sender's order.
 */
public final class ActorStress {

    /** A timer that refuses everything: no thread per state; shutdown then reports at once. */
    static final ScheduledThreadPoolExecutor NO_TIMER = new ScheduledThreadPoolExecutor(0);

    static {
        NO_TIMER.shutdown();
    }

    static final ActorOptions INLINE = ActorOptions.defaults().dispatcher(Dispatcher.fromExecutor(Inline.EXECUTOR, 16));

    private ActorStress() {
    }

    static ActorSystem system() {
        return ActorSystem.builder("jcstress").timer(NO_TIMER).dispatcher(Dispatcher.fromExecutor(Inline.EXECUTOR, 16)).build();
    }

    /** Spawns an idle top-level actor named {@code name}: {@code true}, or {@code false} if the name is taken. */
    static boolean trySpawn(ActorSystem system, String name) {
        try {
            system.spawn(name, () -> (ctx, msg) -> Behaviors.same(), INLINE);
            return true;
        } catch (IllegalArgumentException taken) {
            return false;
        }
    }

    /** An upstream subscription for a stage that only counts its cancels. */
    static final class CancelCounter implements Flow.Subscription {
        final AtomicInteger cancels = new AtomicInteger();

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }
    }

    /**
     * Where the one item sent into a pipeline went: delivered to {@code first}, left in the output
     * of {@code last} (a later subscriber, made here, takes it inline, then completes), or dead
     * letters; exactly once, or the counts of all three.
     */
    static String fateOfOne(ActorSystem system, Flow.Publisher<Integer> last, SignalLog<Integer> first) {
        SignalLog<Integer> later = SignalLog.unbounded();
        last.subscribe(later);
        List<Integer> rest = later.items();
        long dead = system.deadLetters().count();
        int n = first.nexts() + rest.size() + (int) dead;
        return n != 1 ? "first=" + first.nexts() + " rest=" + rest.size() + " dead=" + dead
                : first.nexts() == 1 ? "delivered" : dead == 1 ? "dead-lettered" : "left-in-output";
    }

    /** An actor's behavior that records what it handles and whether two turns ever overlapped. */
    public static class Recorder {
        final ConcurrentLinkedQueue<String> handled = new ConcurrentLinkedQueue<>();
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();

        io.flowrelay.actor.Behavior<String> behavior() {
            return (ctx, msg) -> {
                if (active.getAndIncrement() != 0) {
                    overlaps.incrementAndGet();
                }
                handled.add(msg);
                active.decrementAndGet();
                return "stop".equals(msg) ? Behaviors.stopped() : Behaviors.same();
            };
        }

        /** The handled messages of one sender, in order. */
        String of(String sender) {
            StringBuilder sb = new StringBuilder();
            for (String m : handled) {
                if (m.startsWith(sender)) {
                    sb.append(m);
                }
            }
            return sb.toString();
        }
    }

    @JCStressTest
    @Description("Two senders tell two messages each: all four are handled, one at a time (never on two threads at once), each sender's in order.")
    @Outcome(id = "a1a2 b1b2, overlaps=0", expect = ACCEPTABLE, desc = "all handled, serially, in order per sender")
    @Outcome(expect = FORBIDDEN, desc = "a message lost (lost wake-up), handled twice or out of order, or two turns overlapped")
    @State
    public static class TellVsTell extends Recorder {
        final ActorRef<String> ref = system().spawn("a", this::behavior, INLINE);

        @Actor
        public void senderA() {
            ref.tell("a1");
            ref.tell("a2");
        }

        @Actor
        public void senderB() {
            ref.tell("b1");
            ref.tell("b2");
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = of("a") + " " + of("b") + ", overlaps=" + overlaps.get();
        }
    }

    @JCStressTest
    @Description("A message races the actor's self-stop: it is handled before the stop or goes to dead letters, exactly once; the actor ends.")
    @Outcome(id = "handled, terminated", expect = ACCEPTABLE, desc = "handled before the stop")
    @Outcome(id = "dead-lettered, terminated", expect = ACCEPTABLE, desc = "came after the stop: dead letters")
    @Outcome(expect = FORBIDDEN, desc = "stranded in the mailbox, or both handled and dead-lettered, or the actor did not end")
    @State
    public static class TellVsSelfStop extends Recorder {
        final ActorSystem system = system();
        final ActorRef<String> ref = system.spawn("a", this::behavior, INLINE);

        @Actor
        public void stopper() {
            ref.tell("stop");
        }

        @Actor
        public void sender() {
            ref.tell("m");
        }

        @Arbiter
        public void arbiter(L_Result r) {
            boolean handledIt = handled.contains("m");
            long dead = system.deadLetters().count();
            String fate = handledIt && dead == 0 ? "handled" : !handledIt && dead == 1 ? "dead-lettered"
                    : "handled=" + handledIt + " dead=" + dead;
            r.r1 = fate + ", " + (ref.isTerminated() ? "terminated" : "running") + (overlaps.get() == 0 ? "" : ", overlaps");
        }
    }

    @JCStressTest
    @Description("A tell races the system's shutdown: OK means handled (the mailbox drains) or dead-lettered; CLOSED means dead-lettered. Never both, never neither; the actor ends.")
    @Outcome(id = "OK, handled, terminated", expect = ACCEPTABLE, desc = "accepted and handled by the draining actor")
    @Outcome(id = "OK, dead-lettered, terminated", expect = ACCEPTABLE, desc = "accepted as the loop ended: dead letters (never stranded)")
    @Outcome(id = "CLOSED, dead-lettered, terminated", expect = ACCEPTABLE, desc = "refused: dead letters")
    @Outcome(expect = FORBIDDEN, desc = "lost, handled twice, or the actor did not end")
    @State
    public static class TellVsShutdown extends Recorder {
        final ActorSystem system = system();
        final ActorRef<String> ref = system.spawn("a", this::behavior, INLINE);
        volatile SendResult told;

        @Actor
        public void sender() {
            told = ref.tell("m");
        }

        @Actor
        public void shutdown() {
            system.shutdown(Duration.ZERO);
        }

        @Arbiter
        public void arbiter(L_Result r) {
            boolean handledIt = handled.contains("m");
            long dead = system.deadLetters().count();
            String fate = handledIt && dead == 0 ? "handled" : !handledIt && dead == 1 ? "dead-lettered"
                    : "handled=" + handledIt + " dead=" + dead;
            r.r1 = told + ", " + fate + ", " + (ref.isTerminated() ? "terminated" : "running");
        }
    }

    @JCStressTest
    @Description("Two threads spawn a top-level actor of one name at once: exactly one gets it, the other is told the name is taken (ActorNames: the CAS-locked index).")
    @Outcome(id = "one spawned, one taken, held", expect = ACCEPTABLE, desc = "one winner, and the name stays taken")
    @Outcome(expect = FORBIDDEN, desc = "both or neither spawned, or the winner is not registered")
    @State
    public static class SpawnVsSpawn {
        final ActorSystem system = system();
        final AtomicInteger spawned = new AtomicInteger();
        final AtomicInteger taken = new AtomicInteger();

        void spawn() {
            (trySpawn(system, "x") ? spawned : taken).incrementAndGet();
        }

        @Actor
        public void first() {
            spawn();
        }

        @Actor
        public void second() {
            spawn();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            int s = spawned.get();
            int t = taken.get();
            spawn(); // a third spawn must find the name taken
            boolean held = taken.get() == t + 1;
            r.r1 = (s == 1 && t == 1 ? "one spawned, one taken" : "spawned=" + s + " taken=" + t) + (held ? ", held" : ", lost");
        }
    }

    @JCStressTest
    @Description("A spawn races the end of the actor that holds its name (ActorNames: an insert and a remove with its backward shift, under the index's lock): the name is still taken, or it was free and the new actor holds it.")
    @Outcome(id = "taken, old ended", expect = ACCEPTABLE, desc = "the spawn came before the old actor had ended")
    @Outcome(id = "spawned, old ended, held", expect = ACCEPTABLE, desc = "the spawn came after: the new actor holds the name")
    @Outcome(expect = FORBIDDEN, desc = "the new actor is not registered under its name, or the old actor did not end")
    @State
    public static class SpawnVsEnd {
        final ActorSystem system = system();
        final ActorRef<String> old = system.spawn("x", () -> (ctx, msg) -> Behaviors.stopped(), INLINE);
        volatile boolean spawned;

        @Actor
        public void end() {
            old.tell("stop"); // the inline dispatcher ends it on this thread
        }

        @Actor
        public void spawn() {
            spawned = trySpawn(system, "x");
        }

        @Arbiter
        public void arbiter(L_Result r) {
            String ended = old.isTerminated() ? ", old ended" : ", old running";
            if (!spawned) {
                r.r1 = "taken" + ended;
                return;
            }
            boolean held = !trySpawn(system, "x"); // a second spawn must find the name taken
            r.r1 = "spawned" + ended + (held ? ", held" : ", lost");
        }
    }

    @JCStressTest
    @Description("A watch races the watched actor's stop: the watcher is told exactly once (its watchWith message), whether the watch came before the end or after it (ADR 0009: both sides make the target's Extras on first use, and the termination future and its swap to ENDED meet on one field).")
    @Outcome(id = "down=1, terminated", expect = ACCEPTABLE, desc = "the watcher got one signal; the target ended")
    @Outcome(expect = FORBIDDEN, desc = "no signal (lost between the watch and the end), two signals, or the target did not end")
    @State
    public static class WatchVsStop extends Recorder {
        final ActorSystem system = system();
        final ActorRef<String> target = system.spawn("target", this::behavior, INLINE);
        final AtomicInteger down = new AtomicInteger();
        final ActorRef<String> watcher = system.spawn("watcher", () -> (ctx, msg) -> {
            if ("watch".equals(msg)) {
                ctx.watchWith(target, "down");
            } else if ("down".equals(msg)) {
                down.incrementAndGet();
            }
            return Behaviors.same();
        }, INLINE);

        @Actor
        public void watch() {
            watcher.tell("watch");
        }

        @Actor
        public void stop() {
            target.tell("stop");
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = "down=" + down.get() + ", " + (target.isTerminated() ? "terminated" : "running");
        }
    }

    @JCStressTest
    @Description("Actor stage: an input races the cancel of its only subscriber. The input is delivered, dead-lettered, or left in the output for a later subscriber, exactly once; the upstream is cancelled; the first subscriber sees no rule broken.")
    @Outcome(id = "delivered, upstream cancelled, bad=0", expect = ACCEPTABLE, desc = "handled and delivered before the cancel")
    @Outcome(id = "dead-lettered, upstream cancelled, bad=0", expect = ACCEPTABLE, desc = "the stage ended first: dead letters")
    @Outcome(id = "left-in-output, upstream cancelled, bad=0", expect = ACCEPTABLE, desc = "handled, but its subscriber had gone: a later subscriber gets it")
    @Outcome(expect = FORBIDDEN, desc = "the input was lost or counted twice, or the upstream was not cancelled")
    @State
    public static class StageInputVsCancel {
        final ActorSystem system = system();
        final Flow.Processor<Integer, Integer> stage = system.stage("s",
                () -> (StageHandler<Integer, Integer>) (in, out) -> out.emit(in), INLINE.mailbox(Mailbox.bounded(4)));
        final SignalLog<Integer> first = SignalLog.unbounded();
        final CancelCounter upstream = new CancelCounter();

        public StageInputVsCancel() {
            stage.onSubscribe(upstream);
            stage.subscribe(first);
        }

        @Actor
        public void upstream() {
            stage.onNext(1);
        }

        @Actor
        public void cancel() {
            first.cancel();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = fateOfOne(system, stage, first) + ", "
                    + (upstream.cancels.get() == 1 ? "upstream cancelled" : "upstream cancels=" + upstream.cancels.get())
                    + ", bad=" + first.violations();
        }
    }

    /**
     * An item a stage emits from outside its turn (a handler may hand its emitter to a callback)
     * goes through its output's queue and loop into the next stage, racing with the cancel of the
     * next stage's only subscriber, which cancels its way back up the chain. The item is
     * delivered, left in the next stage's output for a later subscriber, or dead-lettered by one
     * stage or the other: exactly once, and both stages let go of their upstreams. It found a
     * loss: the emit could land in the first stage's output just after the cancelled stage had
     * ended and drained it (the channel accepts a send that races its close), and stay there for
     * ever: 296–1,462 of 2.5–3M samples in five {@code -m quick} runs, none since the emit looks
     * again after it (StageProcessor.outputAfterTheTurn).
     */
    @JCStressTest
    @Description("Actor stages: an emit from outside the first stage's turn vs the cancel of the second stage's only subscriber")
    @Outcome(id = "delivered, upstreams cancelled, bad=0", expect = ACCEPTABLE, desc = "through both stages and delivered before the cancel")
    @Outcome(id = "dead-lettered, upstreams cancelled, bad=0", expect = ACCEPTABLE, desc = "a stage ended first: dead letters")
    @Outcome(id = "left-in-output, upstreams cancelled, bad=0", expect = ACCEPTABLE, desc = "handled, but the subscriber had gone: a later subscriber gets it")
    @Outcome(expect = FORBIDDEN, desc = "the item was lost or counted twice, or an upstream was not cancelled")
    @State
    public static class EmitOutsideTheTurnVsCancel {
        final ActorSystem system = system();
        volatile io.flowrelay.actor.Emitter<Integer> firstOut;
        final Flow.Processor<Integer, Integer> a = system.stage("a",
                () -> (StageHandler<Integer, Integer>) (in, out) -> firstOut = out, INLINE.mailbox(Mailbox.bounded(4)));
        final Flow.Processor<Integer, Integer> b = system.stage("b",
                () -> (StageHandler<Integer, Integer>) (in, out) -> out.emit(in), INLINE.mailbox(Mailbox.bounded(4)));
        final SignalLog<Integer> first = SignalLog.unbounded();
        final CancelCounter upstream = new CancelCounter();

        public EmitOutsideTheTurnVsCancel() {
            a.onSubscribe(upstream);
            a.subscribe(b);
            b.subscribe(first);
            a.onNext(0); // a's handler keeps its emitter and emits nothing
        }

        @Actor
        public void emitOutsideTheTurn() {
            firstOut.emit(1); // queued in a's output: its loop (on this thread) hands it to b
        }

        @Actor
        public void cancel() {
            first.cancel();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = fateOfOne(system, b, first) + ", " // b's cancel reaches a's upstream only through a
                    + (upstream.cancels.get() == 1 ? "upstreams cancelled" : "upstream cancels=" + upstream.cancels.get())
                    + ", bad=" + first.violations();
        }
    }
}

/**
 * FlowRelay's reliability suite: jcstress tests of every lock-free state machine of the kernel
 * ({@code kernel}, {@code channel}, {@code actor}), the random stress mix and its soak runner
 * ({@code mix}). The module is packaged as a runnable jcstress jar:
 * {@code java -jar flow-stress/target/flow-stress.jar -m sanity -c 2}.
 */
package io.flowrelay.stress;

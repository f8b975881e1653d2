package io.flowrelay.actor;

/** A lifecycle notification delivered to {@link Actor#onSignal}. */
public sealed interface Signal permits Terminated {
}

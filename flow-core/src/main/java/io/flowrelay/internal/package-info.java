/**
 * The kernel shared by every FlowRelay publisher: demand arithmetic ({@code Demand}), the drain
 * loop ({@code DeliveryLoop}), the terminal-state word ({@code StateWord}), waiters for blocking
 * operations and the default executor. Not exported by the module: not an API.
 */
package io.flowrelay.internal;

/**
 * Measurements several rules share, drawn from the view: the sync window and write rate behind
 * replication advice, full and aborted resyncs, save health, memory and fork budgets, the real fd
 * ceiling. Each is computed from an {@code InstanceView} alone, so two rules that rest on the same
 * fact agree on it; none makes a finding.
 */
package io.redwatch.collector.rules.evidence;

/**
 * Alerts and the pages they cause, as a pipeline of small parts, in the way Alertmanager's notify
 * package chains its stages.
 *
 * <p>Evaluation: {@link io.redwatch.collector.alerting.AlertTracker} reads an instance's firing
 * alerts ({@link io.redwatch.collector.alerting.AlertStore}), asks the pure
 * {@link io.redwatch.collector.alerting.AlertStateMachine} what fires, repeats and recovers, writes
 * that back and, in the same transaction, the notifications it causes
 * ({@link io.redwatch.collector.alerting.Routing}, then the
 * {@link io.redwatch.collector.alerting.NotificationOutbox}).
 *
 * <p>Delivery: the {@link io.redwatch.collector.alerting.Dispatcher} claims one message at a time
 * through {@link io.redwatch.collector.alerting.MessageClaim}, which runs the due rows through the
 * pure stages {@link io.redwatch.collector.alerting.Grouping},
 * {@link io.redwatch.collector.alerting.SilenceFilter}, {@link io.redwatch.collector.alerting.RateLimit}
 * and {@link io.redwatch.collector.alerting.Summariser}; it then sends the message on its
 * {@link io.redwatch.collector.alerting.Channel} (email, sms) outside any transaction and records
 * the outcome in the outbox.
 *
 * <p>Only the stores and the outbox touch SQL; the state machine and the stages take time as a
 * parameter and are tested without a database. Alerting depends on neither http nor the CLI: the
 * http package mounts the API from {@link io.redwatch.collector.alerting.Alerting#queries()} and
 * {@link io.redwatch.collector.alerting.Alerting#silences()}.
 */
package io.redwatch.collector.alerting;

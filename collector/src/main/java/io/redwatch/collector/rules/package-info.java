/**
 * The rules of docs/incidents.md, one class each, and what runs them: {@code Rule}, {@code Diagnosis},
 * {@code Finding}, {@code Severity}, {@code Thresholds}. Rules read an instance through
 * {@code rules.view} and shared measurements from {@code rules.evidence}; those packages never depend
 * back on the rules, and nothing here reaches storage, ingest, alerting or HTTP.
 */
package io.redwatch.collector.rules;

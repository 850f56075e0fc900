/**
 * The records of one instance as the rules read them: {@code InstanceView} (the recent records and
 * the moment they are judged at), INFO fields by name, settings and where they came from, Redis
 * versions and defaults, and small readers of log text and byte sizes. Nothing here judges; it
 * depends on no rule and no evidence, so a rule's input can be built and tested on its own.
 */
package io.redwatch.collector.rules.view;

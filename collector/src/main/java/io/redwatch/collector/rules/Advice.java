package io.redwatch.collector.rules;

/** Advice texts shared by several rules. */
final class Advice {
    private Advice() {}

    static final String OVERCOMMIT = "Run `sysctl vm.overcommit_memory=1` now, and add `vm.overcommit_memory = 1` to "
            + "/etc/sysctl.conf so it survives a reboot; longer term, more RAM or a smaller dataset.";
}

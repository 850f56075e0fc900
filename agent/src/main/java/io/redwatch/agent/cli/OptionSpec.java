package io.redwatch.agent.cli;

/**
 * One {@code --name} option of a command: a flag when {@code valueName} is null, otherwise it takes
 * one value, given as {@code --name VALUE} or {@code --name=VALUE}.
 */
public record OptionSpec(String name, String valueName, String description) {
    public static OptionSpec flag(String name, String description) {
        return new OptionSpec(name, null, description);
    }

    public static OptionSpec value(String name, String valueName, String description) {
        return new OptionSpec(name, valueName, description);
    }

    boolean takesValue() {
        return valueName != null;
    }

    /** {@code --name=<value>} or {@code --name}, as help shows it. */
    String synopsis() {
        return takesValue() ? name + "=<" + valueName + ">" : name;
    }
}

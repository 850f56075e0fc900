package io.redwatch.collector.security;

/** What an agent id may be: it keys stored data and appears in logs and commands. */
public final class AgentIds {
    public static final int MAX_LENGTH = 200;

    private AgentIds() {}

    /** Null when {@code id} is acceptable, else what is wrong with it. */
    public static String problem(String id) {
        if (id == null || id.isBlank()) return "the agent id is empty";
        if (id.length() > MAX_LENGTH)
            return "the agent id is " + id.length() + " characters long, at most " + MAX_LENGTH + " are allowed";
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i)))
                return "the agent id contains a control character at position " + i;
        }
        return null;
    }
}

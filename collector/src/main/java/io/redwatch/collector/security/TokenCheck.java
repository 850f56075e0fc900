package io.redwatch.collector.security;

/** The outcome of checking an agent's token, with what the operator should do about a refusal. */
public enum TokenCheck {
    OK("", ""),
    MISSING(
            "no token in the call metadata",
            "create one with `redwatch-collector token create --agent-id %s` and set collector.token_file in the agent's config"),
    UNKNOWN_AGENT(
            "no token exists for this agent id",
            "create one with `redwatch-collector token create --agent-id %s`, or check the agent's agent_id"),
    WRONG(
            "wrong token",
            "check collector.token_file on the agent, or create a new token with `redwatch-collector token create --agent-id %s`"),
    REVOKED(
            "the token was revoked",
            "create a new token with `redwatch-collector token create --agent-id %s` and give it to the agent"),
    EXPIRED(
            "the token has expired",
            "create a new token with `redwatch-collector token create --agent-id %s` and give it to the agent");

    private final String reason;
    private final String advice;

    TokenCheck(String reason, String advice) {
        this.reason = reason;
        this.advice = advice;
    }

    /** What the agent is told (and logs). */
    public String reason() {
        return reason;
    }

    /** What the collector's operator should do, for this agent id. */
    public String advice(String agentId) {
        return String.format(advice, agentId);
    }
}

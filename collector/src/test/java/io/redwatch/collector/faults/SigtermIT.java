package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The orderly stop systemd performs ({@code systemctl stop}: SIGTERM): agent and collector exit
 * by themselves, with a status their unit file counts as success (else every stop leaves the unit
 * "failed").
 */
class SigtermIT extends FaultTest {

    @Test
    void sigtermStopsAgentAndCollectorWithAStatusTheirUnitsCountAsSuccess() throws Exception {
        RedisServerProcess redis = rig.redis();
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        log.append(20);
        CollectorProcess collector = rig.collector("collector", db.url(), null).start();
        AgentProcess agent =
                rig.agent("agent-sigterm", collector, redis, log.path()).start();
        StoredLog stored = new StoredLog(db, Rig.instanceOf(redis));
        Await.until("20 lines stored", Duration.ofSeconds(30), () -> stored.count() >= 20, () -> stored.describe(log));
        Await.until(
                "the position of the 20th line saved",
                Duration.ofSeconds(10),
                () -> agent.savedPosition()
                        .map(p -> p.offset() == log.span(20).end())
                        .orElse(false));

        int agentExit = agent.stop();
        assertTrue(
                successFor("redwatch-agent.service").contains(agentExit),
                "the agent exits with " + agentExit + " on SIGTERM; redwatch-agent.service counts "
                        + successFor("redwatch-agent.service") + " as success"
                        + agent.process().logTail());
        int collectorExit = collector.process().stop(Duration.ofSeconds(30));
        assertTrue(
                successFor("redwatch-collector.service").contains(collectorExit),
                "the collector exits with " + collectorExit + " on SIGTERM; redwatch-collector.service counts "
                        + successFor("redwatch-collector.service") + " as success"
                        + collector.process().logTail());
    }

    /** 0 plus the unit's SuccessExitStatus= codes. */
    private static Set<Integer> successFor(String unit) throws IOException {
        Path file = ModuleDir.path().resolve("../deploy/systemd").resolve(unit).normalize();
        Set<Integer> codes = new HashSet<>(Set.of(0));
        for (String line : Files.readAllLines(file)) {
            if (!line.startsWith("SuccessExitStatus=")) continue;
            for (String word :
                    line.substring("SuccessExitStatus=".length()).trim().split("\\s+")) {
                if (word.matches("\\d+")) codes.add(Integer.parseInt(word));
            }
        }
        return codes;
    }
}

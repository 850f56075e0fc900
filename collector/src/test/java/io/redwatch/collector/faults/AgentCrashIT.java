package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The agent dies (kill -9) while it ships. It keeps no batch across a restart (without the disk
 * spool), so what protects the lines is the saved log position: it must never be ahead of what the
 * collector acknowledged, and the lines after it are read and sent again, stored once.
 */
class AgentCrashIT extends FaultTest {

    /**
     * Issue case 2: the agent is killed -9 five times at random moments (1–4 s apart, seed in the
     * messages) while a thousand lines a second arrive. After each kill, every line that ends at
     * or below the position the agent saved is in the database (a position ahead of the
     * acknowledgements would name lines that are not); at the end each line is stored once.
     */
    @Test
    void agentKilledFiveTimesAtRandomMomentsWhileShipping() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        RedisServerProcess redis = rig.redis();
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        CollectorProcess collector = rig.collector("collector", db.url(), null).start();
        AgentProcess agent =
                rig.agent("agent-killed", collector, redis, log.path()).start();
        StoredLog stored = new StoredLog(db, Rig.instanceOf(redis));
        List<String> checked = new ArrayList<>();
        try (LineFeeder feeder = new LineFeeder(log, 1_000_000, 50, 50)) {
            for (int kill = 1; kill <= 5; kill++) {
                JavaProcess.sleep(1_000 + random.nextInt(3_000));
                agent.kill9();
                int written = log.written();
                Optional<AgentProcess.SavedPosition> saved = agent.savedPosition();
                if (saved.isPresent()) {
                    Set<Integer> inDatabase = stored.bySeq().keySet();
                    int below = 0;
                    for (int seq = 1; seq <= written; seq++) {
                        RedisLog.Span s = log.span(seq);
                        if (s.inode() != saved.get().inode()
                                || s.end() > saved.get().offset()) continue;
                        below++;
                        assertTrue(
                                inDatabase.contains(seq),
                                "kill " + kill + " (seed " + seed + "): the agent saved offset "
                                        + saved.get().offset() + ", but line " + seq + " (ending at " + s.end()
                                        + ") is not in the database: a position was saved for a line never acknowledged");
                    }
                    checked.add("kill " + kill + ": offset " + saved.get().offset() + ", " + below + " of " + written
                            + " lines below it, all stored");
                }
                agent.restart();
            }
            feeder.close();
            int total = log.written();
            Await.until(
                    "all " + total + " lines stored",
                    Duration.ofSeconds(60),
                    () -> stored.count() >= total,
                    stored::count);
        }
        assertTrue(
                checked.size() >= 3, "most kills fell after a first acknowledgement (seed " + seed + "): " + checked);
        stored.assertEachLineOnceInOrder(log);
    }

    /**
     * Issue case 9: the last line is half written when the agent is killed; Redis finishes it
     * later. The half is never sent on its own: the database holds exactly one row with the
     * whole line.
     */
    @Test
    void aPartialLastLineCompletedAfterTheAgentDiedIsStoredOnceWhole() throws Exception {
        RedisServerProcess redis = rig.redis();
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        log.append(5);
        log.appendPartial(RedisLog.prefix(6) + " DB saved on disk, and this half");
        CollectorProcess collector = rig.collector("collector", db.url(), null).start();
        AgentProcess agent =
                rig.agent("agent-partial", collector, redis, log.path()).start();
        StoredLog stored = new StoredLog(db, Rig.instanceOf(redis));
        Await.until("the five complete lines stored", Duration.ofSeconds(30), () -> stored.count() >= 5, stored::count);
        // Two more batches stored: the agent has polled the log since, and the half line still waits.
        long seq = lastStoredSeq(agent.agentId());
        Await.until("two more batches stored", Duration.ofSeconds(30), () -> lastStoredSeq(agent.agentId()) >= seq + 2);
        assertEquals(5, stored.count(), "a line without its newline is not sent yet");

        agent.kill9();
        assertEquals(6, log.completePartial(" was finished after the agent died"));
        log.append(2);
        agent.restart();
        Await.until(
                "the completed line and two more stored",
                Duration.ofSeconds(30),
                () -> stored.count() >= 8,
                stored::count);
        // and two batches after that, so a line sent twice would be stored by now
        long after = lastStoredSeq(agent.agentId());
        Await.until(
                "two more batches stored", Duration.ofSeconds(30), () -> lastStoredSeq(agent.agentId()) >= after + 2);
        stored.assertEachLineOnceInOrder(log);
        assertEquals(
                List.of(log.text(6)),
                stored.bySeq().get(6).stream().map(StoredLog.Row::raw).toList());
    }
}

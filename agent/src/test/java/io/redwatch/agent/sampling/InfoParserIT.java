package io.redwatch.agent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.InstanceRef;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** INFO everything from a real redis-server started here, parsed as the agent would. */
class InfoParserIT {

    @Test
    void parsesLiveInfoEverythingFromAMasterWithAReplica() throws IOException {
        try (RedisServerProcess master = RedisServerProcess.start();
                RedisServerProcess replica = RedisServerProcess.start(
                        "--replicaof", "127.0.0.1", String.valueOf(master.port()), "--repl-diskless-sync-delay", "0")) {
            replica.awaitLog("MASTER <-> REPLICA sync: Finished with success", Duration.ofSeconds(20));
            // the master calls the replica online only once its first REPLCONF ACK arrives
            master.awaitLog(
                    "Synchronization with replica 127.0.0.1:" + replica.port() + " succeeded", Duration.ofSeconds(20));
            master.call("SET", "user:1", "a:b,c=d");
            assertThrows(RedisServerProcess.RedisErrorReply.class, () -> master.call("NOSUCHCOMMAND"));
            master.call("CONFIG", "GET", "maxmemory");

            String text = master.call("INFO", "everything");
            InstanceRef ref = InstanceRef.newBuilder()
                    .setInstance(master.address())
                    .setHost(master.host())
                    .setPort(master.port())
                    .build();
            long now = System.currentTimeMillis();
            InfoSample sample = InfoParser.parse(text, ref, now, "everything");

            List<String> headers = new ArrayList<>();
            for (String line : text.split("\r\n")) {
                if (line.startsWith("# ")) {
                    headers.add(line.substring(2));
                }
            }
            assertEquals(
                    headers,
                    sample.getSectionsList().stream().map(InfoSection::getName).collect(Collectors.toList()));
            assertTrue(
                    headers.containsAll(List.of(
                            "Server",
                            "Clients",
                            "Memory",
                            "Persistence",
                            "Stats",
                            "Replication",
                            "CPU",
                            "Errorstats",
                            "Keyspace",
                            "Commandstats")),
                    headers.toString());
            assertEquals(List.of(), sample.getUnparsedLinesList());
            assertEquals(Optional.of(String.valueOf(master.port())), InfoParser.field(sample, "tcp_port"));
            assertEquals(Optional.of(String.valueOf(master.pid())), InfoParser.field(sample, "process_id"));
            assertEquals(Optional.of("master"), InfoParser.field(sample, "role"));
            assertEquals(Optional.of("count=1"), InfoParser.field(sample, "errorstat_ERR"));
            String slave0 = InfoParser.field(sample, "slave0").orElseThrow();
            assertTrue(slave0.startsWith("ip=127.0.0.1,port=" + replica.port() + ",state=online,"), slave0);
            assertTrue(
                    InfoParser.field(sample, "cmdstat_config|get").orElseThrow().startsWith("calls=1,"));
            assertTrue(InfoParser.field(sample, "db0").orElseThrow().startsWith("keys=1,"));
            assertTrue(InfoParser.field(sample, "executable").orElseThrow().startsWith("/"));

            InfoSample replicaSample = InfoParser.parse(replica.call("INFO", "everything"), ref, now, "everything");
            assertEquals(Optional.of("slave"), InfoParser.field(replicaSample, "role"));
            assertEquals(Optional.of("up"), InfoParser.field(replicaSample, "master_link_status"));
            assertEquals(Optional.of(String.valueOf(master.port())), InfoParser.field(replicaSample, "master_port"));
        }
    }
}

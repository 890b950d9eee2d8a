package dev.baton.agent;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** Runs an agent in its own JVM (for tests that kill it with SIGKILL): {@code AgentProcessMain <config.properties>}. */
public final class AgentProcessMain {
    private AgentProcessMain() {}

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
            p.load(r);
        }
        Map<String, Object> config = new HashMap<>();
        p.forEach((k, v) -> config.put(k.toString(), v.toString()));
        Agent agent = Agent.start(AgentConfig.of(config));
        System.out.println("AGENT STARTED " + agent.agentId());
        agent.awaitStopped();
    }
}

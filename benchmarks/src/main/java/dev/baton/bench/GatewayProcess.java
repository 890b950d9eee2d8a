package dev.baton.bench;

import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * A gateway in its own JVM, so a benchmark can measure its memory apart from the rest of the stack. Arguments:
 * bootstrap servers, registry URL, topic prefix, state directory, the admin token's stored value. Prints
 * {@code PHASE port <n>} and then READY once it serves.
 */
public final class GatewayProcess {
    private GatewayProcess() {}

    public static void main(String[] args) throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", args[0]);
        c.put("schema.registry.url", args[1]);
        c.put("topic.prefix", args[2]);
        c.put(GatewayConfig.STATE_DIR, args[3]);
        c.put(GatewayConfig.PORT, 0);
        c.put(GatewayConfig.TOKENS_ENV, false);
        c.put("token.bench", args[4]);
        Gateway gateway = Gateway.start(new GatewayConfig(c), new SimpleMeterRegistry());
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close));
        System.out.println("PHASE port " + gateway.port());
        System.out.println("READY");
        Thread.currentThread().join();
    }
}

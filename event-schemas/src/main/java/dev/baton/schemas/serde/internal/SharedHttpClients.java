package dev.baton.schemas.serde.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JDK HTTP clients that a JVM's registry transports share, one per connect timeout (the only client setting
 * that differs between transports without TLS stores of their own), counted by lease: the last transport to close
 * its lease closes the client, and the next one to need it builds a new one.
 */
final class SharedHttpClients {
    private SharedHttpClients() {}

    private static final class Shared {
        final HttpClient client;
        int leases;

        Shared(HttpClient client) {
            this.client = client;
        }
    }

    private static final Map<Duration, Shared> CLIENTS = new HashMap<>();

    static HttpClient acquire(Duration connectTimeout, Supplier<HttpClient> build) {
        synchronized (CLIENTS) {
            Shared s = CLIENTS.computeIfAbsent(connectTimeout, k -> new Shared(build.get()));
            s.leases++;
            return s.client;
        }
    }

    static void release(Duration connectTimeout, HttpClient client) {
        synchronized (CLIENTS) {
            Shared s = CLIENTS.get(connectTimeout);
            if (s == null || s.client != client || --s.leases > 0) {
                return;
            }
            CLIENTS.remove(connectTimeout);
        }
        // Outside the lock: close() waits for the client's requests in flight, and others may acquire meanwhile.
        client.close();
    }
}

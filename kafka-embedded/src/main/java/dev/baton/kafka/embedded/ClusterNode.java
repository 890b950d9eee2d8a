package dev.baton.kafka.embedded;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * One node (combined broker and controller) of a multi-node KRaft cluster with a static controller quorum.
 *
 * @param nodeId this node's id; must be one of the quorum's voters
 * @param controllerQuorum the voters, {@code id@host:port,...} (Kafka's {@code controller.quorum.voters}); the entry
 *                         of this node is where its controller listens
 * @param clientPort the client (PLAINTEXT) port
 * @param listeners Kafka's {@code listeners}; null: {@code PLAINTEXT://<host>:<clientPort>,CONTROLLER://<voter entry>}
 *                  where host is the host of this node's voter entry
 * @param advertisedListeners Kafka's {@code advertised.listeners}; null: the PLAINTEXT listener
 * @param dataDir the node's data directory (formatted at the first start)
 * @param clusterId the cluster id every node is formatted with; null: derived from {@code controllerQuorum}, so the
 *                  nodes of one quorum agree without a shared secret step
 * @param overrides further broker settings (Kafka's names), applied last
 */
public record ClusterNode(int nodeId, String controllerQuorum, int clientPort, String listeners, String advertisedListeners,
                          Path dataDir, String clusterId, Map<String, String> overrides) {
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Replicas of Baton's and Kafka's internal topics once there are this many brokers. */
    static final int TARGET_REPLICATION = 3;

    public ClusterNode {
        voters(controllerQuorum); // validate
        if (voterAddress(controllerQuorum, nodeId) == null) {
            throw new IllegalArgumentException("node id " + nodeId + " is not a voter of the controller quorum " + controllerQuorum);
        }
        if (clusterId == null || clusterId.isBlank()) {
            clusterId = derivedClusterId(controllerQuorum);
        }
        overrides = Map.copyOf(overrides);
    }

    /** A voter: {@code id@host:port}. */
    public record Voter(int id, String host, int port) {}

    public static List<Voter> voters(String quorum) {
        List<Voter> out = new ArrayList<>();
        for (String v : quorum.split(",")) {
            String t = v.strip();
            int at = t.indexOf('@');
            int colon = t.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == t.length() - 1) {
                throw new IllegalArgumentException("controller quorum entry '" + t + "' is not id@host:port");
            }
            try {
                out.add(new Voter(Integer.parseInt(t.substring(0, at)), t.substring(at + 1, colon),
                        Integer.parseInt(t.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("controller quorum entry '" + t + "' is not id@host:port", e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the controller quorum names no voter");
        }
        return out;
    }

    private static Voter voterAddress(String quorum, int nodeId) {
        return voters(quorum).stream().filter(v -> v.id() == nodeId).findFirst().orElse(null);
    }

    /** A cluster id (Kafka's base64 UUID form) that is a function of the quorum only. */
    static String derivedClusterId(String quorum) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(quorum.strip().getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.wrap(h);
            return new Uuid(b.getLong(), b.getLong()).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    int brokers() {
        return voters(controllerQuorum).size();
    }

    int controllerPort() {
        return voterAddress(controllerQuorum, nodeId).port();
    }

    /** The client address other processes use (the PLAINTEXT advertised listener). */
    String advertisedClient() {
        String adv = advertisedListeners != null ? advertisedListeners : plaintextListener();
        for (String l : adv.split(",")) {
            String t = l.strip();
            if (!t.startsWith(CONTROLLER_LISTENER + "://")) {
                return t.substring(t.indexOf("://") + 3);
            }
        }
        throw new IllegalArgumentException("advertised listeners '" + adv + "' name no client listener");
    }

    private String plaintextListener() {
        return "PLAINTEXT://" + voterAddress(controllerQuorum, nodeId).host() + ":" + clientPort;
    }

    /** The broker settings of this node on top of the single-machine defaults. */
    Properties brokerProperties(Path logDir) {
        Voter me = voterAddress(controllerQuorum, nodeId);
        int rf = Math.min(TARGET_REPLICATION, brokers());
        int minIsr = rf >= TARGET_REPLICATION ? 2 : 1;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("node.id", String.valueOf(nodeId));
        m.put("process.roles", "broker,controller");
        m.put("listeners", listeners != null ? listeners
                : plaintextListener() + "," + CONTROLLER_LISTENER + "://" + me.host() + ":" + me.port());
        m.put("advertised.listeners", advertisedListeners != null ? advertisedListeners : plaintextListener());
        m.put("controller.quorum.voters", controllerQuorum);
        m.put("log.dirs", logDir.toString());
        // Internal topics (offsets, transactions, share-group state) and topics created without a replication factor
        // are replicated like Baton's own: min(3, brokers) replicas, min.insync.replicas 2 from three brokers on.
        m.put("default.replication.factor", String.valueOf(rf));
        m.put("min.insync.replicas", String.valueOf(minIsr));
        m.put("offsets.topic.replication.factor", String.valueOf(rf));
        m.put("transaction.state.log.replication.factor", String.valueOf(rf));
        m.put("transaction.state.log.min.isr", String.valueOf(minIsr));
        m.put("share.coordinator.state.topic.replication.factor", String.valueOf(rf));
        m.put("share.coordinator.state.topic.min.isr", String.valueOf(minIsr));
        m.putAll(overrides);
        Properties p = new Properties();
        p.putAll(m);
        return p;
    }
}

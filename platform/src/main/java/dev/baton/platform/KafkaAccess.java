package dev.baton.platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of a component's Kafka permissions: before it starts any client, a component asks Kafka what its
 * own principal may do with each topic, group and transactional id it needs, and refuses to start with one message
 * naming every missing permission. Without it, a missing ACL shows up later, in a background thread, as a retry loop
 * or a thread that dies over and over ({@code Not authorized to access topics: [...]}, with no operation named).
 *
 * <p>It needs no admin rights: topics are described with {@code includeAuthorizedOperations} (the operations this
 * principal holds on each, as Kafka's authorizer answers them, implications included: READ implies DESCRIBE); a group
 * and a transactional id are described, which Kafka refuses with an authorization error when the principal holds no
 * ACL on them. Without an authorizer on the broker everything is allowed and the check passes. The ACLs each component
 * needs are listed in docs/operations.md (Kafka ACLs).
 */
public final class KafkaAccess {
    private static final Logger log = LoggerFactory.getLogger(KafkaAccess.class);
    private static final long TIMEOUT_S = 60;
    /** The suffix of the transactional id asked about to check a prefix ACL: it never exists, and need not. */
    static final String PROBE = "access-check";

    private KafkaAccess() {}

    /** One permission a component needs. */
    public sealed interface Need {
        /** For example {@code READ on topic baton.run-requests}. */
        String describe();
    }

    /** An operation (READ or WRITE) on one topic. */
    public record Topic(String name, AclOperation operation) implements Need {
        public String describe() {
            return operation + " on topic " + name;
        }
    }

    /** READ on a consumer group (a Kafka Streams application id is one). */
    public record Group(String id) implements Need {
        public String describe() {
            return "READ on group " + id;
        }
    }

    /** READ on a share group (an agent pool's). */
    public record ShareGroup(String id) implements Need {
        public String describe() {
            return "READ on group " + id;
        }
    }

    /** WRITE on the transactional ids starting with {@code prefix} (a prefixed ACL). */
    public record TransactionalIds(String prefix) implements Need {
        public String describe() {
            return "WRITE on transactional ids prefixed " + prefix;
        }
    }

    public static Topic read(String topic) {
        return new Topic(topic, AclOperation.READ);
    }

    public static Topic write(String topic) {
        return new Topic(topic, AclOperation.WRITE);
    }

    /** Thrown by {@link #require} when the principal lacks a permission; the message names each one. */
    public static final class AccessDeniedException extends IllegalStateException {
        private final List<String> missing;

        AccessDeniedException(String component, List<String> missing) {
            super(component + " cannot start: its Kafka principal lacks " + String.join("; ", missing)
                    + " (grant them, see docs/operations.md#kafka-acls, then restart it)");
            this.missing = List.copyOf(missing);
        }

        /** What is missing, one entry per permission, e.g. {@code READ on topic baton.run-requests}. */
        public List<String> missing() {
            return missing;
        }
    }

    /**
     * Checks every need with this {@code admin} (authenticated as the component's principal).
     *
     * @throws AccessDeniedException naming every missing permission
     */
    public static void require(String component, Admin admin, List<? extends Need> needs) {
        List<String> missing = new ArrayList<>();
        Map<String, List<Topic>> byTopic = new LinkedHashMap<>();
        for (Need n : needs) {
            switch (n) {
                case Topic t -> byTopic.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(t);
                case Group g -> checkGroup(admin, g, missing);
                case ShareGroup g -> checkShareGroup(admin, g, missing);
                case TransactionalIds t -> checkTransactionalIds(admin, t, missing);
            }
        }
        checkTopics(admin, byTopic, missing);
        if (!missing.isEmpty()) {
            throw new AccessDeniedException(component, missing);
        }
        log.debug("{}: Kafka permissions checked ({} needs)", component, needs.size());
    }

    private static void checkTopics(Admin admin, Map<String, List<Topic>> byTopic, List<String> missing) {
        if (byTopic.isEmpty()) {
            return;
        }
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(byTopic.keySet(),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
        byTopic.forEach((topic, wanted) -> {
            try {
                TopicDescription d = described.get(topic).get(TIMEOUT_S, TimeUnit.SECONDS);
                Set<AclOperation> held = d.authorizedOperations();
                if (held == null) {
                    return; // the broker did not say: nothing to check against
                }
                for (Topic t : wanted) {
                    if (!held.contains(t.operation()) && !held.contains(AclOperation.ALL)) {
                        missing.add(t.describe());
                    }
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    wanted.forEach(t -> missing.add(t.describe()));
                } else if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    // an absent topic is created, or reported, by whoever needs it
                    throw unreachable("describe topic " + topic, e.getCause());
                }
            } catch (TimeoutException e) {
                throw unreachable("describe topic " + topic, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while checking Kafka permissions", e);
            }
        });
    }

    private static void checkGroup(Admin admin, Group g, List<String> missing) {
        KafkaFuture<?> f = admin.describeConsumerGroups(List.of(g.id()),
                new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true)).describedGroups().get(g.id());
        if (denied(f, "describe group " + g.id())) {
            missing.add(g.describe());
        }
    }

    private static void checkShareGroup(Admin admin, ShareGroup g, List<String> missing) {
        KafkaFuture<?> f = admin.describeShareGroups(List.of(g.id())).describedGroups().get(g.id());
        if (denied(f, "describe share group " + g.id())) {
            missing.add(g.describe());
        }
    }

    private static void checkTransactionalIds(Admin admin, TransactionalIds t, List<String> missing) {
        String probe = t.prefix() + PROBE;
        KafkaFuture<?> f = admin.describeTransactions(List.of(probe)).description(probe);
        if (denied(f, "describe transactional id " + probe)) {
            missing.add(t.describe());
        }
    }

    /** True when Kafka refused the request for want of an ACL; an absent group or transactional id is allowed. */
    private static boolean denied(KafkaFuture<?> f, String what) {
        try {
            f.get(TIMEOUT_S, TimeUnit.SECONDS);
            return false;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof AuthorizationException) {
                return true;
            }
            if (c instanceof GroupIdNotFoundException || c instanceof TransactionalIdNotFoundException) {
                return false; // checked after authorization: the principal may use it
            }
            throw unreachable(what, c);
        } catch (TimeoutException e) {
            throw unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking Kafka permissions", e);
        }
    }

    private static IllegalStateException unreachable(String what, Throwable cause) {
        return new IllegalStateException("Kafka is not reachable (" + what + ", checking permissions): " + cause.getMessage(), cause);
    }

    /**
     * A readable cause for an authorization failure met after start (a Kafka Streams thread, a consumer's poll), or
     * null when {@code e} is none: the component then gives up at once instead of retrying what cannot succeed.
     */
    public static String authorizationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthorizationException a) {
                String what = a instanceof org.apache.kafka.common.errors.GroupAuthorizationException g && g.groupId() != null
                        ? " (group " + g.groupId() + ")" : "";
                return "Kafka refused an operation for want of an ACL (" + a.getClass().getSimpleName() + ": " + a.getMessage()
                        + what + "; see docs/operations.md#kafka-acls)";
            }
        }
        return null;
    }
}

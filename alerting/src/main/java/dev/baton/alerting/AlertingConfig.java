package dev.baton.alerting;

import dev.baton.platform.config.BatonConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The alerting component's configuration: the common keys plus {@code alerting.*} (docs/alerts.md). */
public final class AlertingConfig extends BatonConfig {
    public static final String STATE_DIR = "alerting.state.dir";
    public static final String RULES_FILE = "alerting.rules.file";
    public static final String COMMIT_INTERVAL_MS = "alerting.commit.interval.ms";
    public static final String CHECK_INTERVAL_MS = "alerting.check.interval.ms";
    public static final String IDLE_POLL_MAX_MS = "alerting.idle.poll.max.ms";
    public static final String AGENT_LOST_AFTER_MS = "alerting.agent.lost.after.ms";
    public static final String POOL_UNSERVED_AFTER_MS = "alerting.pool.unserved.after.ms";
    public static final String AGENT_FORGET_AFTER_MS = "alerting.agent.forget.after.ms";
    public static final String NOTIFY_ENABLED = "alerting.notify.enabled";
    public static final String DELIVERY_MAX_ATTEMPTS = "alerting.delivery.max.attempts";
    public static final String DELIVERY_BACKOFF_MS = "alerting.delivery.backoff.ms";
    public static final String DELIVERY_MAX_BACKOFF_MS = "alerting.delivery.max.backoff.ms";
    public static final String DELIVERY_TIMEOUT_MS = "alerting.delivery.timeout.ms";
    public static final String SMTP_HOST = "alerting.smtp.host";
    public static final String SMTP_PORT = "alerting.smtp.port";
    public static final String SMTP_FROM = "alerting.smtp.from";
    public static final String SMTP_USERNAME = "alerting.smtp.username";
    public static final String SMTP_PASSWORD = "alerting.smtp.password";
    public static final String SMTP_STARTTLS = "alerting.smtp.starttls";
    public static final String LINK_BASE_URL = "alerting.link.base.url";

    static final ConfigDef DEF = new ConfigDef()
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/baton-alerting", Importance.MEDIUM,
                    "Local directory of the incident state stores (RocksDB); a cache of their changelog topics.")
            .define(RULES_FILE, Type.STRING, "", Importance.HIGH,
                    "YAML file of global alert rules (alerts: [...]): agent_lost, pool_unserved, and run or check rules for"
                            + " many jobs at once. Empty: job files' rules only. Read at start.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                    "Exactly-once commit interval of the incident engine.")
            .define(IDLE_POLL_MAX_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
                    "Longest the incident engine's poll waits while its thread has nothing due (no transaction open, the "
                            + "previous poll empty, the agent and pool check not sooner); records arriving end it at once. 0 "
                            + "or not above the Streams poll.ms (100 ms): every poll waits poll.ms. Costs: a rebalance that "
                            + "starts during a long poll is handled when it ends (at most this long). baton dev: 1000.")
            .define(CHECK_INTERVAL_MS, Type.LONG, 1_000L, Range.atLeast(10), Importance.LOW,
                    "How often time-based conditions (agent_lost, pool_unserved) are checked (wall-clock punctuation); only "
                            + "the global rules (alerting.rules.file) hold them, and without one nothing is checked.")
            .define(AGENT_LOST_AFTER_MS, Type.LONG, 30_000L, Range.atLeast(100), Importance.MEDIUM,
                    "Heartbeat silence after which an agent is lost, for agent_lost rules without 'after'.")
            .define(POOL_UNSERVED_AFTER_MS, Type.LONG, 300_000L, Range.atLeast(100), Importance.MEDIUM,
                    "How long a step may wait in a pool with no live agent, for pool_unserved rules without 'after'.")
            .define(AGENT_FORGET_AFTER_MS, Type.LONG, 86_400_000L, Range.atLeast(1000), Importance.LOW,
                    "Agents silent for longer are forgotten (no agent_lost for agents gone before alerting started).")
            .define(NOTIFY_ENABLED, Type.BOOLEAN, true, Importance.LOW,
                    "Deliver notifications (webhook, Slack, e-mail) from this process.")
            .define(DELIVERY_MAX_ATTEMPTS, Type.INT, 8, Range.atLeast(1), Importance.MEDIUM,
                    "Attempts per notification and destination before it goes to the dead-letter topic.")
            .define(DELIVERY_BACKOFF_MS, Type.LONG, 500L, Range.atLeast(0), Importance.LOW,
                    "Wait before the second delivery attempt; doubles with every attempt.")
            .define(DELIVERY_MAX_BACKOFF_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                    "Longest wait between delivery attempts.")
            .define(DELIVERY_TIMEOUT_MS, Type.LONG, 10_000L, Range.atLeast(100), Importance.LOW,
                    "Connect and response timeout of one delivery (HTTP request or SMTP session).")
            .define(SMTP_HOST, Type.STRING, "", Importance.MEDIUM,
                    "SMTP server for e-mail destinations; empty: e-mail destinations fail to the dead-letter topic.")
            .define(SMTP_PORT, Type.INT, 25, Range.between(1, 65535), Importance.MEDIUM, "SMTP port.")
            .define(SMTP_FROM, Type.STRING, "baton@localhost", Importance.MEDIUM, "Sender address of alert e-mails.")
            .define(SMTP_USERNAME, Type.STRING, "", Importance.LOW, "SMTP user (empty: no authentication).")
            .define(SMTP_PASSWORD, Type.PASSWORD, "", Importance.LOW, "SMTP password.")
            .define(SMTP_STARTTLS, Type.BOOLEAN, false, Importance.LOW, "Require STARTTLS on the SMTP connection.")
            .define(LINK_BASE_URL, Type.STRING, "", Importance.LOW,
                    "Base URL of the gateway, for a link to the incident in notifications (<url>/api/v1/incidents/<id>, e.g."
                            + " http://127.0.0.1:8080); empty: no links.");

    public AlertingConfig(Map<String, ?> raw) {
        super(DEF, raw);
    }

    public static ConfigDef definition() {
        return common(new ConfigDef(DEF));
    }
}

package dev.baton.schemas.serde;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of {@link AvroSerde} and {@link SchemaRegistryClient}. Keys are named as Confluent's
 * serializers name them, so an existing Kafka client configuration works unchanged; Baton's own
 * keys start with {@code baton.avro.}. Unknown keys are ignored (the serde is usually configured
 * with a whole Kafka client configuration).
 */
public final class AvroSerdeConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Alias of {@link #BASIC_AUTH_USER_INFO} accepted by Confluent clients. */
    public static final String SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    /** Fully qualified name of the generated record class read by a value serde built by Kafka ({@code configure}). */
    public static final String VALUE_TYPE = "baton.avro.value.type";
    /** Same as {@link #VALUE_TYPE} for a key serde. */
    public static final String KEY_TYPE = "baton.avro.key.type";
    /** Whether a null value deserializes to null (a tombstone of a compacted topic) instead of failing. */
    public static final String TOMBSTONES = "baton.avro.tombstones";

    public static final String TOPIC_NAME_STRATEGY = "TopicNameStrategy";
    public static final String RECORD_NAME_STRATEGY = "RecordNameStrategy";
    public static final String TOPIC_RECORD_NAME_STRATEGY = "TopicRecordNameStrategy";

    private static final ConfigDef DEF = new ConfigDef()
            .define(SCHEMA_REGISTRY_URL, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.ValidList.anyNonDuplicateValues(false, false), Importance.HIGH,
                    "Comma-separated registry base URLs (http or https). On a connection failure the next one is tried. "
                            + "The value may be mock://<scope> for an in-memory registry shared by that scope in this JVM (tests).")
            .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Register the record's schema under its subject when serializing; when false the schema must already be registered.")
            .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Serialize with the latest registered version of the subject (it must be able to read the record's schema) "
                            + "instead of the record's own schema. Takes precedence over auto.register.schemas.")
            .define(BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, "URL", ValidString.in("URL", "USER_INFO"), Importance.MEDIUM,
                    "Where HTTP basic credentials come from: USER_INFO (basic.auth.user.info) or URL (user:password@ in schema.registry.url).")
            .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                    "user:password for basic authentication when basic.auth.credentials.source=USER_INFO.")
            .define(SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.LOW,
                    "Alias of basic.auth.user.info.")
            .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                    "Trust store for https registry URLs; the JDK's default trust store when unset.")
            .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the trust store.")
            .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "JKS", Importance.LOW, "Trust store type (JKS or PKCS12).")
            .define(SSL_KEYSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                    "Key store holding the client certificate for mutual TLS.")
            .define(SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the key store.")
            .define(SSL_KEYSTORE_TYPE, Type.STRING, "JKS", Importance.LOW, "Key store type (JKS or PKCS12).")
            .define(SSL_KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW,
                    "Password of the private key in the key store; the key store password when unset.")
            .define(HTTP_CONNECT_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Connect timeout of one registry request to one URL.")
            .define(HTTP_READ_TIMEOUT_MS, Type.INT, 30_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Timeout of one registry request, from sending to the complete response.")
            .define(KEY_SUBJECT_NAME_STRATEGY, Type.STRING, TOPIC_NAME_STRATEGY, Importance.LOW,
                    "Subject of keys: TopicNameStrategy (<topic>-key), RecordNameStrategy (<record full name>) or "
                            + "TopicRecordNameStrategy (<topic>-<record full name>); Confluent's class names are accepted too.")
            .define(VALUE_SUBJECT_NAME_STRATEGY, Type.STRING, TOPIC_NAME_STRATEGY, Importance.LOW,
                    "Subject of values: TopicNameStrategy (<topic>-value), RecordNameStrategy or TopicRecordNameStrategy.")
            .define(VALUE_TYPE, Type.STRING, null, Importance.MEDIUM,
                    "Generated Avro class of the values, for a serde instantiated by a Kafka client (value.deserializer=" 
                            + "dev.baton.schemas.serde.AvroSerde).")
            .define(KEY_TYPE, Type.STRING, null, Importance.LOW, "Generated Avro class of the keys, as baton.avro.value.type.")
            .define(TOMBSTONES, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Deserialize a null value to null (set it for compacted topics, whose deletions are tombstones); "
                            + "when false a null value fails with DecodeFailure.NULL_OR_EMPTY.");

    /** Validates {@code originals} against the declared keys; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
    public AvroSerdeConfig(Map<String, ?> originals) {
        super(DEF, originals, false);
    }

    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }

    /** The {@code user:password} to send, or null when no basic authentication is configured by user info. */
    public String basicAuthUserInfo() {
        Password primary = getPassword(BASIC_AUTH_USER_INFO);
        Password alias = getPassword(SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO);
        Password chosen = primary != null ? primary : alias;
        return chosen == null ? null : chosen.value();
    }

    public String passwordOrNull(String key) {
        Password p = getPassword(key);
        return p == null ? null : p.value();
    }
}

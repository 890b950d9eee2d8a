package dev.baton.schemas.serde.internal;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Lets Avro's {@link ClassSecurityValidator} load Baton's generated classes without any
 * {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES} flag.
 *
 * <p>Avro 1.12 refuses to load classes by name unless trusted. The system properties are read once,
 * when Avro's classes initialise, so setting them at runtime is unreliable, and they trust whole
 * packages. Instead we add, once, a predicate to the global validator, composed with whatever was
 * installed before (other trust decisions are kept). It trusts only generated types: records and
 * enums of the {@code dev.baton.events} package, plus the named types reachable from the reader
 * schema of any {@code AvroSerde} (for records compiled elsewhere).
 *
 * <p>Installation happens as early as possible: {@link AvroTrustHook} is registered as an Avro
 * {@code LogicalTypeFactory} service, which Avro loads while parsing the first schema — before any
 * generated class can build a record (builders decode enum defaults, which loads classes by name).
 * {@code AvroSerde} installs it again explicitly, for class loaders that do not see the service file.
 */
public final class TrustedAvroClasses {
    public static final String EVENTS_PACKAGE = "dev.baton.events";
    private static final Set<String> TRUSTED_NAMES = ConcurrentHashMap.newKeySet();
    private static final Object INSTALL_LOCK = new Object();
    private static volatile boolean installed;

    private TrustedAvroClasses() {}

    /** Installs the predicate once. Idempotent and thread-safe. */
    public static void install() {
        if (!installed) {
            synchronized (INSTALL_LOCK) {
                if (!installed) {
                    ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
                    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, TrustedAvroClasses::isTrusted));
                    installed = true;
                }
            }
        }
    }

    /** Also trusts every record, enum and fixed type reachable from {@code schema}. */
    public static void trust(Schema schema) {
        TRUSTED_NAMES.addAll(namedTypes(schema));
        install();
    }

    static boolean isTrusted(Class<?> c) {
        if (EVENTS_PACKAGE.equals(c.getPackageName()) && (SpecificRecord.class.isAssignableFrom(c) || c.isEnum())) {
            return true;
        }
        return TRUSTED_NAMES.contains(c.getName());
    }

    static Set<String> namedTypes(Schema root) {
        Set<String> names = new HashSet<>();
        Set<Schema> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Schema> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Schema s = todo.pop();
            if (!seen.add(s)) {
                continue;
            }
            switch (s.getType()) {
                case RECORD -> {
                    names.add(s.getFullName());
                    s.getFields().forEach(f -> todo.push(f.schema()));
                }
                case ENUM, FIXED -> names.add(s.getFullName());
                case ARRAY -> todo.push(s.getElementType());
                case MAP -> todo.push(s.getValueType());
                case UNION -> s.getTypes().forEach(todo::push);
                default -> { }
            }
        }
        return names;
    }
}

package dev.baton.schemas.serde.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Lets Avro's {@link ClassSecurityValidator} load exactly the generated classes a serde reads.
 *
 * <p>Avro 1.12 refuses to instantiate classes by name unless they are trusted, normally through the
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES} system property, which is read once when Avro's
 * classes initialise (so setting it at runtime is unreliable) and trusts whole packages. Instead we
 * add, once, a predicate to the global validator (composed with whatever was installed before, so
 * other trust decisions are kept) that trusts only the full names of the named types reachable from
 * a serde's reader schema.
 */
public final class TrustedAvroClasses {
    private static final Set<String> TRUSTED = ConcurrentHashMap.newKeySet();
    private static final Object INSTALL_LOCK = new Object();
    private static volatile boolean installed;

    private TrustedAvroClasses() {}

    /** Trusts every record, enum and fixed type reachable from {@code schema}. Idempotent and thread-safe. */
    public static void trust(Schema schema) {
        TRUSTED.addAll(namedTypes(schema));
        if (!installed) {
            synchronized (INSTALL_LOCK) {
                if (!installed) {
                    ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
                    ClassSecurityValidator.ClassSecurityPredicate ours = c -> TRUSTED.contains(c.getName());
                    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, ours));
                    installed = true;
                }
            }
        }
    }

    static Set<String> namedTypes(Schema root) {
        Set<String> names = new HashSet<>();
        Set<Schema> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
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

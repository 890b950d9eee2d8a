package dev.baton.schemas.serde.internal;

import dev.baton.schemas.serde.AvroSerdeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/** Builds the TLS context of the registry client from the {@code schema.registry.ssl.*} keys. */
final class SslContexts {
    private SslContexts() {}

    /** Null when neither a trust store nor a key store is configured (the JDK defaults then apply). */
    static SSLContext fromConfig(AvroSerdeConfig config) {
        String trustLocation = config.getString(AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION);
        String keyLocation = config.getString(AvroSerdeConfig.SSL_KEYSTORE_LOCATION);
        if (blank(trustLocation) && blank(keyLocation)) {
            return null;
        }
        try {
            TrustManagerFactory tmf = null;
            if (!blank(trustLocation)) {
                KeyStore trust = load(AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION, trustLocation,
                        config.getString(AvroSerdeConfig.SSL_TRUSTSTORE_TYPE),
                        config.passwordOrNull(AvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD));
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (!blank(keyLocation)) {
                String storePassword = config.passwordOrNull(AvroSerdeConfig.SSL_KEYSTORE_PASSWORD);
                KeyStore keys = load(AvroSerdeConfig.SSL_KEYSTORE_LOCATION, keyLocation,
                        config.getString(AvroSerdeConfig.SSL_KEYSTORE_TYPE), storePassword);
                String keyPassword = config.passwordOrNull(AvroSerdeConfig.SSL_KEY_PASSWORD);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, chars(keyPassword != null ? keyPassword : storePassword));
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot build the TLS context of the schema-registry client: " + e.getMessage());
        }
    }

    private static KeyStore load(String key, String location, String type, String password) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, chars(password));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(key, location, "cannot load " + type + " store: " + e.getMessage());
        }
    }

    private static char[] chars(String s) {
        return s == null ? null : s.toCharArray();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

package dev.baton.agent.internal;

import dev.baton.sdk.StepHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StepHandler}s this agent can run: found with {@link ServiceLoader} on the agent's
 * classpath and in the jars of the plugin directory (one class loader for all plugin jars, child of
 * the agent's). Loaded once at start; a name served twice is a configuration error.
 */
public final class HandlerRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HandlerRegistry.class);

    private final Map<String, StepHandler> handlers;
    private final URLClassLoader pluginLoader;

    private HandlerRegistry(Map<String, StepHandler> handlers, URLClassLoader pluginLoader) {
        this.handlers = handlers;
        this.pluginLoader = pluginLoader;
    }

    public static HandlerRegistry load(Optional<Path> pluginDir) {
        ClassLoader parent = HandlerRegistry.class.getClassLoader();
        URLClassLoader plugins = null;
        if (pluginDir.isPresent()) {
            List<URL> jars = jars(pluginDir.get());
            if (!jars.isEmpty()) {
                plugins = new URLClassLoader("baton-plugins", jars.toArray(URL[]::new), parent);
            }
            log.info("Plugin directory {}: {} jar(s)", pluginDir.get(), jars.size());
        }
        Map<String, StepHandler> found = new TreeMap<>();
        ServiceLoader<StepHandler> loader = ServiceLoader.load(StepHandler.class, plugins != null ? plugins : parent);
        for (var it = loader.iterator(); ; ) {
            StepHandler h;
            try {
                if (!it.hasNext()) {
                    break;
                }
                h = it.next();
            } catch (ServiceConfigurationError e) {
                log.error("Skipping a StepHandler that cannot be loaded: {}", e.getMessage());
                continue;
            }
            StepHandler previous = found.putIfAbsent(h.name(), h);
            if (previous != null && previous.getClass() != h.getClass()) {
                throw new IllegalStateException("Two StepHandlers are named '" + h.name() + "': "
                        + previous.getClass().getName() + " and " + h.getClass().getName());
            }
        }
        log.info("Java step handlers: {}", found.keySet());
        return new HandlerRegistry(Map.copyOf(found), plugins);
    }

    private static List<URL> jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("agent.plugin.dir " + dir + " is not a directory");
        }
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(p.toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list agent.plugin.dir " + dir, e);
        }
        return urls;
    }

    public Optional<StepHandler> get(String name) {
        return Optional.ofNullable(handlers.get(name));
    }

    public java.util.Set<String> names() {
        return handlers.keySet();
    }

    @Override
    public void close() {
        if (pluginLoader != null) {
            try {
                pluginLoader.close();
            } catch (IOException e) {
                log.debug("Closing the plugin class loader: {}", e.toString());
            }
        }
    }
}

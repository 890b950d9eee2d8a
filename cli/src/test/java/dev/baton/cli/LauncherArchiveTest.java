package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./baton} launcher's class-data archives, run for real (bash, this JVM's JDK) on a copy of the launcher
 * whose jar is a one-class program printing its JVM options. On JDK 25 and later a server command keeps an AOT cache
 * that is only used once the JVM has verified the recording; on JDK 21-24 every command keeps a CDS archive.
 */
class LauncherArchiveTest {
    private static final boolean AOT = Runtime.version().feature() >= 25;

    @TempDir
    Path root;

    @BeforeEach
    void copyLauncherAndMakeJar() throws IOException {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Files.copy(repo.resolve("baton"), root.resolve("baton"));
        root.resolve("baton").toFile().setExecutable(true);
        Files.createDirectories(root.resolve(".mvn"));
        Files.copy(repo.resolve(".mvn/find-jdk.sh"), root.resolve(".mvn/find-jdk.sh"));
        Path jar = Files.createDirectories(root.resolve("cli/target")).resolve("baton.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherFixtureMain.class.getName());
        String entry = LauncherFixtureMain.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m);
                var cls = LauncherFixtureMain.class.getClassLoader().getResourceAsStream(entry)) {
            j.putNextEntry(new JarEntry(entry));
            cls.transferTo(j);
            j.closeEntry();
        }
    }

    @Test
    void aServerCommandRecordsACacheThatTheNextStartChecksAndUses() throws Exception {
        List<String> first = jvmOptions("coordinator");
        Path aot = root.resolve(".baton/aot");
        if (!AOT) {
            assertThat(first).anyMatch(o -> o.startsWith("-XX:SharedArchiveFile=" + root.resolve(".baton/cds")));
            return;
        }
        assertThat(first).anyMatch(o -> o.startsWith("-XX:AOTCacheOutput=" + aot) && o.endsWith(".rec"));
        assertThat(files(aot)).singleElement().asString().endsWith(".rec");

        List<String> second = jvmOptions("coordinator", "--flag");
        assertThat(files(aot)).singleElement().asString().endsWith(".aot");
        assertThat(second).contains("-XX:AOTCache=" + files(aot).get(0));
        // A help start neither records nor disturbs the cache; another server command records its own.
        assertThat(jvmOptions("coordinator", "--help")).contains("-XX:AOTCache=" + files(aot).get(0));
        assertThat(jvmOptions("agent", "--help")).noneMatch(o -> o.startsWith("-XX:AOTCache"));
        assertThat(files(aot)).hasSize(1);
    }

    @Test
    void aDamagedOrUnfinishedRecordingIsDeletedAndNeverUsed() throws Exception {
        if (!AOT) {
            assertThat(jvmOptions("coordinator")).noneMatch(o -> o.startsWith("-XX:AOTCache"));
            return;
        }
        jvmOptions("coordinator");
        Path rec = files(root.resolve(".baton/aot")).get(0);
        // The recording as a killed assembly could leave it: written in part, with garbage in the middle.
        byte[] b = Files.readAllBytes(rec);
        for (int i = b.length / 3; i < 2 * b.length / 3; i++) {
            b[i] = (byte) (i * 31);
        }
        Files.write(rec, b);
        Path unfinished = rec.resolveSibling(rec.getFileName().toString().replaceAll("\\.[0-9]+\\.rec$", ".999999999.rec"));
        Files.write(unfinished, b);
        Files.writeString(unfinished.resolveSibling(unfinished.getFileName() + ".config"), "");

        List<String> next = jvmOptions("coordinator");
        assertThat(next).noneMatch(o -> o.startsWith("-XX:AOTCache="));
        assertThat(next).anyMatch(o -> o.startsWith("-XX:AOTCacheOutput="));
        // Only the new start's own recording is left.
        assertThat(files(root.resolve(".baton/aot"))).singleElement().asString().endsWith(".rec").isNotEqualTo(rec.toString());
    }

    @Test
    void aClientCommandDevAndAServerCommandWithBatonAot0KeepAClassDataArchive() throws Exception {
        assertThat(jvmOptions(Map.of(), "runs")).contains("-XX:+AutoCreateSharedArchive")
                .anyMatch(o -> o.startsWith("-XX:SharedArchiveFile=" + root.resolve(".baton/cds")));
        assertThat(jvmOptions(Map.of(), "dev")).contains("-XX:+AutoCreateSharedArchive")
                .noneMatch(o -> o.startsWith("-XX:AOTCache"));
        assertThat(jvmOptions(Map.of("BATON_AOT", "0"), "coordinator")).contains("-XX:+AutoCreateSharedArchive")
                .noneMatch(o -> o.startsWith("-XX:AOTCache"));
    }

    /** Runs the launcher copy and returns the JVM options the fixture printed. */
    private List<String> jvmOptions(String... args) throws Exception {
        return jvmOptions(Map.of(), args);
    }

    private List<String> jvmOptions(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(root.resolve("baton").toString()), Stream.of(args)).toList());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("BATON_SKIP_BUILD", "1");
        pb.environment().remove("BATON_JAVA_OPTS");
        pb.environment().remove("BATON_CDS");
        pb.environment().remove("BATON_AOT");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).as(out).contains("ARGS");
        return lines.subList(lines.indexOf("ARGS") + 1, lines.size());
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
